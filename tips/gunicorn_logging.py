"""Gunicorn's access log without the tipster: set as ``logger_class`` in deploy/gunicorn.conf.py.

Gunicorn logs every request with the client address, referrer and user agent by default. For tip
pages those fields (and every request header and environ value a custom format could name) are
written as "-"; other pages are logged as usual.
"""

from gunicorn.glogging import Logger

from tips.privacy import TIP_PATH_PREFIX

_IDENTIFYING_ATOMS = ("h", "u", "f", "a")


class TipPrivacyLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if not (environ.get("PATH_INFO") or "").startswith(TIP_PATH_PREFIX):
            return atoms
        # Unknown atoms print as "-" (gunicorn's SafeAtoms), so dropping a key blanks it.
        return {
            key: value
            for key, value in atoms.items()
            if key not in _IDENTIFYING_ATOMS and not key.endswith(("}i", "}e"))
        }

"""Gunicorn's logs without the tipster or anyone's secrets: set as ``logger_class`` in deploy/gunicorn.conf.py.

Gunicorn writes one access line per request, to the second, with the client address, referrer and
user agent. For the requests a tip page causes that line alone would date a tip and tie it to the
tipster's other requests, so none is written:

- tip pages themselves (``tips.privacy.is_tip_path``: /tips, /tips/…, and near misses such as /TIPS);
- static assets and icons: tip pages load the site's CSS and icon, and a browser asks for them in
  the same second. Telling a tip page's asset request from another page's is impossible without its
  referrer (tip pages send none), so no asset request is logged at all; they are files on disk,
  served by WhiteNoise, and their log lines were only noise.

Gunicorn's own error path (a request it could not parse, ``handle_error``) logs an access line with
no ``PATH_INFO`` and a warning naming the client's address: the path is then read from the raw URI,
and the warning is written at the debug level only, without the address (it rarely names the path,
so a malformed request to a tip page could not be told from another).

Every other line is written as usual, with the secret part of consent, confirmation, reset and
newsletter links masked (``portal.secret_paths``), in the request line, the path, the query string
and the referrer.
"""

import re

from gunicorn.glogging import Logger

from portal.secret_paths import mask_secret_paths
from tips.privacy import is_asset_path, is_tip_path

# What gunicorn writes when it cannot parse a request: "Invalid request from ip=203.0.113.7: …".
_INVALID_REQUEST = re.compile(r"Invalid request from ip=\S*: ")
# A tip path anywhere in a message (a malformed request line quoted back).
_TIP_PATH_IN_TEXT = re.compile(r"(?:^|[\s'\"/])(?:/|%2f)*(?:tips|%74ips)", re.IGNORECASE)


def _path_of(raw_uri: str) -> str:
    """The path of a request target as sent: "/tips/?a", "http://host/tips/", "//tips" all give a /tips path."""
    if raw_uri.lower().startswith(("http://", "https://")):
        raw_uri = "/" + raw_uri.split("//", 1)[1].partition("/")[2]
    return re.split(r"[?#]", raw_uri, maxsplit=1)[0]


def is_unlogged_path(path: str) -> bool:
    """A tip page or an asset: no access line, ever."""
    return is_tip_path(path) or is_asset_path(path)


def _is_unlogged_request(req, environ) -> bool:
    candidates = [environ.get("PATH_INFO"), _path_of(environ.get("RAW_URI") or "")]
    candidates.append(getattr(req, "path", None))
    return any(is_unlogged_path(path) for path in candidates if isinstance(path, str) and path)


class TipPrivacyLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if _is_unlogged_request(req, environ):
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # The request line, path, query, referrer, and any header or environ value a custom format names.
        return {key: mask_secret_paths(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def warning(self, msg, *args, **kwargs):
        if isinstance(msg, str) and _INVALID_REQUEST.match(msg):
            # A request gunicorn could not parse may have been for a tip page, and the warning
            # rarely says which: it goes to the debug level (off in production), never with the address.
            detail = _INVALID_REQUEST.sub("", msg, count=1)
            if not _TIP_PATH_IN_TEXT.search(detail):
                super().debug("Invalid request: " + mask_secret_paths(detail), *args, **kwargs)
            return
        super().warning(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        # "Error handling request GET /tips/…": the error is written, the tip path is not.
        if isinstance(msg, str) and msg.startswith("Error handling request") and args:
            if any(isinstance(arg, str) and is_unlogged_path(_path_of(arg)) for arg in args):
                msg, args = "Error handling request (a tip page or an asset; path not logged)", ()
            else:
                args = tuple(mask_secret_paths(arg) if isinstance(arg, str) else arg for arg in args)
        super().exception(msg, *args, **kwargs)

"""Paths that carry a secret, and how they are written in logs: without it.

A consent, confirmation, password-reset, enrolment, preference or unsubscribe link works for whoever holds it
(a consent token even embeds the guardian's e-mail address), so the access log, Django's warnings
and the referrers in both name the page but not the token. tests/portal/test_secret_paths.py walks
every URL pattern of the project and allauth and fails if one with a secret part is missing here.
"""

import copy
import logging
import re

from django.http import QueryDict

MASK = "[secret]"

# The fixed part of each path; what follows it, up to the next "/", "?" or "#", is the secret.
_SECRET_PATH_PREFIXES = (
    "accounts/confirm-email",  # allauth: e-mail confirmation key
    "accounts/password/reset/key",  # allauth: <uidb36>-<key> of a password reset
    "programs/consent",  # a guardian's consent token
    "newsletters/confirm",  # subscription confirmation token
    "newsletters/preferences",  # signed preferences token
    "newsletters/unsubscribe",  # signed unsubscribe token
    "me/officer-enrolment",  # a new staff member's second-factor enrolment link
)
# "/" or its percent-encoding, so a secret path inside a query string (?next=%2Fprograms%2F…) is caught too.
_SLASH = r"(?:/|%2[fF])"
_SECRET_PATH = re.compile(
    "(?P<prefix>"
    + _SLASH
    + "(?:"
    + "|".join(_SLASH.join(map(re.escape, prefix.split("/"))) for prefix in _SECRET_PATH_PREFIXES)
    + ")"
    + _SLASH
    + r")"
    # "key/done/" is the page after a reset and holds nothing secret.
    + r"(?!done(?:/|%2[fF]|$))"
    + r"(?P<secret>(?:(?!%2[fF]|%3[fF]|%23)[^/?#\s\"'&])+)"
)


def mask_secret_paths(text: str) -> str:
    """``text`` with the secret part of every secret-carrying path in it replaced by ``[secret]``."""
    if not text or ("/" not in text and "%2" not in text.lower()):
        return text
    return _SECRET_PATH.sub(lambda match: match["prefix"] + MASK, text)


class MaskSecretPaths(logging.Filter):
    """A ``LOGGING`` filter: the record's message (e.g. Django's "Not Found: /programs/consent/…/") masked,
    and the request it carries, whose URL ``AdminEmailHandler`` puts in the ``ADMINS`` e-mail."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secret_paths(message)
        if masked != message:
            record.msg, record.args = masked, ()
        request = getattr(record, "request", None)
        if request is not None and isinstance(getattr(request, "path", None), str):
            full_path = request.get_full_path()
            if mask_secret_paths(full_path) != full_path:
                record.request = _masked_request(request)
        return True


def _masked_request(request):
    """A shallow copy of ``request`` whose path, query and META name no secret (the original is untouched)."""
    masked = copy.copy(request)
    masked.path = mask_secret_paths(request.path)
    masked.path_info = mask_secret_paths(request.path_info)
    masked.META = {
        key: mask_secret_paths(value) if isinstance(value, str) else value for key, value in request.META.items()
    }
    masked.GET = QueryDict(masked.META.get("QUERY_STRING", ""))
    return masked

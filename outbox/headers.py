"""Headers that tell mail clients what a message is: who made it, which list it belongs to, its id."""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import make_msgid

from portal.signing import salted_hmac


def site_host() -> str:
    """SITE_URL's host name: the domain of every Message-ID and List-Id the portal writes."""
    return _host_name(settings.SITE_URL)


@functools.lru_cache(maxsize=8)
def _host_name(url: str) -> str:
    # Parsed once per URL rather than for each copy of a fan-out (its Message-ID).
    return urlsplit(url).hostname


def list_id(name: str) -> str:
    """The List-Id (RFC 2919) of the portal's list ``name`` ("newsletter", "digest"), e.g.
    ``<newsletter.safety.riverton.example>``: mail clients file and filter a list's issues by it."""
    return f"<{name}.{site_host()}>"


def message_id(email) -> str:
    """The Message-ID of the outbox row ``email``: the same on every attempt to send it, so a
    message resent after a lost SMTP reply shows once in the inbox, and unique to the row.

    Keyed by the row's id and creation time, neither of which it shows: the id counts the
    portal's e-mails, and a database reset reuses ids (Gmail drops a Message-ID it saw already).
    An unsaved row (a preview) gets a fresh one.
    """
    if email.pk is None or email.created_at is None:
        return make_msgid(domain=site_host())
    digest = salted_hmac("outbox.message-id", f"{email.pk}:{email.created_at.isoformat()}").hexdigest()[:32]
    return f"<{digest}@{site_host()}>"

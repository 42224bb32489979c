"""Signed links that let a recipient manage their e-mail from any message, without logging in.

The token is the address signed with the portal's SECRET_KEY (a different salt per purpose), so
a link works for as long as the key does and cannot be altered to act on someone else's address.
The outbox calls ``preferences_url`` and ``unsubscribe_url`` when it renders each message.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

PREFERENCES_SALT = "newsletters.preferences"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
CONFIRM_SALT = "newsletters.confirm"
CONFIRM_MAX_AGE = timedelta(days=7)


def _normalise(address: str) -> str:
    return address.strip().lower()


def address_token(address: str, *, salt: str) -> str:
    return signing.dumps(_normalise(address), salt=salt, compress=True)


def address_from_token(token: str, *, salt: str, max_age: timedelta | None = None) -> str | None:
    """The address a token was made for, or None when it was tampered with, expired or made for another purpose."""
    try:
        address = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a subclass.
        return None
    return address if isinstance(address, str) else None


def preferences_url(address: str) -> str:
    token = address_token(address, salt=PREFERENCES_SALT)
    return settings.SITE_URL + reverse("newsletters:preferences-token", args=[token])


def unsubscribe_url(address: str) -> str:
    token = address_token(address, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("newsletters:unsubscribe", args=[token])


def confirm_url(address: str) -> str:
    token = address_token(address, salt=CONFIRM_SALT)
    return settings.SITE_URL + reverse("newsletters:confirm", args=[token])

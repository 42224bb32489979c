"""Signed links that let a recipient manage their e-mail from any message, without logging in.

The token is the address and the time it was signed, signed with the portal's SECRET_KEY (a
different salt per purpose), so a link cannot be altered to act on someone else's address. The
outbox calls ``preferences_url`` and ``unsubscribe_url`` when it renders each message, so a link's
age counts from the day its e-mail left. A preferences link works for
NEWSLETTER_PREFERENCES_LINK_MAX_AGE (it changes what someone receives); an unsubscribe link, which
can only stop mail, for the longer NEWSLETTER_UNSUBSCRIBE_LINK_MAX_AGE. An expired link still names
its address (``address_from_expired_token``), so its page can e-mail that address a fresh one.
"""

import functools
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

from portal import signing as keyed_signing

PREFERENCES_SALT = "newsletters.preferences"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
CONFIRM_SALT = "newsletters.confirm"
CONFIRM_MAX_AGE = timedelta(days=7)


def _normalise(address: str) -> str:
    return address.strip().lower()


def address_token(address: str, *, salt: str) -> str:
    # The token of signing.dumps, made without deriving the salt's key anew for each of a
    # fan-out's copies.
    return keyed_signing.dumps(_normalise(address), salt=salt, compress=True)


def address_from_token(token: str, *, salt: str, max_age: timedelta | None = None) -> str | None:
    """The address a token was made for, or None when it was tampered with, expired or made for another purpose."""
    try:
        address = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a subclass.
        return None
    return address if isinstance(address, str) else None


def address_from_expired_token(token: str, *, salt: str) -> str | None:
    """The address of a genuine token of any age (None: tampered with or made for another purpose).

    Only for offering to e-mail that address a fresh link: never act on its behalf with it.
    """
    return address_from_token(token, salt=salt, max_age=None)


def preferences_max_age() -> timedelta:
    return settings.NEWSLETTER_PREFERENCES_LINK_MAX_AGE


def unsubscribe_max_age() -> timedelta:
    return settings.NEWSLETTER_UNSUBSCRIBE_LINK_MAX_AGE


def preferences_url(address: str) -> str:
    return _email_links(address, ["preferences_url"])["preferences_url"]


def unsubscribe_url(address: str) -> str:
    return _email_links(address, ["unsubscribe_url"])["unsubscribe_url"]


# Each link the outbox puts in a message: its view and its token's salt.
_EMAIL_LINKS = {
    "preferences_url": ("newsletters:preferences-token", PREFERENCES_SALT),
    "unsubscribe_url": ("newsletters:unsubscribe", UNSUBSCRIBE_SALT),
}


def links_in_every_email(address: str, *, unsubscribe: bool) -> dict[str, str]:
    """``{"preferences_url": preferences_url(address), "unsubscribe_url": unsubscribe_url(address)}``
    (without the second unless ``unsubscribe``), for each copy of a fan-out: the address is encoded,
    and the URL configuration looked up, once for both links."""
    return _email_links(address, ["preferences_url", "unsubscribe_url"] if unsubscribe else ["preferences_url"])


def _email_links(address: str, names: list[str]) -> dict[str, str]:
    tokens = keyed_signing.dumps_each(
        _normalise(address), salts=[_EMAIL_LINKS[name][1] for name in names], compress=True
    )
    urlconf, script_prefix = get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    links = {}
    for name, token in zip(names, tokens, strict=True):
        before, after = _path_around_token(_EMAIL_LINKS[name][0], urlconf, script_prefix)
        links[name] = settings.SITE_URL + before + token + after
    return links


# A token is URL-safe base64 and ":" (signing's alphabet), which reverse() leaves as it is.
_ARGUMENT_MARK = "PRECINCT-SIGNED-ADDRESS"


@functools.lru_cache(maxsize=64)
def _path_around_token(view_name: str, urlconf, script_prefix: str) -> tuple[str, str]:
    """reverse(view_name, args=[token]) as the text before and after the token: reversing once per
    URL configuration and putting each token in costs a fifth as much. Keyed by what reverse()
    depends on here: the URL configuration and the script prefix (the newsletter URLs have no
    language prefix)."""
    before, after = reverse(view_name, urlconf=urlconf, args=[_ARGUMENT_MARK]).split(_ARGUMENT_MARK)
    return before, after


def confirm_url(address: str) -> str:
    token = address_token(address, salt=CONFIRM_SALT)
    return settings.SITE_URL + reverse("newsletters:confirm", args=[token])

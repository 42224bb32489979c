"""The outbox's context and attachments, sealed at rest.

A queued e-mail's context may carry a secret that grants access (a password-reset or confirmation
link, a guardian's consent link, a code). The row keeps it encrypted (Fernet: AES-128-CBC with an
HMAC) under a key derived with HKDF from OUTBOX_KEYS, or from SECRET_KEY when that is not set; older
keys (the rest of OUTBOX_KEYS, or SECRET_KEY_FALLBACKS) still open rows sealed before a rotation.
Only the worker opens it, to render the message, and the outbox erases it once the row is sent,
failed or withdrawn. Whoever reads the table, the admin or a backup sees ciphertext or nothing.
"""

import base64
import functools
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unreadable(Exception):
    """The payload was sealed with a key the portal no longer has, or was altered."""


def _keys() -> tuple[str, ...]:
    if settings.OUTBOX_KEYS:
        return tuple(settings.OUTBOX_KEYS)
    return (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # HKDF with its own "info": the outbox key is not the key Django signs cookies and links with.
    derived = [
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"precinct.outbox.sealed-context").derive(
            key.encode()
        )
        for key in keys
    ]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in derived])


def seal(payload: dict) -> str:
    """``payload`` (JSON-serialisable) as a token only the portal's keys open."""
    return _fernet(_keys()).encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()


def unseal(token: str) -> dict:
    """The payload ``seal`` made ``token`` of. Raises Unreadable when no key opens it."""
    try:
        return json.loads(_fernet(_keys()).decrypt(token.encode()))
    except InvalidToken:
        raise Unreadable("The e-mail's sealed context opens with none of the outbox keys.") from None

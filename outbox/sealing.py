"""The outbox's context and attachments, sealed at rest.

A queued e-mail's context may carry a secret that grants access (a password-reset or confirmation
link, a guardian's consent link, a code). The row keeps it encrypted (Fernet: AES-128-CBC with an
HMAC) under a key derived with HKDF from OUTBOX_KEYS, or from SECRET_KEY when that is not set; older
keys (the rest of OUTBOX_KEYS, or SECRET_KEY_FALLBACKS) still open rows sealed before a rotation.
Only the worker opens it, to render the message, and the outbox erases it once the row is sent,
failed or withdrawn. Whoever reads the table, the admin or a backup sees ciphertext or nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings

from portal.sealing_keys import derived_fernet

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


class Unreadable(Exception):
    """The payload was sealed with a key the portal no longer has, or was altered."""


def _keys() -> tuple[str, ...]:
    if settings.OUTBOX_KEYS:
        return tuple(settings.OUTBOX_KEYS)
    return (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)


def _fernet() -> MultiFernet:
    # Its own "info": the outbox key is not the key Django signs cookies and links with.
    return derived_fernet(_keys(), b"precinct.outbox.sealed-context")


def seal(payload: dict) -> str:
    """``payload`` (JSON-serialisable) as a token only the portal's keys open."""
    return _fernet().encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()


def unseal(token: str) -> dict:
    """The payload ``seal`` made ``token`` of. Raises Unreadable when no key opens it."""
    # Here, not at the top: outbox.models imports this module, and a Celery worker's main process
    # loads every model but opens nothing (portal/sealing_keys.py).
    from cryptography.fernet import InvalidToken

    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise Unreadable("The e-mail's sealed context opens with none of the outbox keys.") from None

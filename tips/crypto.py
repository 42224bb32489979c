"""Encryption at rest for everything a tipster sends.

Keys come from ``settings.TIP_ENCRYPTION_KEYS`` (Fernet keys, newest first; portal/settings.py checks
them at start-up). New data is encrypted with the first key; any listed key decrypts, so a new key can
be put in front, ``manage.py rotate_tip_keys`` run, and the old key dropped afterwards.

A Fernet token carries the time it was made in clear. We stamp it with the hour, not the second,
so a database dump cannot date a tip more precisely than its coarse ``received_at``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.conf import settings

from tips.clock import coarse_now

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

__all__ = ["decrypt_bytes", "decrypt_text", "encrypt_bytes", "encrypt_text", "reencrypt"]


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    # Here, not at the top: the tip line's tasks import this module into a Celery worker's main
    # process, which encrypts nothing (portal/sealing_keys.py).
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.TIP_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt_at_time(data, int(coarse_now().timestamp()))


def decrypt_bytes(token: bytes) -> bytes:
    """Raises ``cryptography.fernet.InvalidToken`` if no configured key opens ``token``."""
    return _fernet().decrypt(bytes(token))


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode()


def reencrypt(token: bytes) -> bytes:
    """The same plaintext under the newest key; keeps the token's (coarse) time stamp."""
    return _fernet().rotate(bytes(token))

"""The one way the portal turns its secrets into a Fernet key set for data sealed at rest.

Each use (sessions, the outbox, second-factor secrets) derives its own keys with HKDF under its own
``info``, so no two of them, nor Django's signing, share a key; the first secret seals, the rest
(older keys) still open what was sealed before a rotation.
"""

from __future__ import annotations

import base64
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


@functools.lru_cache(maxsize=16)
def derived_fernet(secret_keys: tuple[str, ...], info: bytes) -> MultiFernet:
    """A MultiFernet of one key per secret in ``secret_keys`` (newest first), each derived for ``info``."""
    # Here, not at the top: outbox.models imports this module, and a Celery worker's main process,
    # which loads every model, seals and opens nothing (cryptography: 7 MB in each process).
    from cryptography.fernet import Fernet, MultiFernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = [HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(s.encode()) for s in secret_keys]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in derived])

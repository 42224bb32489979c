"""Sessions sealed at rest, in the database and in the cache.

allauth keeps secrets in the session while a flow is under way: the key of a password-reset link
once it is opened (until the new password is set, a working link to the account), the key of an
authenticator app being set up, the form a re-authentication interrupted. Django's session store
only signs its data: anyone reading ``django_session``, a backup or Redis read them in the clear.
Here the data is sealed (Fernet: AES-128-CBC with an HMAC) under a key derived with HKDF from
SECRET_KEY (the rest from SECRET_KEY_FALLBACKS), in the table and in the cache alike.

``SESSION_ENGINE = "portal.sessions"`` is Django's cached_db store (sessions read from the cache,
written through to the database) with sealed data; ``"portal.sessions_db"`` its database-only store,
for runs without Redis (a per-process cache would keep a session other processes ended).
"""

import json
import logging

from cryptography.fernet import InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.core.signing import JSONSerializer

from portal.sealing_keys import derived_fernet

logger = logging.getLogger("django.contrib.sessions")


def _sessions_fernet() -> MultiFernet:
    return derived_fernet((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS), b"precinct.sessions")


class SealedSessionMixin:
    """Session data sealed, in place of Django's signed-only encoding."""

    def encode(self, session_dict) -> str:
        return _sessions_fernet().encrypt(JSONSerializer().dumps(session_dict)).decode()

    def decode(self, session_data) -> dict:
        try:
            return JSONSerializer().loads(_sessions_fernet().decrypt(session_data.encode()))
        except InvalidToken:
            # A session saved before sealing began (signed only) still opens, and is sealed when
            # next saved; anything else is an empty session, as Django does with bad data.
            return super().decode(session_data)
        except (ValueError, json.JSONDecodeError):
            return {}


class DatabaseSessionStore(SealedSessionMixin, db.SessionStore):
    pass


class SessionStore(SealedSessionMixin, cached_db.SessionStore):
    # The cache holds the sealed string too, not the dictionary Django's cached_db puts there.
    def load(self):
        try:
            sealed = self._cache.get(self.cache_key)
        except Exception:  # As Django's: a backend may refuse the key (#17810); the database has it.
            sealed = None
        if isinstance(sealed, str):
            return self.decode(sealed)
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache.set(self.cache_key, self.encode(data), self.get_expiry_age(expiry=stored.expire_date))
        return data

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)  # The database row (sealed by encode).
        try:
            self._cache.set(self.cache_key, self.encode(self._session), self.get_expiry_age())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

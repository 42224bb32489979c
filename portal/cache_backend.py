"""A Redis cache that degrades to "no cache" for reading while Redis is unreachable,
and fails closed for the checks built on ``add``.

The cache holds what can be rebuilt (rendered public pages, rate-limit counters, used TOTP
codes), so losing it must not take the site down for readers: ``get`` answers a miss,
``set`` / ``delete`` do nothing, ``incr`` raises ``ValueError`` as for a missing key (our own
rate limits, ``portal/ratelimit.py``, then count in each process's memory instead).

``add`` is different: it is the primitive of every security check that rides on the cache.
allauth takes the lock of each log-in / sign-up / password-reset / second-factor rate limit
with ``add``, and marks a TOTP code as used with ``add`` ("code already used" is a False
answer). Answering True on an error would switch all of them off while Redis is down, so an
attacker who can make Redis fail (or wait for it to) gets unlimited password and code guesses
and can replay a code. So ``add`` answers False on error: the check fails closed.

What a visitor sees while Redis is down: public pages, feeds and a signed-in resident's own
pages are served (sessions live in the database, ``cached_db``). Forms protected by a rate
limit are refused with a 429 page that says the checks are briefly unavailable (log-in,
sign-up, password reset, second-factor codes): nobody can sign in until Redis is back, by design.
The resident actions limited through ``portal/ratelimit.py`` stay open, limited per process.

After an error the backend stops calling Redis for ``RETRY_AFTER`` seconds, so a dead server
costs one failed connection per process every few seconds instead of a timeout on every call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis for every cache call; building one costs more than the
    call itself (about 0.6 ms with redis-py 8). One client per server is safe to share: it is
    thread-safe and draws connections from the same pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0

    def _call(self, operation: str, miss, call):
        if time.monotonic() < self._down_until:
            return miss
        try:
            return call()
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + RETRY_AFTER
            # Logged as a warning, not an error: the request goes on without the cache.
            logger.warning("Redis cache unavailable (%s), treated as empty for %ss: %s", operation, RETRY_AFTER, exc)
            return miss

    @property
    def is_available(self) -> bool:
        """False while the backend is skipping Redis after an error."""
        return time.monotonic() >= self._down_until

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # False, never True, on error: "added" is what lets a rate-limited or once-only action through.
        return self._call("add", False, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def get(self, key, default=None, version=None):
        return self._call("get", default, lambda: super(ResilientRedisCache, self).get(key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._call("delete", False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._call("has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError in every Django cache; an unreachable one is missing.
        result = self._call("incr", None, lambda: super(ResilientRedisCache, self).incr(key, delta, version))
        if result is None:
            raise ValueError(f"Key {key!r} not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], lambda: super(ResilientRedisCache, self).set_many(data, timeout, version))

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._call("clear", False, lambda: super(ResilientRedisCache, self).clear())

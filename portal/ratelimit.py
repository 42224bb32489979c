"""Limits on what one resident (or one address) may do in a while: one helper for every app.

Counters live in the cache in fixed windows. Keys are hashed, so an e-mail address used as a
key is not readable in Redis. The limit fails closed: when the cache cannot count, the action is
refused, because an action that e-mails a third party must never become unlimited while Redis is
down (the resident is told to try again in a minute, like any limited visitor).
"""

import hashlib
import math
import time

from django.core.cache import cache
from django.utils.translation import ngettext


class RateLimited(Exception):
    """Raised by ``rate_limit_consume`` when the action is over its limit; says when to come back."""

    def __init__(self, retry_after: int):
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = max(1, int(retry_after))

    @property
    def message(self) -> str:
        """A translated sentence for the person: what happened and when to try again."""
        if self.retry_after < 120:
            seconds = self.retry_after
            return ngettext(
                "You have done this too many times. Please try again in %(count)d second.",
                "You have done this too many times. Please try again in %(count)d seconds.",
                seconds,
            ) % {"count": seconds}
        minutes = math.ceil(self.retry_after / 60)
        return ngettext(
            "You have done this too many times. Please try again in %(count)d minute.",
            "You have done this too many times. Please try again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}


def _window_key(scope: str, key: str, period: int, now: float) -> tuple[str, int]:
    window = int(now // period)
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}", math.ceil(period - (now % period))


def rate_limit_consume(*, scope: str, key: str, limit: int, period: int) -> None:
    """Count one action of ``scope`` by ``key`` (a user id, an address); raise ``RateLimited`` when
    it is more than ``limit`` in the current ``period`` (seconds). Refused attempts count too."""
    cache_key, remaining = _window_key(scope, str(key).lower(), period, time.time())
    try:
        cache.add(cache_key, 0, timeout=period + 1)
        count = cache.incr(cache_key)
    except ValueError:  # The cache could not count: refuse rather than allow without a limit.
        raise RateLimited(60) from None
    if count > limit:
        raise RateLimited(remaining)


def rate_limit_check_all(limits: list[tuple[str, str, int, int]]) -> None:
    """``rate_limit_consume`` for several (scope, key, limit, period) at once, e.g. per sender and
    per recipient: the first that is over its limit is raised."""
    for scope, key, limit, period in limits:
        rate_limit_consume(scope=scope, key=key, limit=limit, period=period)

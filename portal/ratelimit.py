"""Limits on what one resident (or one address) may do in a while: one helper for every app.

Counters live in the cache in fixed windows. Keys are hashed, so an e-mail address used as a
key is not readable in Redis. While the cache cannot count (Redis down), each process counts in
its own memory instead: a limit never switches off (an action that e-mails a third party must
not become unlimited), and residents can still RSVP or vote; the limit is then per process.
"""

import hashlib
import math
import threading
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


_local_counts: dict[str, tuple[float, int]] = {}
_local_lock = threading.Lock()


def _count_locally(cache_key: str, expires_at: float, now: float) -> int:
    """The fallback count, in this process's memory; expired windows are dropped as it goes."""
    with _local_lock:
        if len(_local_counts) > 10_000:
            for key in [key for key, (until, _count) in _local_counts.items() if until <= now]:
                del _local_counts[key]
        until, count = _local_counts.get(cache_key, (expires_at, 0))
        _local_counts[cache_key] = (until, count + 1)
        return count + 1


def rate_limit_consume(*, scope: str, key: str, limit: int, period: int) -> None:
    """Count one action of ``scope`` by ``key`` (a user id, an address); raise ``RateLimited`` when
    it is more than ``limit`` in the current ``period`` (seconds). Refused attempts count too."""
    now = time.time()
    cache_key, remaining = _window_key(scope, str(key).lower(), period, now)
    try:
        cache.add(cache_key, 0, timeout=period + 1)
        count = cache.incr(cache_key)
    except ValueError:  # The cache could not count: count here, never without a limit.
        count = _count_locally(cache_key, now + remaining, now)
    if count > limit:
        raise RateLimited(remaining)


def rate_limit_check_all(limits: list[tuple[str, str, int, int]]) -> None:
    """``rate_limit_consume`` for several (scope, key, limit, period) at once, e.g. per sender and
    per recipient: the first that is over its limit is raised."""
    for scope, key, limit, period in limits:
        rate_limit_consume(scope=scope, key=key, limit=limit, period=period)


def client_key(request) -> str:
    """The client's address as a rate-limit key: the one allauth's log-in limits use (behind the TLS
    proxy, from X-Forwarded-For per ALLAUTH_TRUSTED_PROXY_COUNT), an IPv6 address cut to its /64
    network, which one subscriber line holds whole. Keys are hashed: the address is not stored."""
    import ipaddress

    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # No usable address: such clients share one counter.
        return ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)

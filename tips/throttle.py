"""Rate limits for the tip line that remember no one.

Counters live in this process's memory only: never in the cache, the database or a file. A client
is counted under an HMAC of its address keyed with a random key made when the process starts, so
even a memory dump does not list addresses, and the key is gone on restart. Entries expire with
their window (minutes). Each process counts on its own: with N workers a client gets up to N times
the limit, which still stops floods and guessing (a receipt phrase has 77 bits).
"""

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    per_client: int
    overall: int
    window_seconds: int


LIMITS = {
    "submit": Limit(per_client=5, overall=120, window_seconds=10 * 60),
    "follow_up": Limit(per_client=10, overall=300, window_seconds=10 * 60),
}

_PROCESS_KEY = secrets.token_bytes(32)
_lock = threading.Lock()
# key -> (window start, count)
_counters: dict[str, tuple[float, int]] = {}


def _client_key(scope: str, client_address: str) -> str:
    return hmac.new(_PROCESS_KEY, f"{scope}:{client_address}".encode(), hashlib.sha256).hexdigest()


def _hit(key: str, window: int, now: float) -> int:
    started, count = _counters.get(key, (now, 0))
    if now - started >= window:
        started, count = now, 0
    _counters[key] = (started, count + 1)
    return count + 1


def _forget_expired(now: float) -> None:
    longest = max(limit.window_seconds for limit in LIMITS.values())
    for key in [key for key, (started, _count) in _counters.items() if now - started >= longest]:
        del _counters[key]


def throttle_allow(*, scope: str, client_address: str) -> bool:
    """Count one attempt in ``scope``; False once this client or everyone has used up the window's limit."""
    limit = LIMITS[scope]
    now = time.monotonic()
    with _lock:
        _forget_expired(now)
        client_count = _hit(_client_key(scope, client_address), limit.window_seconds, now)
        overall_count = _hit(f"{scope}:overall", limit.window_seconds, now)
    return client_count <= limit.per_client and overall_count <= limit.overall


def throttle_reset() -> None:
    """Forget every counter (tests, and nothing else, need this)."""
    with _lock:
        _counters.clear()

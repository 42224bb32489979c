"""Rate limits for the tip line that remember no one, and that no one client can use up for everyone.

Counters live in this process's memory only: never in the cache, Redis, the database or a file.
Time is cut into fixed windows per scope; each window has its own random key, made when it
starts and dropped with all its counters when it ends, so a client is counted under an HMAC of its
address with a key that lives a few minutes in memory, and no list of addresses exists anywhere.
IPv6 clients are counted per /64 (one household or phone gets a whole /64 to pick from).

Three counts per scope and window:
- attempts per client: every POST, accepted or not (it bounds the work one client can cause);
- spent per client: what counts as using the line (a tip stored, a receipt phrase tried); a form
  sent back because a field was missing or a file refused is not spent;
- spent overall: the sum of what clients spent, each within its own limit, so one client adds at
  most ``per_client`` to it, and it protects the desk from a flood by many.

Each process counts on its own: with N workers a client gets up to N times the limit, which still
stops floods and guessing (a receipt phrase has 77 bits).
"""

import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    per_client: int  # spent per client and window
    overall: int  # spent by everyone together per window
    window_seconds: int
    attempts_per_client: int  # every POST per client and window


LIMITS = {
    "submit": Limit(per_client=5, overall=120, window_seconds=10 * 60, attempts_per_client=30),
    "follow_up": Limit(per_client=10, overall=300, window_seconds=10 * 60, attempts_per_client=40),
    "follow_up_send": Limit(per_client=10, overall=300, window_seconds=10 * 60, attempts_per_client=30),
}


@dataclass
class _Window:
    index: int
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Throttled:
    """This client (``everyone=False``) or everyone together is over the limit until ``retry_after`` seconds pass."""

    retry_after: int
    everyone: bool

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


_lock = threading.Lock()
_windows: dict[str, _Window] = {}


def _window(scope: str, now: float) -> _Window:
    """The scope's current window; a new one (new key, no counts) once the last has ended."""
    index = int(now // LIMITS[scope].window_seconds)
    window = _windows.get(scope)
    if window is None or window.index != index:
        window = _windows[scope] = _Window(index=index)
    return window


def _client(window: _Window, client_address: str) -> str:
    return hmac.new(window.key, _client_group(client_address).encode(), hashlib.sha256).hexdigest()


def _client_group(client_address: str) -> str:
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def _retry_after(scope: str, window: _Window, now: float) -> int:
    ends = (window.index + 1) * LIMITS[scope].window_seconds
    return max(1, math.ceil(ends - now))


def throttle_attempt(*, scope: str, client_address: str) -> Throttled | None:
    """Count one attempt; say how long to wait if this client or everyone is over the limit, else None.

    Call it before any costly work; call ``throttle_spend`` once the attempt has used the line.
    """
    limit = LIMITS[scope]
    now = time.monotonic()
    with _lock:
        window = _window(scope, now)
        client = _client(window, client_address)
        attempts = window.counts[f"attempts:{client}"] = window.counts.get(f"attempts:{client}", 0) + 1
        if attempts > limit.attempts_per_client or window.counts.get(f"spent:{client}", 0) >= limit.per_client:
            return Throttled(retry_after=_retry_after(scope, window, now), everyone=False)
        if window.counts.get("overall", 0) >= limit.overall:
            return Throttled(retry_after=_retry_after(scope, window, now), everyone=True)
    return None


def throttle_spend(*, scope: str, client_address: str) -> None:
    """Count an attempt that used the line (a tip stored, a phrase tried) against this client and everyone."""
    now = time.monotonic()
    with _lock:
        window = _window(scope, now)
        client = _client(window, client_address)
        window.counts[f"spent:{client}"] = window.counts.get(f"spent:{client}", 0) + 1
        window.counts["overall"] = window.counts.get("overall", 0) + 1


def throttle_reset() -> None:
    """Forget every counter (tests, and nothing else, need this)."""
    with _lock:
        _windows.clear()

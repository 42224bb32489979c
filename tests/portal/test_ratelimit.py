"""One limit helper for every action that costs someone else an e-mail or the site real work."""

import pytest
import time_machine
from django.utils import translation

from portal.ratelimit import RateLimited, rate_limit_check_all, rate_limit_consume


def test_the_limit_allows_exactly_its_count_then_says_when_to_come_back():
    with time_machine.travel(1_800_000_000, tick=False):
        for _ in range(3):
            rate_limit_consume(scope="test", key="alice", limit=3, period=600)
        with pytest.raises(RateLimited) as refused:
            rate_limit_consume(scope="test", key="alice", limit=3, period=600)
    assert refused.value.retry_after == 600
    with translation.override("en"):
        assert "try again in 10 minutes" in refused.value.message
    with translation.override("es"):
        assert "inténtelo de nuevo" in refused.value.message


def test_keys_and_scopes_are_counted_apart_and_the_window_resets():
    with time_machine.travel(1_800_000_000, tick=False):
        rate_limit_consume(scope="test", key="Alice@Example.com", limit=1, period=60)
        rate_limit_consume(scope="test", key="bob", limit=1, period=60)
        rate_limit_consume(scope="other", key="alice@example.com", limit=1, period=60)
        with pytest.raises(RateLimited):  # the address is the same whatever its case
            rate_limit_consume(scope="test", key="alice@example.com", limit=1, period=60)
    with time_machine.travel(1_800_000_000 + 61, tick=False):
        rate_limit_consume(scope="test", key="alice@example.com", limit=1, period=60)


def test_several_limits_at_once_stop_at_the_first_exceeded():
    limits = [("sender", "alice", 5, 60), ("recipient", "guardian@example.com", 1, 60)]
    rate_limit_check_all(limits)
    with pytest.raises(RateLimited):
        rate_limit_check_all(limits)


def test_a_cache_that_cannot_count_still_limits_in_the_process(monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ValueError("Key not found (the cache is unavailable).")

    monkeypatch.setattr(cache, "incr", unreachable)
    for _ in range(2):  # residents can still act while Redis is down...
        rate_limit_consume(scope="redis-down", key="alice", limit=2, period=60)
    with pytest.raises(RateLimited):  # ...but never without a limit
        rate_limit_consume(scope="redis-down", key="alice", limit=2, period=60)
    rate_limit_consume(scope="redis-down", key="bob", limit=2, period=60)

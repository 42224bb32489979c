"""Flood protection counts clients in memory only, under a keyed hash, and says so politely."""

import pytest
from django.test import Client

from tests.tips.conftest import submit_tip
from tips import throttle
from tips.models import Tip

pytestmark = pytest.mark.django_db


def test_one_client_is_paused_politely_after_the_limit():
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(throttle.LIMITS["submit"].per_client):
        assert submit_tip(client).status_code == 200
    response = submit_tip(client, what="One too many")
    assert response.status_code == 429
    page = response.content.decode()
    assert "this form is paused for a few minutes" in page and "call 911" in page
    assert "One too many" in page  # the text is not lost
    assert not response.cookies
    assert Tip.objects.count() == throttle.LIMITS["submit"].per_client
    assert submit_tip(Client(REMOTE_ADDR="192.0.2.11")).status_code == 200


def test_everyone_together_is_limited_too(monkeypatch):
    monkeypatch.setitem(throttle.LIMITS, "submit", throttle.Limit(per_client=5, overall=3, window_seconds=600))
    for number in range(3):
        assert submit_tip(Client(REMOTE_ADDR=f"192.0.2.{number}")).status_code == 200
    assert submit_tip(Client(REMOTE_ADDR="192.0.2.50")).status_code == 429


def test_counters_hold_no_address_and_expire(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(throttle.time, "monotonic", lambda: clock[0])
    for _ in range(5):
        assert throttle.throttle_allow(scope="submit", client_address="192.0.2.77")
    assert not throttle.throttle_allow(scope="submit", client_address="192.0.2.77")
    assert not any("192.0.2.77" in key for key in throttle._counters)
    clock[0] += 601
    assert throttle.throttle_allow(scope="submit", client_address="192.0.2.77")
    clock[0] += 601
    throttle.throttle_allow(scope="follow_up", client_address="192.0.2.78")
    # Expired entries are dropped, not kept around.
    assert len(throttle._counters) == 2


def test_behind_the_tls_proxy_clients_are_told_apart_by_x_forwarded_for(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = Client(HTTP_X_FORWARDED_FOR="192.0.2.30", **proxy)
    for _ in range(throttle.LIMITS["submit"].per_client):
        assert submit_tip(first).status_code == 200
    assert submit_tip(first).status_code == 429
    assert submit_tip(Client(HTTP_X_FORWARDED_FOR="192.0.2.31", **proxy)).status_code == 200

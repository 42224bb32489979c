"""Flood protection counts clients in memory only, under a keyed hash that rotates; one client
cannot use up the line for everyone; mistakes are not spent; a paused person is told when to return."""

import re

import pytest
from django.test import Client

from tests.tips.conftest import named, receipt_phrase, submit_tip
from tips import throttle
from tips.models import Tip

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Time frozen at the start of a window, moved by hand."""
    now = [600.0 * 1000]
    monkeypatch.setattr(throttle.time, "monotonic", lambda: now[0])
    return now


def test_one_client_is_paused_after_its_tips_and_told_when_to_come_back(clock):
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(throttle.LIMITS["submit"].per_client):
        assert submit_tip(client).status_code == 200
    clock[0] += 150  # two and a half minutes into the ten-minute window
    response = submit_tip(client, what="One too many")
    assert response.status_code == 429
    page = response.content.decode()
    assert "paused for you" in page and "try again in 8 minutes" in page and "call 911" in page
    assert response["Retry-After"] == "450"
    assert "One too many" in page  # the text is not lost
    assert not response.cookies
    assert Tip.objects.count() == throttle.LIMITS["submit"].per_client
    assert submit_tip(Client(REMOTE_ADDR="192.0.2.11")).status_code == 200
    clock[0] += 450
    assert submit_tip(client).status_code == 200


def test_a_tipster_who_corrects_mistakes_is_not_locked_out():
    client = Client(REMOTE_ADDR="192.0.2.12")
    for _ in range(throttle.LIMITS["submit"].per_client * 2):
        response = submit_tip(client, what="")  # "What happened?" left empty
        assert response.status_code == 400 and "This field is required" in response.content.decode()
    for _ in range(throttle.LIMITS["submit"].per_client):
        assert submit_tip(client).status_code == 200


def test_a_refused_file_is_not_spent_like_a_tip():
    client = Client(REMOTE_ADDR="192.0.2.13")
    for _ in range(throttle.LIMITS["submit"].per_client):
        assert submit_tip(client, files=[named(b"PK\x03\x04word", "notes.docx")]).status_code == 400
    assert submit_tip(client).status_code == 200


def test_one_client_cannot_use_up_the_limit_that_protects_everyone(monkeypatch):
    monkeypatch.setitem(
        throttle.LIMITS, "submit", throttle.Limit(per_client=2, overall=6, window_seconds=600, attempts_per_client=30)
    )
    flooder = Client(REMOTE_ADDR="192.0.2.66")
    statuses = [submit_tip(flooder).status_code for _ in range(10)]
    statuses += [flooder.post("/tips/", {}).status_code for _ in range(30)]  # empty posts too
    assert statuses[:2] == [200, 200] and set(statuses[2:]) <= {400, 429}
    # The flood spent two of everyone's six: four other people still get through.
    for number in range(2):
        tipster = Client(REMOTE_ADDR=f"192.0.2.{number}")
        assert submit_tip(tipster).status_code == 200
        assert submit_tip(tipster).status_code == 200
    response = submit_tip(Client(REMOTE_ADDR="192.0.2.99"))
    assert response.status_code == 429 and "paused for everyone" in response.content.decode()


def test_a_client_sending_endless_posts_is_paused_alone():
    flooder = Client(REMOTE_ADDR="192.0.2.70")
    attempts = throttle.LIMITS["submit"].attempts_per_client
    assert all(flooder.post("/tips/", {}).status_code == 400 for _ in range(attempts))
    response = flooder.post("/tips/", {})
    assert response.status_code == 429 and re.search(r"try again in \d+ minutes?\.", response.content.decode())
    assert submit_tip(Client(REMOTE_ADDR="192.0.2.71")).status_code == 200


def test_counters_hold_no_address_and_their_key_rotates_with_each_window(clock):
    for _ in range(5):
        assert throttle.throttle_attempt(scope="submit", client_address="192.0.2.77") is None
        throttle.throttle_spend(scope="submit", client_address="192.0.2.77")
    assert throttle.throttle_attempt(scope="submit", client_address="192.0.2.77").everyone is False
    window = throttle._windows["submit"]
    assert not any("192.0.2.77" in key for key in window.counts)
    first_key = window.key
    clock[0] += 600
    assert throttle.throttle_attempt(scope="submit", client_address="192.0.2.77") is None
    window = throttle._windows["submit"]
    assert window.key != first_key  # the old key is gone with the old counts
    assert len(window.counts) == 1  # this attempt only


def test_ipv6_clients_are_counted_per_slash_64(clock):
    for number in range(throttle.LIMITS["submit"].per_client):
        assert throttle.throttle_attempt(scope="submit", client_address=f"2001:db8:1:2::{number + 1}") is None
        throttle.throttle_spend(scope="submit", client_address=f"2001:db8:1:2::{number + 1}")
    assert throttle.throttle_attempt(scope="submit", client_address="2001:db8:1:2:ffff::9") is not None
    assert throttle.throttle_attempt(scope="submit", client_address="2001:db8:1:3::1") is None


def test_behind_the_tls_proxy_clients_are_told_apart_by_x_forwarded_for(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = Client(HTTP_X_FORWARDED_FOR="192.0.2.30", **proxy)
    for _ in range(throttle.LIMITS["submit"].per_client):
        assert submit_tip(first).status_code == 200
    assert submit_tip(first).status_code == 429
    assert submit_tip(Client(HTTP_X_FORWARDED_FOR="192.0.2.31", **proxy)).status_code == 200


def test_an_empty_receipt_phrase_is_not_spent_like_a_guess():
    tipster = Client(REMOTE_ADDR="192.0.2.90")
    phrase = receipt_phrase(submit_tip(tipster).content.decode())
    for _ in range(throttle.LIMITS["follow_up"].per_client + 1):
        assert tipster.post("/tips/follow-up/", {"phrase": ""}).status_code == 400
    assert tipster.post("/tips/follow-up/", {"phrase": phrase}).status_code == 200

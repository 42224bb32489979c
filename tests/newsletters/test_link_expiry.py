"""Signed links in e-mails expire: preferences after 60 days, unsubscribe (RFC 8058) after a year.

An expired link leads to a page that offers to e-mail a fresh one to the address it was for,
rate-limited per address.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from newsletters import links
from newsletters.models import Subscription
from tests.newsletters.helpers import link_in, make_subscription

pytestmark = pytest.mark.django_db


def test_a_preferences_link_works_for_sixty_days_then_offers_a_fresh_one(
    client, settings, django_capture_on_commit_callbacks
):
    assert timedelta(days=60) == settings.NEWSLETTER_PREFERENCES_LINK_MAX_AGE
    make_subscription("reader@example.com")
    path = "/" + links.preferences_url("reader@example.com").split("://", 1)[1].split("/", 1)[1]

    with time_machine.travel(timezone.now() + timedelta(days=59)):
        assert client.get(path).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=61)):
        page = client.get(path)
        assert page.status_code == 410
        text = page.content.decode()
        assert "This link has expired" in text
        assert "reader@example.com" not in text
        assert client.post(path, {"subscribed": ""}).status_code == 410  # nothing changes through it
        assert Subscription.objects.get().status == Subscription.Status.ACTIVE

        token = path.rstrip("/").rsplit("/", 1)[1]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/newsletters/fresh-link/", {"token": token})
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
        [message] = mail.outbox
        assert message.to == ["reader@example.com"]
        assert "60 days" in message.body
        fresh = link_in(message.body, "/newsletters/preferences/")
        assert fresh != path
        assert client.get(fresh).status_code == 200


def test_the_one_click_unsubscribe_link_keeps_working_for_a_year(settings):
    assert timedelta(days=365) == settings.NEWSLETTER_UNSUBSCRIBE_LINK_MAX_AGE
    make_subscription("reader@example.com")
    path = "/" + links.unsubscribe_url("reader@example.com").split("://", 1)[1].split("/", 1)[1]
    mail_client = Client(enforce_csrf_checks=True)  # mail clients send no cookie and no CSRF token

    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert mail_client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 410
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE

    with time_machine.travel(timezone.now() + timedelta(days=300)):
        assert mail_client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED


def test_fresh_links_are_limited_per_address_with_a_clear_message(client, settings, django_capture_on_commit_callbacks):
    settings.NEWSLETTER_FRESH_LINK_LIMIT = 2
    old = links.address_token("reader@example.com", salt=links.UNSUBSCRIBE_SALT)
    with time_machine.travel(timezone.now() + timedelta(days=400)), django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post("/newsletters/fresh-link/", {"token": old}).status_code == 200
        refused = client.post("/newsletters/fresh-link/", {"token": old})
    assert refused.status_code == 429
    assert "Please try again in" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_a_forged_or_foreign_token_gets_no_fresh_link(client):
    confirm_token = links.address_token("reader@example.com", salt=links.CONFIRM_SALT)
    for token in ["", "nonsense", confirm_token, confirm_token[:-2] + "xx"]:
        assert client.post("/newsletters/fresh-link/", {"token": token}).status_code == 400
    assert client.get("/newsletters/fresh-link/").status_code == 405
    assert mail.outbox == []


@time_machine.travel("2026-11-25 12:00:00+00:00", tick=False)  # a token carries the time it was signed
def test_signed_links_are_the_urls_reverse_makes(settings):
    from django.urls import reverse, set_script_prefix

    address = "reader@example.com"
    token = links.address_token(address, salt=links.PREFERENCES_SALT)
    assert links.preferences_url(address) == settings.SITE_URL + reverse("newsletters:preferences-token", args=[token])
    try:
        set_script_prefix("/portal/")  # e.g. served under a sub-path
        token = links.address_token(address, salt=links.UNSUBSCRIBE_SALT)
        assert links.unsubscribe_url(address) == settings.SITE_URL + reverse("newsletters:unsubscribe", args=[token])
        assert "/portal/newsletters/unsubscribe/" in links.unsubscribe_url(address)
    finally:
        set_script_prefix("/")

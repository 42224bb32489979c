"""The subscription form e-mails whatever address is typed: one client cannot make the portal mail
address after address (each address alone gets at most one confirmation an hour)."""

import pytest

from outbox.models import Email

pytestmark = pytest.mark.django_db


def subscribe(client, address, remote_addr):
    data = {"email": address, "topics": ["newsletter"], "language": "en"}
    return client.post("/newsletters/subscribe/", data, REMOTE_ADDR=remote_addr)


def test_one_client_cannot_mail_address_after_address(anonymous_client, settings, django_capture_on_commit_callbacks):
    settings.NEWSLETTER_SUBSCRIBE_PER_CLIENT_LIMIT = 3
    with django_capture_on_commit_callbacks(execute=True):
        answers = [subscribe(anonymous_client, f"victim{n}@example.com", "203.0.113.7") for n in range(4)]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
    assert "Please try again in" in answers[3].content.decode()
    assert Email.objects.filter(template="newsletters/emails/confirm").count() == 3
    # Another client is not held up.
    assert subscribe(anonymous_client, "neighbour@example.com", "198.51.100.20").status_code == 302


def test_an_ipv6_client_cannot_dodge_the_limit_by_changing_address(anonymous_client, settings):
    settings.NEWSLETTER_SUBSCRIBE_PER_CLIENT_LIMIT = 2
    answers = [subscribe(anonymous_client, f"victim{n}@example.com", f"2001:db8:1:2::{n + 1:x}") for n in range(3)]
    assert [answer.status_code for answer in answers] == [302, 302, 429]

"""Headers that tell mail clients what a message is, and a footer that says where replies go."""

import email
import re
import smtplib

import pytest
import time_machine
from django.core import mail

from outbox import services
from outbox.models import Email
from tests.outbox.test_copies import RawSMTP, ordinary_bytes

pytestmark = pytest.mark.django_db

NEWSLETTER = {"subject": "Spring update", "body_html": "<p>Lock <em>your</em> bike.</p>", "body_text": "Lock it."}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://safety.riverton.example"
    settings.CONTACT_EMAIL = "help@riverton.example"


def welcome(key="welcome:1", to="alice@example.com") -> Email:
    return Email.objects.create(
        to=to,
        template="account/email/email_confirmation_signup",
        context={"activate_url": "https://safety.riverton.example/confirm/abc/"},
        idempotency_key=key,
    )


def newsletter_copy(address: str, headers: dict | None = None) -> Email:
    return Email.objects.create(
        to=address,
        template="newsletters/emails/newsletter",
        context=NEWSLETTER,
        kind=Email.Kind.BULK,
        headers=headers or {},
        idempotency_key=f"copy:{address}",
    )


def sent(email_ids) -> list:
    services.email_deliver_batch(email_ids=email_ids)
    return [message.message() for message in mail.outbox]


def test_a_notification_says_it_was_made_by_a_machine_and_a_newsletter_does_not():
    [notification, newsletter] = sent([welcome().pk, newsletter_copy("bob@example.com").pk])

    assert notification["Auto-Submitted"] == "auto-generated"
    assert newsletter["Auto-Submitted"] is None


def test_the_message_id_is_on_the_sites_domain_and_the_same_on_every_attempt():
    row = welcome()
    first = services.email_render(row).message()["Message-ID"]
    again = services.email_render(Email.objects.get(pk=row.pk)).message()["Message-ID"]
    other = services.email_render(welcome(key="welcome:2")).message()["Message-ID"]

    assert re.fullmatch(r"<[0-9a-f]{32}@safety\.riverton\.example>", first)  # no row id, no host name of the worker
    assert first == again  # a resend after a lost SMTP reply is the same message to the reader's client
    assert other != first


def test_a_preview_of_an_unsaved_message_still_gets_a_message_id_on_the_sites_domain():
    row = Email(to="a@example.com", template="newsletters/emails/newsletter", context=NEWSLETTER, kind=Email.Kind.BULK)

    assert services.email_render(row).message()["Message-ID"].endswith("@safety.riverton.example>")


def test_the_footer_says_replies_are_not_read_and_where_to_write_instead():
    [message] = sent([welcome().pk])
    django_message = mail.outbox[0]
    html = django_message.alternatives[0][0]

    assert "Replies to this e-mail are not read." in django_message.body
    assert "To reach us, write to help@riverton.example or see https://safety.riverton.example/contact/" in (
        django_message.body
    )
    assert 'href="https://safety.riverton.example/contact/"' in html  # the plain-text fallback links it
    assert message["Auto-Submitted"] == "auto-generated"


def test_without_a_contact_address_the_footer_points_at_the_contact_page(settings):
    settings.CONTACT_EMAIL = ""
    row = newsletter_copy("bob@example.com")

    message = services.email_render(row)

    assert "To reach us, see https://safety.riverton.example/contact/" in message.body
    html = message.alternatives[0][0]
    assert 'href="https://safety.riverton.example/contact/"' in html and ">Contact us</a>" in html
    assert "write to" not in message.body and "write to" not in html


def test_copies_made_from_a_prototype_keep_each_rows_own_message_id_and_the_list_id(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr(smtplib, "SMTP", RawSMTP)
    monkeypatch.setattr(RawSMTP, "sent", [])
    batch = [
        newsletter_copy(f"reader{n}@example.com", {"List-Id": "<newsletter.safety.riverton.example>"}) for n in range(4)
    ]

    with time_machine.travel("2026-11-25 12:00:00+00:00", tick=False):
        services.email_deliver_batch(email_ids=[row.pk for row in batch])
        for row, (_to, raw) in zip(batch, RawSMTP.sent, strict=True):
            parsed = email.message_from_bytes(raw)
            assert raw == ordinary_bytes(row, raw)  # byte for byte what Django builds
            assert parsed["Message-ID"] == services.email_render(row).extra_headers["Message-ID"]
            assert parsed["List-Id"] == "<newsletter.safety.riverton.example>"
            assert parsed["Auto-Submitted"] is None
    assert len(RawSMTP.sent) == 4

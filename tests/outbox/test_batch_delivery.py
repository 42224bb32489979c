"""A batch of deliveries: one SMTP connection, and templates shared between copies rendered once."""

import smtplib

import pytest
import time_machine

from newsletters import links
from outbox import services
from outbox.models import Email
from tests.helpers import CommandsAsSendmail

pytestmark = pytest.mark.django_db


class RecordingSMTP(CommandsAsSendmail):
    """Stands in for smtplib.SMTP: counts connections and records what each one sent."""

    connections: list["RecordingSMTP"] = []

    def __init__(self, host, port, **kwargs):
        self.sent: list[str] = []
        RecordingSMTP.connections.append(self)

    def sendmail(self, from_addr, to_addrs, msg):
        self.sent.extend(to_addrs)
        return {}

    def quit(self):
        pass


def newsletter_rows(addresses, *, template="newsletters/emails/newsletter", context=None):
    context = context or {
        "subject": "Spring update",
        "body_html": "<p>Lock <em>your</em> bike.</p>",
        "body_text": "Lock your bike.",
    }
    return [
        Email.objects.create(
            to=address, template=template, context=context, kind=Email.Kind.BULK, idempotency_key=f"batch:{address}"
        )
        for address in addresses
    ]


def test_a_batch_is_sent_over_one_smtp_connection(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    monkeypatch.setattr(RecordingSMTP, "connections", [])
    rows = newsletter_rows([f"resident{n}@example.com" for n in range(5)])

    counts = services.email_deliver_batch(email_ids=[row.pk for row in rows])

    assert counts["sent"] == 5
    [connection] = RecordingSMTP.connections
    assert connection.sent == [row.to for row in rows]


def test_after_a_failed_send_the_next_row_connects_afresh(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    monkeypatch.setattr(RecordingSMTP, "connections", [])
    first = RecordingSMTP.sendmail

    def drop_the_first(self, from_addr, to_addrs, msg):
        if len(RecordingSMTP.connections) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return first(self, from_addr, to_addrs, msg)

    monkeypatch.setattr(RecordingSMTP, "sendmail", drop_the_first)
    rows = newsletter_rows(["a@example.com", "b@example.com"])

    counts = services.email_deliver_batch(email_ids=[row.pk for row in rows])

    assert counts == {"sent": 1, "failed": 0, "retrying": 1, "skipped": 0}
    assert [connection.sent for connection in RecordingSMTP.connections] == [[], ["b@example.com"]]


@pytest.mark.parametrize(
    "template",
    [
        "newsletters/emails/newsletter",  # its own HTML part: rendered once, addresses and links put in
        "account/email/email_confirmation_signup",  # HTML from the text: the same, links put in as they are
    ],
)
@time_machine.travel("2026-11-25 12:00:00+00:00", tick=False)  # the signed links carry a timestamp
def test_copies_rendered_in_a_batch_match_copies_rendered_alone(template):
    # An apostrophe and an ampersand: the HTML part must carry them escaped, the text part as they are.
    rows = newsletter_rows(
        ["o'neil&co@example.com", "resident1@example.com", "resident2@example.com"],
        template=template,
        context={"subject": "Spring update", "body_html": "<p>Hello</p>", "body_text": "Hello",
                 "activate_url": "https://precinct.example/confirm/abc/"},
    )  # fmt: skip
    shared: dict = {}

    for row in rows:
        batched = services.email_render(row, shared=shared)
        alone = services.email_render(row)
        assert batched.subject == alone.subject
        assert batched.body == alone.body
        assert batched.alternatives == alone.alternatives
        assert batched.extra_headers == alone.extra_headers
        assert links.preferences_url(row.to) in batched.body  # each copy its own signed link
    [(_key, parts)] = shared.items()
    # Both render once: the HTML made from the text links only the context's own URLs, placeholders
    # included, so it no longer transforms a value (as |urlize did) in a way a copy would not repeat.
    assert parts is not None

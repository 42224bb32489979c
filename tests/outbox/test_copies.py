"""A batch's copies of one message, made from a prototype: byte for byte what Django would build."""

import email
import smtplib

import pytest
import time_machine
from django.core.mail import EmailMessage

from outbox import copies, services
from outbox.models import Email
from tests.helpers import CommandsAsSendmail

pytestmark = pytest.mark.django_db

NEWSLETTER = {"subject": "Spring update", "body_html": "<p>Lock <em>your</em> bike.</p>", "body_text": "Lock it."}


class RawSMTP(CommandsAsSendmail):
    """Stands in for smtplib.SMTP and keeps every message as the bytes it was given."""

    sent: list[tuple[str, bytes]] = []

    def __init__(self, host, port, **kwargs):
        pass

    def sendmail(self, from_addr, to_addrs, msg):
        RawSMTP.sent.append((to_addrs[0], msg))
        return {}

    def quit(self):
        pass


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel("2026-11-25 12:00:00+00:00", tick=False):  # the signed links carry a timestamp
        yield


@pytest.fixture
def smtp(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr(smtplib, "SMTP", RawSMTP)
    monkeypatch.setattr(RawSMTP, "sent", [])
    return RawSMTP


def rows(addresses, *, template="newsletters/emails/newsletter", context=NEWSLETTER):
    return [
        Email.objects.create(
            to=address, template=template, context=context, kind=Email.Kind.BULK, idempotency_key=f"copy:{address}"
        )
        for address in addresses
    ]


def ordinary_bytes(row: Email, sent: bytes) -> bytes:
    """The message Django builds for ``row``, with the date, Message-ID and boundary of ``sent``."""
    parsed = email.message_from_bytes(sent)
    message = services.email_render(row)
    message.extra_headers = {"Date": parsed["Date"], "Message-ID": parsed["Message-ID"], **message.extra_headers}
    mime = message.message()
    mime.set_boundary(parsed.get_boundary())
    return mime.as_bytes(linesep="\r\n")


def test_copies_from_the_prototype_are_the_messages_django_builds_and_skip_building_them(smtp, monkeypatch):
    batch = rows([f"resident{n}@example.com" for n in range(5)])
    builds = []
    real_message = EmailMessage.message
    monkeypatch.setattr(EmailMessage, "message", lambda self: builds.append(self.to) or real_message(self))

    assert services.email_deliver_batch(email_ids=[row.pk for row in batch])["sent"] == 5

    # The first copy the ordinary way, then the prototype and its check; the other three from bytes.
    assert builds == [["resident0@example.com"], [builds[1][0]], ["resident1@example.com"]]
    assert [to for to, _raw in smtp.sent] == [row.to for row in batch]
    for row, (_to, raw) in zip(batch, smtp.sent, strict=True):
        assert raw == ordinary_bytes(row, raw)
    assert len({email.message_from_bytes(raw)["Message-ID"] for _to, raw in smtp.sent}) == 5


def test_an_address_that_needs_encoding_is_built_the_ordinary_way(smtp):
    batch = rows(["a@example.com", "b@example.com", "Zoë <zoe@example.com>", "c@example.com"])

    services.email_deliver_batch(email_ids=[row.pk for row in batch])

    for row, (_to, raw) in zip(batch, smtp.sent, strict=True):
        assert raw == ordinary_bytes(row, raw)
    assert b"=?utf-8?" in smtp.sent[2][1]  # the display name, encoded as Django encodes it


def test_a_template_that_transforms_the_values_gets_no_prototype(smtp):
    # Its HTML part is the text run through |urlize: the links are rewritten, so no placeholders survive as such.
    batch = rows(
        ["a@example.com", "b@example.com", "c@example.com"],
        template="account/email/email_confirmation_signup",
        context={"activate_url": "https://precinct.example/confirm/abc/"},
    )

    services.email_deliver_batch(email_ids=[row.pk for row in batch])

    for row, (_to, raw) in zip(batch, smtp.sent, strict=True):
        assert raw == ordinary_bytes(row, raw)


def prototype_of(row):
    """A prototype of ``row``'s message with its two links left open, and the build it is made with."""

    def build(personal):
        return services.email_render(row, personal=personal)

    return copies.Prototype(build, names=["preferences_url", "unsubscribe_url"]), build


def test_a_copy_with_an_over_long_line_or_odd_value_is_refused(settings):
    [row] = rows(["a@example.com"])
    values = services.personal_values(row)
    prototype, _build = prototype_of(row)
    assert prototype.copy(values) is not None
    assert prototype.copy({**values, "preferences_url": values["preferences_url"] + "x" * 1000}) is None
    assert prototype.copy({**values, "preferences_url": "https://precinct.example/ä/"}) is None
    assert prototype.copy({**values, "recipient": "Zoë <zoe@example.com>"}) is None


def test_percent_signs_in_the_message_and_in_a_copys_values_come_through_as_they_are(settings):
    # A copy's values are put in by %-formatting: a "%" of the message's own or in a link must not be read as one.
    [row] = rows(["a@example.com"], context={**NEWSLETTER, "body_html": "<p>Down 12%, 100%(sure)s.</p>"})
    values = services.personal_values(row)
    prototype, build = prototype_of(row)
    odd = {**values, "preferences_url": values["preferences_url"] + "?next=%2F%(recipient)s%s"}
    raw = prototype.verified_copy(build, odd)

    assert prototype.verified is True
    assert b"Down 12%, 100%(sure)s." in raw
    assert b"?next=%2F%(recipient)s%s" in raw


def test_a_copy_whose_own_line_grows_past_the_limit_is_refused_and_one_that_fits_is_not(settings):
    [row] = rows(["a@example.com"])
    values = services.personal_values(row)
    prototype, _build = prototype_of(row)
    outcomes = set()
    for length in range(0, 1000, 7):
        longer = {**values, "preferences_url": values["preferences_url"] + "x" * length}
        body = prototype.body
        for name, value in longer.items():
            body = body.replace(prototype.placeholders[name].encode(), value.encode())
        # The rule it keeps: no line of the filled body over RFC 5322's 998 characters.
        fits = max(map(len, body.split(b"\r\n"))) <= 998
        assert (prototype.copy(longer) is not None) == fits, length
        outcomes.add(fits)
    assert outcomes == {True, False}


def test_a_later_batch_makes_every_copy_from_the_checked_prototype(smtp, monkeypatch):
    first = rows([f"first{n}@example.com" for n in range(3)])
    later = rows([f"later{n}@example.com" for n in range(3)])
    services.email_deliver_batch(email_ids=[row.pk for row in first])
    builds = []
    real_message = EmailMessage.message
    monkeypatch.setattr(EmailMessage, "message", lambda self: builds.append(self.to) or real_message(self))

    assert services.email_deliver_batch(email_ids=[row.pk for row in later])["sent"] == 3

    assert builds == []  # the worker checked this message's prototype in the first batch
    for row, (_to, raw) in zip(later, smtp.sent[3:], strict=True):
        assert raw == ordinary_bytes(row, raw)


def test_a_prototype_is_not_kept_past_a_change_of_settings(smtp, settings):
    services.email_deliver_batch(email_ids=[row.pk for row in rows(["a@example.com", "b@example.com"])])
    settings.SITE_URL = "https://elsewhere.example"
    later = rows(["c@example.com", "d@example.com"])

    services.email_deliver_batch(email_ids=[row.pk for row in later])

    for row, (_to, raw) in zip(later, smtp.sent[2:], strict=True):
        assert b"https://elsewhere.example/" in raw
        assert raw == ordinary_bytes(row, raw)


@pytest.mark.parametrize(
    "value",
    [
        "resident000123@bench.example",
        "Wed, 02 Dec 2026 00:33:48 -0000",
        "<https://safety.riverton.example/newsletters/unsubscribe/" + "a" * 120 + ":1tQ:x/>",
        *["x" * length for length in range(55, 65)],  # around the fold width, for a long header name
        *["word " * 10 + "y" * length for length in range(5, 40, 3)],  # words that must be folded
        "two  spaces",
        " leading space",
        "Zoë <zoe@example.com>",
    ],
)
def test_a_copys_own_headers_are_folded_as_the_standard_library_folds_them(value, settings):
    [row] = rows(["a@example.com"])
    prototype = copies.Prototype(lambda personal: services.email_render(row, personal=personal), names=[])

    for name in ("To", "List-Unsubscribe", "Message-ID"):
        assert prototype._fold(name, value) == prototype.policy.fold_binary(name, value)

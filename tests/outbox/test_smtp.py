"""outbox.smtp.sendmail says to an SMTP server what smtplib's sendmail says, and fails the same way."""

import random
import smtplib
import string

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from outbox import smtp
from tests.helpers import free_port

MESSAGE = b"Subject: Hello\r\nTo: reader@example.com\r\n\r\nLine one\r\n.A line that starts with a dot\r\n"


class Recorder:
    """Keeps what it was sent, and refuses the recipients and senders it is told to."""

    def __init__(self):
        self.envelopes: list[tuple[str, list[str], bytes, list[str]]] = []
        self.refuse_recipient: str | None = None
        self.refuse_sender: str | None = None

    async def handle_MAIL(self, server, session, envelope: Envelope, address, options):
        if address == self.refuse_sender:
            return "550 Sender refused"
        envelope.mail_from, envelope.mail_options = address, options
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope: Envelope, address, options):
        if address == self.refuse_recipient:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        self.envelopes.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content, envelope.mail_options))
        return "250 Accepted"


@pytest.fixture
def server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def test_a_message_arrives_as_smtplib_sends_it(server):
    recorder, port = server
    with smtplib.SMTP("127.0.0.1", port) as connection:
        connection.sendmail("Precinct <noreply@precinct.example>", ["reader@example.com"], MESSAGE)
        smtp.sendmail(connection, "Precinct <noreply@precinct.example>", "reader@example.com", MESSAGE)
        smtp.sendmail(connection, "Precinct <noreply@precinct.example>", "Zoë Q <zoe.q@example.com>", MESSAGE)

    by_smtplib, ours, named = recorder.envelopes
    assert ours == by_smtplib
    assert ours[0] == "noreply@precinct.example"
    assert ours[2] == MESSAGE  # dot-stuffed on the way, unstuffed at the server
    assert any(option.lower().startswith("size=") for option in ours[3])  # the server offers SIZE
    assert named[1] == ["zoe.q@example.com"]


def test_a_refused_recipient_or_sender_raises_what_smtplib_raises_and_the_connection_goes_on(server):
    recorder, port = server
    recorder.refuse_recipient, recorder.refuse_sender = "gone@example.com", "blocked@precinct.example"
    with smtplib.SMTP("127.0.0.1", port) as connection:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.sendmail(connection, "noreply@precinct.example", "gone@example.com", MESSAGE)
        assert refused.value.recipients == {"gone@example.com": (550, b"No such user")}
        with pytest.raises(smtplib.SMTPSenderRefused) as sender_refused:
            smtp.sendmail(connection, "blocked@precinct.example", "reader@example.com", MESSAGE)
        assert (sender_refused.value.smtp_code, sender_refused.value.sender) == (550, "blocked@precinct.example")
        smtp.sendmail(connection, "noreply@precinct.example", "reader@example.com", MESSAGE)

    assert [envelope[1] for envelope in recorder.envelopes] == [["reader@example.com"]]


def test_addresses_are_quoted_as_smtplib_quotes_them():
    generator = random.Random(19)
    alphabet = string.ascii_letters + string.digits + "._%+-@<>\"' ,;:()[]\\é"
    addresses = [
        "reader@example.com",
        "First.Last+tag@sub.example.org",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-example.com",
        "a@example..com",
        "a@b",
        "@example.com",
        "a@",
        "Name <a@example.com>",
        '"quoted local"@example.com',
        "a@[127.0.0.1]",
        "",
        *("".join(generator.choice(alphabet) for _ in range(generator.randrange(1, 30))) for _ in range(3000)),
        *(
            f"{generator.choice(['a', 'a.b', 'a_b', 'a%b', 'a+b', 'a-b', 'A9'])}@"
            f"{generator.choice(['example.com', 'ex-ample.co.uk', 'x', '1.2'])}"
            for _ in range(200)
        ),
    ]
    for address in addresses:
        assert smtp.quoted(address) == smtplib.quoteaddr(address), address

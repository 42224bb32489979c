"""The development mailbox: in a local run (DEBUG) sent e-mails are written as .eml files under
``DEV_MAILBOX_DIR`` (var/mail/), the newest ``DEV_MAILBOX_KEEP`` kept, and shown at /dev/emails/.

The console gets one short line per message (recipient, subject, where to read it) instead of the
whole message: verification and reset links stay out of the logs, and the e-mails are not buried
among the worker's log lines. The outbox still keeps no content; only this mailbox, in development,
holds the rendered messages."""

import logging
import os
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

# A message's id is its file name without ".eml": the UTC time it was sent (to the microsecond, so
# names sort by time) and a random suffix. Nothing else is ever opened.
MESSAGE_ID = re.compile(r"[0-9]{8}T[0-9]{12}Z-[0-9a-f]{8}")
TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"


def mailbox_dir() -> Path:
    return Path(settings.DEV_MAILBOX_DIR)


@dataclass(frozen=True)
class MailboxEntry:
    id: str
    sent_at: datetime
    to: str
    subject: str


@dataclass(frozen=True)
class MailboxMessage(MailboxEntry):
    from_address: str = ""
    text: str | None = None
    html: str | None = None
    attachments: list[str] = field(default_factory=list)


class DevMailboxBackend(BaseEmailBackend):
    """Writes each message to the development mailbox and logs one line saying where to read it."""

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                message_id = save_message(message.message().as_bytes(linesep="\n"))
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            recipients = message.recipients()
            to = recipients[0] + (f" and {len(recipients) - 1} more" if len(recipients) > 1 else "")
            logger.info("E-mail to %s %r: open %s/dev/emails/%s/", to, message.subject, settings.SITE_URL, message_id)
            sent += 1
        if sent:
            trim_mailbox()
        return sent


def save_message(raw: bytes) -> str:
    """Write one message to the mailbox, whole or not at all; return its id."""
    directory = mailbox_dir()
    # Only the developer's account reads it: the messages hold live sign-in and reset links.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    message_id = f"{datetime.now(UTC).strftime(TIME_FORMAT)}-{uuid.uuid4().hex[:8]}"
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        os.replace(temporary, directory / f"{message_id}.eml")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return message_id


def _message_ids() -> list[str]:
    """Ids in the mailbox, newest first."""
    try:
        names = [path.stem for path in mailbox_dir().glob("*.eml")]
    except OSError:
        return []
    return sorted((name for name in names if MESSAGE_ID.fullmatch(name)), reverse=True)


def trim_mailbox() -> None:
    """Keep the newest DEV_MAILBOX_KEEP messages; the web server and the worker may trim at once."""
    for message_id in _message_ids()[settings.DEV_MAILBOX_KEEP :]:
        (mailbox_dir() / f"{message_id}.eml").unlink(missing_ok=True)


def _sent_at(message_id: str) -> datetime:
    return datetime.strptime(message_id.split("-")[0], TIME_FORMAT).replace(tzinfo=UTC)


def _parse(message_id: str, *, headers_only: bool) -> EmailMessage | None:
    if not MESSAGE_ID.fullmatch(message_id):
        return None
    try:
        with (mailbox_dir() / f"{message_id}.eml").open("rb") as source:
            return BytesParser(policy=policy.default).parse(source, headersonly=headers_only)
    except FileNotFoundError:
        return None


def list_messages() -> list[MailboxEntry]:
    """The mailbox's messages, newest first (headers only)."""
    entries = []
    for message_id in _message_ids():
        message = _parse(message_id, headers_only=True)
        if message is not None:  # trimmed since it was listed
            entries.append(
                MailboxEntry(
                    id=message_id,
                    sent_at=_sent_at(message_id),
                    to=str(message.get("To", "")),
                    subject=str(message.get("Subject", "")),
                )
            )
    return entries


def read_message(message_id: str) -> MailboxMessage | None:
    """One message with its text and HTML parts, or None if the id is malformed or not in the mailbox."""
    message = _parse(message_id, headers_only=False)
    if message is None:
        return None
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return MailboxMessage(
        id=message_id,
        sent_at=_sent_at(message_id),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        from_address=str(message.get("From", "")),
        text=text.get_content() if text is not None else None,
        html=html.get_content() if html is not None else None,
        attachments=[part.get_filename() or "" for part in message.iter_attachments()],
    )

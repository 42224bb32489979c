"""The one way Precinct sends e-mail: queue a row now, deliver it from a worker later."""

import base64
import collections
import contextlib
import hashlib
import json
import logging
import smtplib
import threading
import time
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import SafeMIMEMultipart, sanitize_address
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import Case, F, Q, Value, When
from django.dispatch import receiver
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from outbox import copies, sealing, smtp
from outbox import headers as mail_headers
from outbox.models import Email

logger = logging.getLogger(__name__)

# Back-off after the n-th failed attempt (the last value repeats).
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]
# Rows per delivery task. Urgent (named) queues take small batches, spread over more processes, so a
# dead worker holds few alerts; the default queue takes bigger ones, as each task, claim, suppression
# check and SMTP connection costs as much as a few messages: a fan-out's cost is mostly per message.
BATCH_SIZE = 50
BULK_BATCH_SIZE = 200


def batch_size(queue: str | None) -> int:
    """Rows per delivery task on ``queue`` (None or "": the default queue)."""
    return BATCH_SIZE if queue else BULK_BATCH_SIZE


def claim_lease() -> timedelta:
    """How long a claim holds without being renewed: a worker renews it every third of this while it
    sends (``_LeaseKeeper``); the rows of a worker that died go back to the queue once it runs out."""
    return timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)


def sweep_grace(queue: str) -> timedelta:
    """How long a queued row waits for its task before the sweep enqueues it again: for a named
    (urgent) queue no longer than a lease, so an alert held by a dead worker is not late by a minute."""
    seconds = settings.OUTBOX_URGENT_SWEEP_GRACE_SECONDS if queue else settings.OUTBOX_SWEEP_GRACE_SECONDS
    return timedelta(seconds=seconds)


def email_queue(
    *,
    to: str,
    template: str,
    context: dict,
    idempotency_key: str,
    language: str | None = None,
    kind: str = Email.Kind.TRANSACTIONAL,
    headers: dict | None = None,
    attachments: list[dict] | None = None,
    queue: str | None = None,
    forget_recipient: bool = False,
) -> Email:
    """Write an e-mail row in the caller's transaction and deliver it once that commits.

    ``context`` must be JSON-serialisable: the worker renders it later, maybe elsewhere. It and
    ``attachments`` are stored sealed (``outbox.sealing``) and erased once the row is done with, so
    they may carry links that grant access; never put such a link in ``headers`` or the key.
    Queueing an ``idempotency_key`` that exists already returns the existing row and sends nothing.
    ``queue`` names the Celery queue for delivery (default: the default queue; "high" for safety alerts).
    ``forget_recipient``: the address is erased from the row once it is sent, failed or withdrawn.
    """
    email, created = Email.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "to": to,
            "template": template,
            "sealed": Email.seal(context=context, attachments=attachments),
            "language": language or settings.LANGUAGE_CODE,
            "kind": kind,
            "headers": headers or {},
            "next_attempt_at": timezone.now() + sweep_grace(queue or ""),
            "forget_recipient": forget_recipient,
            "queue": queue or "",
        },
    )
    if created:
        transaction.on_commit(lambda: enqueue_delivery([email.pk], queue=queue))
    return email


def email_queue_many(*, messages: list[dict], queue: str | None = None) -> dict[str, int]:
    """Queue many e-mails at once (same keys as ``email_queue``) in the caller's transaction.

    For fan-outs: one statement for the whole list (two when some keys exist already: those rows
    are left alone and not sent again). Returns {idempotency_key: e-mail id} for every
    message; the new rows are delivered in batches (on ``queue`` if given) once the transaction commits.
    """
    keys = [message["idempotency_key"] for message in messages]
    # A concurrent run may have queued some of these meanwhile: its rows win, nothing fails.
    inserted = _insert_new_rows(messages, next_attempt_at=timezone.now() + sweep_grace(queue or ""), queue=queue or "")
    ids = dict(inserted)
    missing = [key for key in keys if key not in ids]
    if missing:  # queued before: left alone and not sent again
        ids.update(Email.objects.filter(idempotency_key__in=missing).values_list("idempotency_key", "pk"))
    new_ids = sorted(pk for _key, pk in inserted)
    if new_ids:
        size = batch_size(queue)
        transaction.on_commit(
            lambda: [
                enqueue_delivery(new_ids[start : start + size], queue=queue) for start in range(0, len(new_ids), size)
            ]
        )
    return ids


# Columns that differ between the messages of one ``email_queue_many`` call; the others are the same for all.
_PER_MESSAGE = ("to", "template", "sealed", "language", "kind", "headers", "idempotency_key")


def _insert_new_rows(messages: list[dict], *, next_attempt_at, queue: str) -> list[tuple[str, int]]:
    """Insert the rows of ``messages`` whose key is new, in one statement; returns their (key, id).

    A fan-out writes 100,000 rows: building a model instance per row and preparing each of its
    fields through the ORM cost more CPU than the rest of queueing. Here each column goes to
    PostgreSQL as one array (``unnest``), and the columns every row shares (this call's queue and
    next attempt, the model's defaults for the rest) as one value each, from the model's fields.
    Copies given the same context and attachments objects (a newsletter's) share one sealed
    token: sealed once here, sent once, opened once per batch by the worker.
    """
    tokens: dict[tuple[int, int], int] = {}  # ``messages`` keeps the objects alive: their ids stay theirs
    sealed: list[str] = []
    per_message: dict[str, list] = {name: [] for name in _PER_MESSAGE}
    for message in messages:
        objects = (id(message["context"]), id(message.get("attachments")))
        if objects not in tokens:
            tokens[objects] = len(sealed) + 1  # PostgreSQL's arrays count from 1
            sealed.append(Email.seal(context=message["context"], attachments=message.get("attachments")))
        per_message["sealed"].append(tokens[objects])
        per_message["to"].append(message["to"])
        per_message["template"].append(message["template"])
        per_message["language"].append(message.get("language") or settings.LANGUAGE_CODE)
        per_message["kind"].append(message.get("kind", Email.Kind.TRANSACTIONAL))
        per_message["headers"].append(json.dumps(message.get("headers") or {}))
        per_message["idempotency_key"].append(message["idempotency_key"])
    if not bulk_sql_supported():
        return _insert_new_rows_portable(per_message, sealed, next_attempt_at=next_attempt_at, queue=queue)
    shared = Email(next_attempt_at=next_attempt_at, queue=queue)
    columns, selected, shared_params, arrays, array_names, array_params = [], [], [], [], [], []
    for field in Email._meta.concrete_fields:
        if field.primary_key:
            continue
        column = db_connection.ops.quote_name(field.column)
        columns.append(column)
        if field.name not in _PER_MESSAGE:
            selected.append(f"%s::{field.db_type(db_connection)}")
            shared_params.append(field.get_db_prep_save(field.pre_save(shared, add=True), db_connection))
            continue
        if field.name == "sealed":
            selected.append(f"(%s::text[])[m.{column}]")
            shared_params.append(sealed)
            arrays.append("%s::int[]")
        else:
            selected.append(f"m.{column}::{field.db_type(db_connection)}")
            arrays.append("%s::text[]")
        array_names.append(column)
        array_params.append(per_message[field.name])
    with db_connection.cursor() as cursor:
        cursor.execute(
            # Only the model's own table and column names are put in the text; every value is a parameter.
            f"INSERT INTO {Email._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(selected)}"  # noqa: S608  # nosec B608
            f" FROM unnest({', '.join(arrays)}) AS m({', '.join(array_names)})"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id",
            [*shared_params, *array_params],
        )
        return cursor.fetchall()


def bulk_sql_supported() -> bool:
    """Whether the database takes the one-statement inserts of a fan-out (PostgreSQL's ``unnest``);
    the embedded SQLite of ``bin/run`` goes through the ORM instead."""
    return db_connection.vendor == "postgresql"


def _insert_new_rows_portable(per_message: dict[str, list], sealed: list[str], *, next_attempt_at, queue: str):
    """``_insert_new_rows`` through the ORM, for the embedded SQLite of ``bin/run`` (no ``unnest``;
    its writers take turns, so the keys found new stay new until the insert)."""
    keys = per_message["idempotency_key"]
    existing = set(Email.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    rows = [
        Email(
            to=per_message["to"][index],
            template=per_message["template"][index],
            sealed=sealed[per_message["sealed"][index] - 1],
            language=per_message["language"][index],
            kind=per_message["kind"][index],
            headers=json.loads(per_message["headers"][index]),
            idempotency_key=key,
            next_attempt_at=next_attempt_at,
            queue=queue,
        )
        for index, key in enumerate(keys)
        if key not in existing
    ]
    Email.objects.bulk_create(rows, batch_size=500)
    new_keys = [row.idempotency_key for row in rows]
    return list(Email.objects.filter(idempotency_key__in=new_keys).values_list("idempotency_key", "pk"))


def enqueue_delivery(email_ids: list[int], *, queue: str | None = None) -> bool:
    """Hand rows to the worker (on ``queue`` if given).

    Never raises: if the broker is down, the sweep sends them later.
    """
    from outbox.tasks import deliver_emails

    try:
        deliver_emails.apply_async((list(email_ids),), retry=False, **({"queue": queue} if queue else {}))
    except Exception as exc:  # kombu and redis raise several types; all mean "broker unavailable".
        logger.warning("Broker unavailable, %d e-mail(s) wait for the outbox sweep: %s", len(email_ids), exc)
        return False
    return True


def email_render(email: Email, *, shared: dict | None = None, personal: dict[str, str] | None = None):
    """Build the message (plain text, HTML, headers, attachments) in the recipient's language.

    ``shared``, a dict the caller keeps for one batch, lets rows with the same template, language,
    kind and context (a newsletter's copies) render the templates once: each copy then only gets
    its own address and signed links substituted in. ``personal`` stands in for those values
    (``personal_values``): the outbox builds its prototypes with placeholders there.
    """
    personal = personal or personal_values(email)
    # Message-ID first: where Django puts the one it makes itself.
    headers = {"Message-ID": mail_headers.message_id(email), **email.headers}
    if email.kind == Email.Kind.TRANSACTIONAL:
        # RFC 3834: made by the portal, not written by a person; out-of-office replies stay away.
        headers["Auto-Submitted"] = "auto-generated"
    if "unsubscribe_url" in personal:
        # RFC 8058 one-click unsubscribe: mail clients POST to the URL without a session.
        headers["List-Unsubscribe"] = f"<{personal['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    parts = _render_from_shared(email, personal, shared) if shared is not None else None
    subject, text, html = parts or _render_parts(email, personal)
    inline, files = [], []
    for attachment in email.attachments:
        content = attachment["content"]
        if attachment.get("encoding") == "base64":  # binary content, kept as text in the sealed JSON
            content = base64.b64decode(content)
        if attachment.get("content_id"):
            inline.append(_inline_part(attachment, content))
        else:
            files.append((attachment["filename"], content, attachment.get("mimetype")))
    message = MessageWithInlineImages(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[personal["recipient"]],
        headers=headers,
        inline_images=inline,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in files:
        message.attach(filename, content, mimetype)
    return message


class MessageWithInlineImages(EmailMultiAlternatives):
    """An e-mail whose HTML shows images it carries (``cid:`` links): text and HTML go in a
    multipart/related part with the images (RFC 2387), and files such as an .ics stay attachments
    beside it. The images are not in ``attachments``: a reader's mail program shows them in place."""

    def __init__(self, *args, inline_images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(msg)
        for part in self.inline_images:
            related.attach(part)
        return related


def _inline_part(attachment: dict, content: bytes) -> MIMEBase:
    """An image the HTML part refers to as ``cid:<content_id>``, shown in place rather than listed."""
    maintype, subtype = attachment["mimetype"].split("/", 1)
    part = MIMEBase(maintype, subtype)
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-ID", f"<{attachment['content_id']}>")
    part.add_header("Content-Disposition", "inline", filename=attachment["filename"])
    return part


def personal_values(email: Email) -> dict[str, str]:
    """The values that differ from one recipient to the next; everything else comes from the row's context."""
    from newsletters import links

    # Signed links per recipient: they work from any message without logging in.
    return {"recipient": email.to, **links.links_in_every_email(email.to, unsubscribe=email.kind == Email.Kind.BULK)}


def _render_parts(email: Email, personal: dict[str, str]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``email`` rendered with the per-recipient values ``personal``."""
    with translation.override(email.language):
        context = {
            **email.context,
            **personal,
            "site_url": settings.SITE_URL,
            "site_name": settings.SITE_NAME,
            "emergency_number": settings.EMERGENCY_NUMBER,
            # Replies are not read: the footer says where people reach someone instead.
            "contact_url": settings.SITE_URL + reverse("contact"),
            "contact_email": settings.CONTACT_EMAIL,
            "LANGUAGE_CODE": email.language,
            # allauth's own message templates (the fallback below) expect current_site.
            "current_site": {"name": settings.SITE_NAME, "domain": settings.SITE_URL.split("://", 1)[1]},
        }
        subject = " ".join(render_to_string(f"{email.template}_subject.txt", context).split())
        text = select_template([f"{email.template}.txt", f"{email.template}_message.txt"]).render(context)
        # Each e-mail has its HTML template, built from the components (outbox/email_build.py;
        # tests/outbox/test_email_templates.py requires one); a new e-mail from another app reads
        # as its text in HTML until it gets one. The subject is the HTML document's title (its own name:
        # some e-mails have a "subject" of their own, what a resident or officer wrote).
        try:
            html = render_to_string(f"{email.template}.html", {**context, "email_subject": subject})
        except TemplateDoesNotExist:
            html = render_to_string("emails/from_text.html", {**context, "email_subject": subject, "text": text})
    return subject, text, html


def _placeholder(name: str) -> str:
    # NUL never occurs in a rendered template, and "&" shows whether the value was HTML-escaped where used.
    return f"\x00{name}&\x00"


def _substitute(parts: tuple[str, ...], personal: dict[str, str]) -> tuple[str, ...]:
    result = []
    for part in parts:
        for name, value in personal.items():
            placeholder = _placeholder(name)
            part = part.replace(escape(placeholder), escape(value)).replace(placeholder, value)
        result.append(part)
    return tuple(result)


def _shared_key(email: Email) -> tuple:
    """Rows with equal keys are copies of one message but for the recipient's own values."""
    return (email.template, email.language, email.kind, json.dumps([email.context, email.headers], sort_keys=True))


def _render_from_shared(email: Email, personal: dict[str, str], shared: dict) -> tuple[str, ...] | None:
    """The parts rendered once per batch with placeholders, the recipient's values put in; None if unusable.

    The first row of each kind is also rendered in full and compared: a template that transforms
    the values (``|urlize`` in the plain-text fallback, ``|upper`` …) is then rendered in full for every row.
    """
    key = _shared_key(email)
    if key in shared:
        return _substitute(shared[key], personal) if shared[key] is not None else None
    template_parts = _render_parts(email, {name: _placeholder(name) for name in personal})
    full = _render_parts(email, personal)
    shared[key] = template_parts if _substitute(template_parts, personal) == full else None
    return full


def email_deliver_batch(*, email_ids: list[int]) -> dict[str, int]:
    """Send each queued row in ``email_ids`` over one SMTP connection. Returns counts.

    The batch's rows are claimed in one transaction (``SELECT … FOR UPDATE SKIP LOCKED``, then
    marked sending with a lease), so two workers (or a retried task) never send the same row twice.
    Each row is then marked sent in its own statement right after the SMTP server accepts it:
    a worker that dies mid-batch resends at most the one message it was sending.
    """
    from newsletters.selectors import undeliverable_addresses

    claimed = _claim(email_ids)
    counts = {"sent": 0, "failed": 0, "retrying": 0, "skipped": len(set(email_ids)) - len(claimed)}
    if not claimed:
        return counts
    # One query for the batch: suppressed addresses, and bulk mail to people who unsubscribed since.
    blocked = undeliverable_addresses((email.to, email.kind) for email in claimed)
    connection = get_connection(fail_silently=False)
    shared: dict = {"opened": {}}  # templates rendered (and sealed tokens opened) once for rows that share them
    pending = collections.deque(claimed)
    # The lease is renewed from a thread of its own while the batch is sent: a slow SMTP answer
    # cannot let it run out under a live worker, and a dead worker's rows are free within a lease.
    # One cursor for the batch's marks: opening one per message cost a third of marking it sent.
    with _LeaseKeeper([email.pk for email in claimed]), db_connection.cursor() as marks:
        try:
            while pending:
                counts[_deliver_one(pending[0], connection, blocked, shared, marks)] += 1
                pending.popleft()
        finally:
            # The messages are sent or recorded by now; a failed QUIT changes nothing.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
            if pending:  # an error or the task's time limit stopped the batch: the rest are not sent yet
                Email.objects.filter(pk__in=[email.pk for email in pending], status=Email.Status.SENDING).update(
                    status=Email.Status.QUEUED, next_attempt_at=timezone.now()
                )
    return counts


def _claim(email_ids: list[int]) -> list[Email]:
    """Take the rows of ``email_ids`` that are queued and not being sent by another worker."""
    with transaction.atomic():
        emails = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(pk__in=email_ids, status=Email.Status.QUEUED)
            .order_by("pk")
        )
        Email.objects.filter(pk__in=[email.pk for email in emails]).update(
            status=Email.Status.SENDING, next_attempt_at=timezone.now() + claim_lease()
        )
    return emails


class _LeaseKeeper:
    """While in use, renews the claim on ``email_ids`` every third of a lease, from a thread with its
    own database connection. Rows no longer sending (sent, failed, given back) are left alone, and a
    row locked at that moment is skipped rather than waited for (it is being marked done)."""

    def __init__(self, email_ids: list[int]):
        self.email_ids = email_ids
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(timeout=claim_lease().total_seconds())

    def _run(self) -> None:
        lease = claim_lease()
        try:
            while not self.stopped.wait(lease.total_seconds() / 3):
                try:
                    with transaction.atomic():
                        held = list(
                            Email.objects.select_for_update(skip_locked=True)
                            .filter(pk__in=self.email_ids, status=Email.Status.SENDING)
                            .values_list("pk", flat=True)
                        )
                        Email.objects.filter(pk__in=held).update(next_attempt_at=timezone.now() + lease)
                except DatabaseError as exc:  # the next tick tries again; a lease is three ticks long
                    logger.warning("Could not renew the claim on %d e-mail(s): %s", len(self.email_ids), exc)
        finally:
            db_connection.close()


def _deliver_one(email: Email, connection, blocked: dict[tuple[str, str], str], shared: dict, marks) -> str:
    reason = blocked.get((email.to, email.kind))
    if reason:
        return _mark_failed(email, reason)
    attempts = email.attempts + 1
    try:
        email.open_sealed(shared["opened"])
    except sealing.Unreadable as exc:
        # Often this worker's keys, not the row: during a rolling restart after a key rotation an
        # old worker meets rows the new web processes sealed. Another attempt, maybe by another
        # worker, opens it; only a row no key has opened after every attempt is lost.
        return _retry_later(email, str(exc), attempts=attempts)
    try:
        raw = _copy_from_prototype(email, connection, shared)
        message = None if raw else email_render(email, shared=shared)
    except SoftTimeLimitExceeded:  # the batch is out of time, not this row wrong: it goes back
        raise
    except Exception as exc:  # A template or context bug will not mend itself: fail the row now.
        # Only the error's type: its message might quote a value of the context, a link say.
        return _mark_failed(email, f"Rendering failed: {type(exc).__name__}", attempts=attempts)
    try:
        # Opens the batch's connection for its first message and is a no-op after that; without
        # it the backend would connect, greet and quit for every single message.
        connection.open()
        if raw:
            smtp.sendmail(connection.connection, _sender(shared), email.to, raw)
        else:
            message.connection = connection
            message.send()
    except (smtplib.SMTPException, OSError) as exc:
        # A connection that failed is not trusted with the next row: that one connects afresh.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
        return _retry_later(email, repr(exc), attempts=attempts)
    _mark_sent(marks, email, attempts=attempts)
    return "sent"


def _retry_later(email: Email, error: str, *, attempts: int) -> str:
    """Back in the queue after a delay that grows with each attempt; failed for good after the last."""
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return _mark_failed(email, error, attempts=attempts)
    _claimed(email).update(
        status=Email.Status.QUEUED,
        attempts=attempts,
        last_error=error,
        next_attempt_at=timezone.now() + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1],
    )
    logger.warning("E-mail %s failed (attempt %s), will retry: %s", email.pk, attempts, error)
    return "retrying"


# Prototypes checked against Django's build, kept by the worker process for the batches that follow
# (a newsletter's 100,000 copies come in 2,000 batches), or False where the message allows none.
_prototypes: collections.OrderedDict[tuple, copies.Prototype | bool] = collections.OrderedDict()
_PROTOTYPES_KEPT = 16


@receiver(setting_changed)
def _forget_prototypes(**kwargs) -> None:
    # A prototype has the settings of its day baked in (site URL, sender, footer); tests change them.
    _prototypes.clear()


def _copy_from_prototype(email: Email, connection, shared: dict) -> bytes | None:
    """The message as bytes from a prototype of it (see outbox.copies), when it goes over SMTP and
    the worker has seen a copy of it before; None: build it the ordinary way."""
    if not isinstance(connection, SMTPBackend) or email.attachments:
        return None
    key = _prototype_key(email, shared)
    prototype = _prototypes.get(key)
    if prototype is None:
        prototype = shared.get(("prototype", key))
    if prototype is False:
        return None
    values = {**personal_values(email), "message_id": mail_headers.message_id(email)}
    if prototype is None:
        if ("seen", key) not in shared:  # The first copy: the ordinary way costs less than a prototype would.
            shared[("seen", key)] = True
            return None
        prototype = copies.Prototype(
            _builder(email, shared), names=[name for name in values if name not in ("recipient", "message_id")]
        )
        shared[("prototype", key)] = prototype
    if prototype.verified:
        return prototype.copy(values)
    raw = prototype.verified_copy(_builder(email, shared), values)
    if prototype.verified is not None:  # checked (not refused for this copy's values): true for every copy
        _prototypes[key] = prototype if prototype.verified else False
        while len(_prototypes) > _PROTOTYPES_KEPT:
            _prototypes.popitem(last=False)
    return raw


def _builder(email: Email, shared: dict):
    def build(personal: dict[str, str]) -> EmailMultiAlternatives:
        return email_render(email, shared=shared, personal=personal)

    return build


def _prototype_key(email: Email, shared: dict) -> tuple:
    """``_shared_key`` with its context part hashed, worked out once per sealed token of a batch."""
    keys = shared.setdefault("prototype_keys", {})
    # Most rows have no headers of their own: no JSON to write for those.
    headers = json.dumps(email.headers, sort_keys=True) if email.headers else ""
    sealed_key = (email.sealed, email.template, email.language, email.kind, headers)
    if sealed_key not in keys:
        *plain, context = _shared_key(email)
        keys[sealed_key] = (*plain, hashlib.sha256(context.encode()).digest())
    return keys[sealed_key]


def _sender(shared: dict) -> str:
    if "sender" not in shared:
        shared["sender"] = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
    return shared["sender"]


def _mark_sent(cursor, email: Email, *, attempts: int) -> None:
    # Once per message of every fan-out: a plain statement costs a fifth of the ORM's CPU here.
    cursor.execute(
        "UPDATE outbox_email SET status = %s, attempts = %s, sent_at = %s, next_attempt_at = NULL,"
        " sealed = '', \"to\" = CASE WHEN forget_recipient THEN '' ELSE \"to\" END WHERE id = %s AND status = %s",
        [
            Email.Status.SENT,
            attempts,
            db_connection.ops.adapt_datetimefield_value(timezone.now()),
            email.pk,
            Email.Status.SENDING,
        ],
    )


def _addressed_to(addresses: list[str]) -> Q:
    """Rows to any of ``addresses``, whatever their case (matches nothing for an empty list)."""
    condition = Q(pk__in=[])
    for address in addresses:
        condition |= Q(to__iexact=address)
    return condition


def _recipient_kept():
    """The value of ``to`` once a row is done with: erased where the row asks to forget it."""
    return Case(When(forget_recipient=True, then=Value("")), default=F("to"), output_field=Email._meta.get_field("to"))


def _claimed(email: Email):
    return Email.objects.filter(pk=email.pk, status=Email.Status.SENDING)


def _mark_failed(email: Email, error: str, *, attempts: int | None = None) -> str:
    _claimed(email).update(
        status=Email.Status.FAILED,
        attempts=email.attempts if attempts is None else attempts,
        last_error=error,
        next_attempt_at=None,
        sealed="",
        to=_recipient_kept(),
    )
    logger.error("E-mail %s failed for good: %s", email.pk, error)
    return "failed"


def email_withdraw(*, key_prefix: str = "", reason: str, to: list[str] | None = None) -> int:
    """Keep queued e-mails whose idempotency key starts with ``key_prefix`` from being sent, e.g.
    a reminder worked out for a meeting time that has since changed. Returns how many were withdrawn.
    ``to``: only (or, without a prefix, all) those to these addresses, e.g. a deleted account's.

    A row a worker has claimed (sending) is left alone: it is already leaving. A worker claims a
    batch (up to ``batch_size(queue)`` rows) at once, so that is true of the rest of its batch too.
    """
    with transaction.atomic():
        if not key_prefix and to is None:
            raise ValueError("email_withdraw needs a key prefix or addresses.")
        queued = Email.objects.select_for_update(skip_locked=True).filter(
            status=Email.Status.QUEUED, idempotency_key__startswith=key_prefix
        )
        if to is not None:
            queued = queued.filter(_addressed_to(to))
        ids = list(queued.values_list("pk", flat=True))
        return Email.objects.filter(pk__in=ids).update(
            status=Email.Status.WITHDRAWN, last_error=reason, next_attempt_at=None, sealed="", to=_recipient_kept()
        )


def outbox_sweep(*, limit: int = 5000) -> int:
    """Re-enqueue rows whose turn has come, each on its own queue: never handed to a worker (or
    held by one that died before claiming them), due for a retry, or claimed by a worker that died
    (its lease ran out; the one message it was sending when it died may go out again).

    A row handed out waits a grace period (``sweep_grace``) before the sweep hands it out again.
    A lease that runs out counts as an attempt, so a message that kills its worker every time
    ends as failed after ``OUTBOX_MAX_ATTEMPTS`` instead of being sent again and again.
    """
    now = timezone.now()
    abandoned = Email.objects.filter(status=Email.Status.SENDING, next_attempt_at__lte=now)
    abandoned.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS - 1).update(
        status=Email.Status.FAILED,
        attempts=F("attempts") + 1,
        last_error="Its worker stopped while sending it, too many times.",
        next_attempt_at=None,
        sealed="",
        to=_recipient_kept(),
    )
    abandoned.update(status=Email.Status.QUEUED, attempts=F("attempts") + 1)
    due = list(
        Email.objects.filter(status=Email.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "queue")[:limit]
    )
    by_queue: dict[str, list[int]] = collections.defaultdict(list)
    for pk, queue in due:
        by_queue[queue].append(pk)
    for queue, ids in sorted(by_queue.items(), reverse=True):  # named (urgent) queues first
        for start in range(0, len(ids), batch_size(queue)):
            batch = ids[start : start + batch_size(queue)]
            if not enqueue_delivery(batch, queue=queue or None):
                return len(due)
            Email.objects.filter(pk__in=batch, status=Email.Status.QUEUED).update(
                next_attempt_at=timezone.now() + sweep_grace(queue)
            )
    return len(due)


DONE_STATUSES = (Email.Status.SENT, Email.Status.FAILED, Email.Status.WITHDRAWN)


def outbox_purge(
    *, batch_size: int = 1000, duty: float = 0.2, busy_duty: float = 0.02, max_seconds: float = 600
) -> int:
    """Delete sent, failed and withdrawn e-mails queued more than ``OUTBOX_RETENTION_DAYS`` ago: each
    row holds an address and what was sent to it, kept for no purpose once done. Returns how many.

    Small batches, each in a transaction of its own (rows another run holds are skipped), and after
    each a pause long enough that the purge is busy only ``duty`` of the time, or ``busy_duty`` while
    a worker is delivering: the purge adds no work to a delivery but competes with it for the
    machine's CPUs and disk, so during a fan-out it goes on at a crawl and catches up when idle.
    No long lock, no table rewrite. What other features need is stored apart (suppressions,
    newsletter counts, the one-per-recipient and one-per-week delivery records, whose link to the
    row becomes empty). Stops after ``max_seconds``; the next run goes on. Safe to run twice at once.
    """
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deadline = time.monotonic() + max_seconds
    deleted = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        with transaction.atomic():
            ids = list(
                Email.objects.select_for_update(skip_locked=True)
                .filter(created_at__lt=cutoff, status__in=DONE_STATUSES)
                .order_by("created_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            # Through the ORM's collector: rows that point here (on_delete=SET_NULL) are updated in bulk.
            deleted += Email.objects.filter(pk__in=ids).only("pk").delete()[1].get(Email._meta.label, 0)
        if len(ids) < batch_size:
            break
        busy = Email.objects.filter(status=Email.Status.SENDING).exists()  # a worker holds a batch
        time.sleep((time.monotonic() - started) * (1 / (busy_duty if busy else duty) - 1))
    if deleted:
        logger.info("Deleted %d e-mail(s) older than %d days from the outbox.", deleted, settings.OUTBOX_RETENTION_DAYS)
    return deleted

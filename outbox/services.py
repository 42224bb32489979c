"""The one way Precinct sends e-mail: queue a row now, deliver it from a worker later."""

import contextlib
import json
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation
from django.utils.html import escape

from outbox.models import Email

logger = logging.getLogger(__name__)

# How long a freshly queued row waits for its on-commit task before the sweep steps in.
SWEEP_GRACE = timedelta(minutes=1)
# Back-off after the n-th failed attempt (the last value repeats).
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]
BATCH_SIZE = 50


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
) -> Email:
    """Write an e-mail row in the caller's transaction and deliver it once that commits.

    ``context`` must be JSON-serialisable: the worker renders it later, maybe elsewhere.
    Queueing an ``idempotency_key`` that exists already returns the existing row and sends nothing.
    ``queue`` names the Celery queue for delivery (default: the default queue; "high" for safety alerts).
    """
    email, created = Email.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "to": to,
            "template": template,
            "context": context,
            "language": language or settings.LANGUAGE_CODE,
            "kind": kind,
            "headers": headers or {},
            "attachments": attachments or [],
            "next_attempt_at": timezone.now() + SWEEP_GRACE,
        },
    )
    if created:
        transaction.on_commit(lambda: enqueue_delivery([email.pk], queue=queue))
    return email


def email_queue_many(*, messages: list[dict], queue: str | None = None) -> dict[str, int]:
    """Queue many e-mails at once (same keys as ``email_queue``) in the caller's transaction.

    For fan-outs: three queries for the whole list instead of two per message. Keys that exist
    already are left alone and not sent again. Returns {idempotency_key: e-mail id} for every
    message; the new rows are delivered in batches (on ``queue`` if given) once the transaction commits.
    """
    keys = [message["idempotency_key"] for message in messages]
    existing = set(Email.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    next_attempt_at = timezone.now() + SWEEP_GRACE
    Email.objects.bulk_create(
        [
            Email(
                to=message["to"],
                template=message["template"],
                context=message["context"],
                language=message.get("language") or settings.LANGUAGE_CODE,
                kind=message.get("kind", Email.Kind.TRANSACTIONAL),
                headers=message.get("headers") or {},
                attachments=message.get("attachments") or [],
                idempotency_key=message["idempotency_key"],
                next_attempt_at=next_attempt_at,
            )
            for message in messages
            if message["idempotency_key"] not in existing
        ],
        # A concurrent run may have queued some of these meanwhile: its rows win, nothing fails.
        ignore_conflicts=True,
    )
    ids = dict(Email.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
    new_ids = sorted(pk for key, pk in ids.items() if key not in existing)
    if new_ids:
        transaction.on_commit(
            lambda: [
                enqueue_delivery(new_ids[start : start + BATCH_SIZE], queue=queue)
                for start in range(0, len(new_ids), BATCH_SIZE)
            ]
        )
    return ids


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


def email_render(email: Email, *, shared: dict | None = None) -> EmailMultiAlternatives:
    """Build the message (plain text, HTML, headers, attachments) in the recipient's language.

    ``shared``, a dict the caller keeps for one batch, lets rows with the same template, language,
    kind and context (a newsletter's copies) render the templates once: each copy then only gets
    its own address and signed links substituted in.
    """
    from newsletters import links

    headers = dict(email.headers)
    # The values that differ from one recipient to the next; everything else comes from the row's context.
    personal = {
        "recipient": email.to,
        # A signed link per recipient: it works from any message without logging in.
        "preferences_url": links.preferences_url(email.to),
    }
    if email.kind == Email.Kind.BULK:
        # RFC 8058 one-click unsubscribe: mail clients POST to the URL without a session.
        personal["unsubscribe_url"] = links.unsubscribe_url(email.to)
        headers["List-Unsubscribe"] = f"<{personal['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    parts = _render_from_shared(email, personal, shared) if shared is not None else None
    subject, text, html = parts or _render_parts(email, personal)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    return message


def _render_parts(email: Email, personal: dict[str, str]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``email`` rendered with the per-recipient values ``personal``."""
    with translation.override(email.language):
        context = {
            **email.context,
            **personal,
            "site_url": settings.SITE_URL,
            "site_name": settings.SITE_NAME,
            "emergency_number": settings.EMERGENCY_NUMBER,
            "LANGUAGE_CODE": email.language,
            # allauth's own message templates (the fallback below) expect current_site.
            "current_site": {"name": settings.SITE_NAME, "domain": settings.SITE_URL.split("://", 1)[1]},
        }
        subject = " ".join(render_to_string(f"{email.template}_subject.txt", context).split())
        text = select_template([f"{email.template}.txt", f"{email.template}_message.txt"]).render(context)
        try:
            html = render_to_string(f"{email.template}.html", context)
        except TemplateDoesNotExist:
            html = render_to_string("emails/from_text.html", {**context, "subject": subject, "text": text})
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


def _render_from_shared(email: Email, personal: dict[str, str], shared: dict) -> tuple[str, ...] | None:
    """The parts rendered once per batch with placeholders, the recipient's values put in; None if unusable.

    The first row of each kind is also rendered in full and compared: a template that transforms
    the values (``|urlize`` in the plain-text fallback, ``|upper`` …) is then rendered in full for every row.
    """
    key = (email.template, email.language, email.kind, json.dumps(email.context, sort_keys=True))
    if key in shared:
        return _substitute(shared[key], personal) if shared[key] is not None else None
    template_parts = _render_parts(email, {name: _placeholder(name) for name in personal})
    full = _render_parts(email, personal)
    shared[key] = template_parts if _substitute(template_parts, personal) == full else None
    return full


def email_deliver_batch(*, email_ids: list[int]) -> dict[str, int]:
    """Send each queued row in ``email_ids`` over one SMTP connection.

    Each row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and re-checked as queued,
    so two workers (or a retried task) never send the same row twice. Returns counts.
    """
    from newsletters.selectors import undeliverable_addresses

    counts = {"sent": 0, "failed": 0, "retrying": 0, "skipped": 0}
    # One query for the batch: suppressed addresses, and bulk mail to people who unsubscribed since.
    blocked = undeliverable_addresses(Email.objects.filter(pk__in=email_ids).values_list("to", "kind"))
    connection = get_connection(fail_silently=False)
    shared: dict = {}  # templates rendered once for rows that share them, see email_render
    try:
        for email_id in email_ids:
            counts[_deliver_one(email_id, connection, blocked, shared)] += 1
    finally:
        # The messages are sent or recorded by now; a failed QUIT changes nothing.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return counts


def _deliver_one(email_id: int, connection, blocked: dict[tuple[str, str], str], shared: dict) -> str:
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True).filter(pk=email_id, status=Email.Status.QUEUED).first()
        )
        if email is None:
            return "skipped"
        reason = blocked.get((email.to, email.kind))
        if reason:
            return _mark_failed(email, reason)
        email.attempts += 1
        try:
            message = email_render(email, shared=shared)
        except Exception as exc:  # A template or context bug will not mend itself: fail the row now.
            return _mark_failed(email, f"Rendering failed: {exc!r}")
        message.connection = connection
        try:
            # Opens the batch's connection for its first message and is a no-op after that; without
            # it the backend would connect, greet and quit for every single message.
            connection.open()
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            # A connection that failed is not trusted with the next row: that one connects afresh.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                return _mark_failed(email, repr(exc))
            email.last_error = repr(exc)
            email.next_attempt_at = timezone.now() + RETRY_DELAYS[min(email.attempts, len(RETRY_DELAYS)) - 1]
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("E-mail %s failed (attempt %s), will retry: %s", email.pk, email.attempts, exc)
            return "retrying"
        email.status = Email.Status.SENT
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
        return "sent"


def _mark_failed(email: Email, error: str) -> str:
    email.status = Email.Status.FAILED
    email.last_error = error
    email.next_attempt_at = None
    email.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
    logger.error("E-mail %s failed for good: %s", email.pk, error)
    return "failed"


def email_withdraw(*, key_prefix: str, reason: str) -> int:
    """Keep queued e-mails whose idempotency key starts with ``key_prefix`` from being sent, e.g.
    a reminder worked out for a meeting time that has since changed. Returns how many were withdrawn.

    A row a worker is sending at this very moment is locked, so it is skipped: it is already leaving.
    """
    with transaction.atomic():
        ids = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(status=Email.Status.QUEUED, idempotency_key__startswith=key_prefix)
            .values_list("pk", flat=True)
        )
        return Email.objects.filter(pk__in=ids).update(
            status=Email.Status.WITHDRAWN, last_error=reason, next_attempt_at=None
        )


def outbox_sweep(*, limit: int = 5000) -> int:
    """Re-enqueue rows whose turn has come: never handed to a worker, or due for a retry."""
    due = list(
        Email.objects.filter(status=Email.Status.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(due), BATCH_SIZE):
        if not enqueue_delivery(due[start : start + BATCH_SIZE]):
            break
    return len(due)

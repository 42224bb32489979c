"""Every change to the tip line. Tipster-side services take nothing about the request: they could not
store it if they wanted to. Reviewer-side services write a ``TipAuditEntry`` in the same transaction."""

import functools
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import TIP_REVIEWERS
from outbox.services import email_queue
from tips import crypto, receipt
from tips.attachments import MAX_ATTACHMENTS, AttachmentRefused, CleanFile, attachments_clean
from tips.clock import coarse_now
from tips.models import (
    PendingReceiptIndex,
    Tip,
    TipAttachment,
    TipAuditEntry,
    TipMessage,
    TipNote,
    UsedFormToken,
)
from tips.tokens import FORM_TOKEN_MAX_AGE, BadToken, form_token_hash

# A tip and its follow-ups hold at most this many files in all.
MAX_ATTACHMENTS_PER_TIP = 20
CLOSED_STATUSES = (Tip.Status.CLOSED, Tip.Status.SPAM)
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # No 0/O or 1/I: read out over the phone.


class TipError(Exception):
    """A refusal to show the tipster or reviewer; ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SubmittedTip:
    tip: Tip
    receipt_phrase: str


# --- Tipster side -------------------------------------------------------------------------------


def tip_submit(
    *,
    form_token: str,
    category,
    what: str,
    where: str = "",
    when: str = "",
    neighbourhood=None,
    files: list[UploadedFile] = (),
) -> SubmittedTip:
    """Store a new anonymous tip and return it with its receipt phrase (shown once, never stored in clear).

    Raises ``TipError`` for a spent or forged form token, or a file we refuse (``field="files"``).
    """
    cleaned = _clean_files(files)
    phrase = receipt.receipt_generate()
    with transaction.atomic():
        _form_token_spend(form_token)
        tip = tip_create(
            category=category,
            what=what,
            where=where,
            when=when,
            neighbourhood=neighbourhood,
            files=cleaned,
            receipt_phrase=phrase,
        )
    return SubmittedTip(tip=tip, receipt_phrase=phrase)


def tip_create(*, category, what, where, when, neighbourhood, files: list[CleanFile], receipt_phrase: str) -> Tip:
    """Write the tip, its files and its audit entry. ``tip_submit`` is the way in; demo data calls it directly."""
    received_at = coarse_now()
    content = json.dumps({"what": what, "where": where, "when": when})
    tip = Tip.objects.create(
        reference=_new_reference(),
        category=category,
        neighbourhood=neighbourhood,
        content_encrypted=crypto.encrypt_text(content),
        receipt_index=receipt.receipt_index(receipt_phrase),
        receipt_hash=receipt.receipt_hash(receipt_phrase),
        received_at=received_at,
    )
    _attachments_add(tip, files, at=received_at)
    # The "received" audit entry is written by tips_settle() once the hour is over.
    return tip


def tip_open_with_receipt(*, phrase: str) -> Tip:
    """The tip whose receipt phrase this is. Raises ``TipError`` with one generic message otherwise."""
    candidates = receipt.receipt_index_candidates(phrase)
    tips = {tip.receipt_index: tip for tip in Tip.objects.filter(receipt_index__in=candidates)}
    tip = next((tips[index] for index in candidates if index in tips), None)
    if tip is None:
        # Same slow work as a match, so the answer's timing does not tell whether the index exists.
        receipt.receipt_verify(_dummy_hash(), phrase)
        raise TipError(_not_found_message())
    if not receipt.receipt_verify(tip.receipt_hash, phrase):
        raise TipError(_not_found_message())
    if tip.receipt_index != candidates[0]:
        # Found under a fallback SECRET_KEY: index it under the current one, once this hour is
        # settled (an update now would date the visit on the tip's row).
        PendingReceiptIndex.objects.create(tip=tip, receipt_index=candidates[0], created_at=coarse_now())
    return tip


def tip_follow_up(*, tip_id: uuid.UUID, form_token: str, text: str = "", files: list[UploadedFile] = ()) -> Tip:
    """Add the tipster's answer and/or files to their tip. Raises ``TipError``."""
    cleaned = _clean_files(files)
    with transaction.atomic():
        tip = Tip.objects.select_for_update().filter(pk=tip_id).first()
        if tip is None:
            # tips_settle() may have just rewritten the row we waited for: look again, once.
            tip = Tip.objects.select_for_update().filter(pk=tip_id).first()
        if tip is None:
            raise TipError(_not_found_message())
        if tip.status in CLOSED_STATUSES:
            raise TipError(_("This tip is closed, so it cannot take more information. Please send a new tip."))
        if tip.attachments.count() + len(cleaned) > MAX_ATTACHMENTS_PER_TIP:
            raise TipError(
                _("A tip can hold at most %(count)s files; this would be more.") % {"count": MAX_ATTACHMENTS_PER_TIP},
                field="files",
            )
        _form_token_spend(form_token)
        now = coarse_now()
        if text:
            TipMessage.objects.create(
                tip=tip,
                author=TipMessage.Author.TIPSTER,
                body_encrypted=crypto.encrypt_text(text),
                created_at=now,
            )
        _attachments_add(tip, cleaned, at=now)
        # The "tipster wrote" flag and audit entry are set by tips_settle() once the hour is over.
    return tip


def _not_found_message() -> str:
    return _("We could not find a tip with that receipt phrase. Check the words and their order, and try again.")


def _clean_files(files) -> list[CleanFile]:
    if len(files) > MAX_ATTACHMENTS:
        raise TipError(_("You can send at most %(count)s files at a time.") % {"count": MAX_ATTACHMENTS}, field="files")
    try:
        return attachments_clean([(file.read(), file.name) for file in files])
    except AttachmentRefused as exc:
        raise TipError(str(exc), field="files") from None


def _form_token_spend(token: str) -> None:
    try:
        token_hash = form_token_hash(token)
    except BadToken:
        raise TipError(_("This form has expired. Please check your text and send it again.")) from None
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(token_hash=token_hash, used_at=coarse_now())
    except IntegrityError:
        raise TipError(_("This form was already sent. Nothing was sent twice.")) from None


def _new_reference() -> str:
    while True:
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        reference = f"TIP-{code[:4]}-{code[4:]}"
        if not Tip.objects.filter(reference=reference).exists():
            return reference


def _next_sequence(related_manager) -> int:
    last = related_manager.order_by("-sequence").values_list("sequence", flat=True).first()
    return (last or 0) + 1


def _attachments_add(tip: Tip, files: list[CleanFile], *, at) -> None:
    sequence = _next_sequence(tip.attachments)
    for offset, file in enumerate(files):
        TipAttachment.objects.create(
            tip=tip,
            sequence=sequence + offset,
            kind=file.kind,
            content_type=file.content_type,
            extension=file.extension,
            size=len(file.data),
            data_encrypted=crypto.encrypt_bytes(file.data),
            created_at=at,
        )


@functools.cache
def _dummy_hash() -> str:
    return receipt.receipt_hash("no tip has this phrase")


# --- Reviewer side ------------------------------------------------------------------------------


def _audit(*, actor, action: str, tip: Tip, detail: dict | None = None) -> TipAuditEntry:
    return TipAuditEntry.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_email=actor.email,
        action=action,
        tip_reference=tip.reference,
        detail=detail or {},
    )


def tip_record_view(*, tip: Tip, actor) -> None:
    """Log that ``actor`` opened the tip, and clear its "tipster wrote" flag."""
    with transaction.atomic():
        _audit(actor=actor, action=TipAuditEntry.Action.VIEWED, tip=tip)
        if tip.tipster_wrote:
            Tip.objects.filter(pk=tip.pk).update(tipster_wrote=False)
            tip.tipster_wrote = False


TRIAGE_FIELDS = ("status", "category", "neighbourhood", "assigned_to", "reward_eligible")


def tip_triage(*, tip: Tip, actor, **changes) -> list[str]:
    """Change any of ``TRIAGE_FIELDS``; returns the names of the fields that changed.

    Closing a tip (closed or spam) starts its retention period; reopening stops it.
    Raises ``TipError`` if the assignee is not a tip reviewer.
    """
    unknown = set(changes) - set(TRIAGE_FIELDS)
    if unknown:
        raise TypeError(f"tip_triage() cannot change {sorted(unknown)}")
    assignee = changes.get("assigned_to")
    if assignee is not None and not assignee.groups.filter(name=TIP_REVIEWERS).exists():
        raise TipError(_("Tips can only be assigned to tip reviewers."), field="assigned_to")
    with transaction.atomic():
        locked = Tip.objects.select_for_update().get(pk=tip.pk)
        changed = {}
        for field, new in changes.items():
            old = getattr(locked, field)
            if old != new:
                changed[field] = [_describe(old), _describe(new)]
                setattr(locked, field, new)
        if not changed:
            return []
        if "status" in changed:
            was_closed = changed["status"][0] in CLOSED_STATUSES
            if locked.status in CLOSED_STATUSES and not was_closed:
                locked.closed_at = coarse_now()
            elif locked.status not in CLOSED_STATUSES:
                locked.closed_at = None
        locked.save()
        _audit(actor=actor, action=TipAuditEntry.Action.CHANGED, tip=locked, detail={"changes": changed})
    for field in TRIAGE_FIELDS:
        setattr(tip, field, getattr(locked, field))
    tip.closed_at = locked.closed_at
    return list(changed)


def _describe(value) -> str | bool | None:
    """How a triage value is written in the audit log: names and codes, never tip content."""
    if value is None or isinstance(value, bool | str):
        return value
    return getattr(value, "email", None) or str(value)


def tip_reply(*, tip: Tip, actor, text: str) -> TipMessage:
    """A question or answer the tipster reads when they come back with their receipt. No e-mail: we have none."""
    if not text.strip():
        raise TipError(_("Write the message to the tipster."), field="reply")
    with transaction.atomic():
        locked = Tip.objects.select_for_update().get(pk=tip.pk)
        message = TipMessage.objects.create(
            tip=locked,
            author=TipMessage.Author.REVIEWER,
            reviewer=actor,
            body_encrypted=crypto.encrypt_text(text),
            # Coarse like the tipster's: the conversation's times say nothing the tip's do not.
            created_at=coarse_now(),
            settled=True,
        )
        _audit(actor=actor, action=TipAuditEntry.Action.REPLIED, tip=locked)
    return message


def tip_note_add(*, tip: Tip, actor, text: str) -> TipNote:
    if not text.strip():
        raise TipError(_("Write the note."), field="note")
    with transaction.atomic():
        note = TipNote.objects.create(tip=tip, author=actor, body_encrypted=crypto.encrypt_text(text))
        _audit(actor=actor, action=TipAuditEntry.Action.NOTE_ADDED, tip=tip)
    return note


def tip_attachment_open(*, attachment: TipAttachment, actor) -> bytes:
    """The cleaned file's bytes, for a reviewer; logs the download."""
    with transaction.atomic():
        _audit(
            actor=actor,
            action=TipAuditEntry.Action.ATTACHMENT_DOWNLOADED,
            tip=attachment.tip,
            detail={"attachment": attachment.filename},
        )
    return crypto.decrypt_bytes(attachment.data_encrypted)


# --- Scheduled work -----------------------------------------------------------------------------


def tips_settle(*, before: datetime | None = None) -> int:
    """Settle what tipsters sent in hours that are over; returns how many tips, messages and files.

    Until then a tipster's rows are hidden from reviewers and have no audit entry, so no reviewer's
    exact-time entry (a view, a reply) can fall in the hour they arrived in, and the audit log's ids
    and order cannot place them either. Here, in one transaction: their audit entries ("received",
    "tipster added information") are written in a random order, the "tipster wrote" flag is set,
    and, on PostgreSQL, the settled rows are rewritten in a random order, so a dump's row order and
    the rows' transaction ids say "settled after the hour", not when each arrived.
    Tips their tipster opened under an older ``SECRET_KEY`` get their current receipt index here too.
    Running it again settles nothing twice. ``before`` (default: the current hour) is for demo data.
    """
    hour = before or coarse_now()
    with transaction.atomic():
        tips = list(
            Tip.objects.select_for_update(skip_locked=True)
            .filter(settled=False, received_at__lt=hour)
            .values_list("pk", "reference", "received_at")
        )
        messages = list(
            TipMessage.objects.select_for_update(skip_locked=True)
            .filter(settled=False, created_at__lt=hour)
            .values_list("pk", "tip_id", "created_at")
        )
        attachments = list(
            TipAttachment.objects.select_for_update(skip_locked=True)
            .filter(settled=False, created_at__lt=hour)
            .values_list("pk", "tip_id", "created_at")
        )
        reindexed = _receipt_indexes_apply(hour)
        if not (tips or messages or attachments):
            return 0
        arrivals = {(pk, received_at) for pk, _reference, received_at in tips}
        files_on_arrival: dict = {}
        for _pk, tip_id, at in attachments:
            if (tip_id, at) in arrivals:
                files_on_arrival[tip_id] = files_on_arrival.get(tip_id, 0) + 1
        entries = [
            TipAuditEntry(
                at=received_at,
                action=TipAuditEntry.Action.RECEIVED,
                tip_reference=reference,
                detail={"files": files_on_arrival.get(pk, 0)},
            )
            for pk, reference, received_at in tips
        ]
        # Follow-ups: per tip and hour, the messages and the files not sent with the tip itself.
        follow_ups: dict[tuple, dict] = {}
        for _pk, tip_id, at in messages:
            follow_ups.setdefault((tip_id, at), {"message": False, "files": 0})["message"] = True
        for _pk, tip_id, at in attachments:
            if (tip_id, at) not in arrivals:
                follow_ups.setdefault((tip_id, at), {"message": False, "files": 0})["files"] += 1
        followed_up = {tip_id for tip_id, _at in follow_ups}
        references = dict(Tip.objects.filter(pk__in=followed_up).values_list("pk", "reference"))
        entries += [
            TipAuditEntry(
                at=at, action=TipAuditEntry.Action.TIPSTER_WROTE, tip_reference=references[tip_id], detail=detail
            )
            for (tip_id, at), detail in follow_ups.items()
        ]
        secrets.SystemRandom().shuffle(entries)
        TipAuditEntry.objects.bulk_create(entries)
        tip_ids = [pk for pk, _reference, _at in tips]
        message_ids = [pk for pk, _tip_id, _at in messages]
        attachment_ids = [pk for pk, _tip_id, _at in attachments]
        Tip.objects.filter(pk__in=tip_ids).update(settled=True)
        Tip.objects.filter(pk__in=followed_up).update(tipster_wrote=True)
        TipMessage.objects.filter(pk__in=message_ids).update(settled=True)
        TipAttachment.objects.filter(pk__in=attachment_ids).update(settled=True)
        if connection.vendor == "postgresql":
            # The form tokens they spent too: written with them, in the same order and transaction.
            token_ids = list(UsedFormToken.objects.filter(used_at__lt=hour).values_list("pk", flat=True))
            for model, pks in (
                (Tip, list({*tip_ids, *reindexed})),
                (TipMessage, message_ids),
                (TipAttachment, attachment_ids),
                (UsedFormToken, token_ids),
            ):
                _rewrite_in_random_order(model, pks)
    return len(tips) + len(messages) + len(attachments)


def _receipt_indexes_apply(hour: datetime) -> list:
    """Give tips found under an older SECRET_KEY before ``hour`` their current index; returns their ids."""
    pending = list(
        PendingReceiptIndex.objects.select_for_update(skip_locked=True)
        .filter(created_at__lt=hour)
        .values_list("pk", "tip_id", "receipt_index")
    )
    latest = {tip_id: index for _pk, tip_id, index in pending}
    for tip_id, index in latest.items():
        Tip.objects.filter(pk=tip_id).update(receipt_index=index)
    PendingReceiptIndex.objects.filter(pk__in=[pk for pk, _tip_id, _index in pending]).delete()
    return list(latest)


def _rewrite_in_random_order(model, pks: list) -> None:
    """Delete the rows and insert them again, shuffled: new places in the table, this transaction's id.

    A dump lists a table's rows in the order they lie in it, which is the order they were written
    in; rows written again in a random order by one transaction tell neither. Foreign keys to these
    rows are checked at commit (Django makes them deferrable), by when the rows are back.
    """
    if not pks:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    key = connection.ops.quote_name(model._meta.pk.column)
    scratch = connection.ops.quote_name(f"tips_settle_{model._meta.model_name}")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {table} WHERE {key} = ANY(%s)", [pks])  # noqa: S608  # nosec B608: table and column names come from the models, values are parameters
        cursor.execute(f"DELETE FROM {table} WHERE {key} = ANY(%s)", [pks])  # noqa: S608  # nosec B608: table and column names come from the models, values are parameters
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {scratch} ORDER BY random()")  # noqa: S608  # nosec B608: table and column names come from the models, values are parameters
        cursor.execute(f"DROP TABLE {scratch}")


def tips_notify_reviewers() -> int:
    """E-mail each tip reviewer once that new tips arrived, for tips whose arrival hour is over.

    Waiting for the hour to end means the e-mail's own time stamp (in the outbox, the mail logs)
    tells no more about a tip than its coarse ``received_at``. The e-mail holds no content.
    Returns how many tips were announced; running it again announces nothing twice.
    """
    hour = coarse_now()
    with transaction.atomic():
        due = list(
            Tip.objects.select_for_update(skip_locked=True)
            .filter(reviewers_notified=False, settled=True, received_at__lt=hour)
            .values_list("pk", flat=True)
        )
        if not due:
            return 0
        reviewers = (
            get_user_model()
            .objects.filter(groups__name=TIP_REVIEWERS, is_active=True, is_staff=True)
            .exclude(email="")
            .order_by("pk")
        )
        inbox_url = settings.SITE_URL + reverse("admin:tips_tip_changelist") + "?status__exact=new"
        for reviewer in reviewers:
            email_queue(
                to=reviewer.email,
                template="tips/emails/new_tips",
                context={"inbox_url": inbox_url},
                idempotency_key=f"tips:new-tips:{hour.isoformat()}:{reviewer.pk}",
            )
        Tip.objects.filter(pk__in=due).update(reviewers_notified=True)
    return len(due)


def tips_purge_expired() -> int:
    """Delete closed and spam tips (messages, files, notes) past ``TIP_RETENTION_DAYS``; keep their audit trail.

    Also forgets spent form tokens that could no longer be replayed anyway. Returns the tips deleted.
    """
    now = timezone.now()
    cutoff = now - timedelta(days=settings.TIP_RETENTION_DAYS)
    deleted = 0
    with transaction.atomic():
        expired = Tip.objects.select_for_update(skip_locked=True).filter(
            status__in=CLOSED_STATUSES, closed_at__lt=cutoff
        )
        for tip in expired:
            TipAuditEntry.objects.create(
                at=now,
                action=TipAuditEntry.Action.DELETED,
                tip_reference=tip.reference,
                detail={"retention_days": settings.TIP_RETENTION_DAYS},
            )
            tip.delete()
            deleted += 1
        UsedFormToken.objects.filter(used_at__lt=now - timedelta(seconds=FORM_TOKEN_MAX_AGE + 3600)).delete()
    return deleted


def tips_reencrypt() -> dict[str, int]:
    """Re-encrypt every tip, message, note and file under the newest key of TIP_ENCRYPTION_KEYS.

    Each row is rewritten in its own short transaction, so the command can be stopped and run again.
    Raises ``cryptography.fernet.InvalidToken`` if a row cannot be opened by any configured key.
    """
    counts = {}
    for model, field in (
        (Tip, "content_encrypted"),
        (TipMessage, "body_encrypted"),
        (TipNote, "body_encrypted"),
        (TipAttachment, "data_encrypted"),
    ):
        counts[model._meta.verbose_name_plural] = 0
        for pk in list(model.objects.order_by("pk").values_list("pk", flat=True)):
            with transaction.atomic():
                row = model.objects.select_for_update().filter(pk=pk).only(field).first()
                if row is None:  # tips_settle() may have just rewritten it, or the purge deleted it
                    row = model.objects.select_for_update().filter(pk=pk).only(field).first()
                if row is None:
                    continue
                value = getattr(row, field)
                if isinstance(value, str):
                    rotated = crypto.reencrypt(value.encode("ascii")).decode("ascii")
                else:
                    rotated = crypto.reencrypt(bytes(value))
                model.objects.filter(pk=pk).update(**{field: rotated})
            counts[model._meta.verbose_name_plural] += 1
    return counts

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.translated import translated
from tips import crypto
from tips.models import Tip, TipAttachment, TipMessage, TipNote

# What a tipster is told: coarse, and "spam" is never said to anyone's face.
PUBLIC_STATUS = {
    Tip.Status.NEW: _("Received, not yet reviewed"),
    Tip.Status.IN_REVIEW: _("Being reviewed"),
    Tip.Status.ACTIONABLE: _("Being acted on"),
    Tip.Status.REFERRED: _("Passed to the agency that handles it"),
    Tip.Status.CLOSED: _("Closed"),
    Tip.Status.SPAM: _("Closed"),
}


@dataclass(frozen=True)
class Message:
    from_tipster: bool
    text: str
    created_at: datetime
    reviewer_email: str | None = None


@dataclass(frozen=True)
class TipsterView:
    """A tip as its tipster sees it after typing the receipt phrase."""

    id: uuid.UUID
    reference: str
    status: str
    is_closed: bool
    reward_eligible: bool
    received_at: datetime
    category: str
    messages: list[Message]
    attachment_count: int


def tip_content(tip: Tip) -> dict[str, str]:
    """The tip's own text: ``what``, ``where`` and ``when``."""
    return json.loads(crypto.decrypt_text(tip.content_encrypted))


def tip_messages(tip: Tip, *, settled_only: bool = False) -> list[Message]:
    """The conversation, by hour; within an hour the reviewers' messages first (see ``TipMessage``).

    ``settled_only``: for reviewers, who see a tipster's message once its hour is over.
    """
    messages = TipMessage.objects.filter(tip=tip).select_related("reviewer").order_by("created_at", "author", "id")
    if settled_only:
        messages = messages.filter(settled=True)
    return [
        Message(
            from_tipster=message.author == TipMessage.Author.TIPSTER,
            text=crypto.decrypt_text(message.body_encrypted),
            created_at=message.created_at,
            reviewer_email=message.reviewer.email if message.reviewer else None,
        )
        for message in messages
    ]


def tip_notes(tip: Tip) -> list[tuple[TipNote, str]]:
    notes = TipNote.objects.filter(tip=tip).select_related("author").order_by("created_at", "id")
    return [(note, crypto.decrypt_text(note.body_encrypted)) for note in notes]


def tip_attachments(tip: Tip) -> list[TipAttachment]:
    """The files reviewers may see: those whose hour is over. The bytes stay in the database until downloaded."""
    return list(TipAttachment.objects.filter(tip=tip, settled=True).defer("data_encrypted").order_by("sequence"))


def tip_for_tipster(tip_id: uuid.UUID) -> TipsterView | None:
    tip = Tip.objects.select_related("category").filter(pk=tip_id).first()
    if tip is None:
        return None
    return TipsterView(
        id=tip.pk,
        reference=tip.reference,
        status=str(PUBLIC_STATUS[tip.status]),
        is_closed=tip.status in (Tip.Status.CLOSED, Tip.Status.SPAM),
        reward_eligible=tip.reward_eligible,
        received_at=tip.received_at,
        category=translated(tip.category, "name"),
        messages=tip_messages(tip),
        attachment_count=tip.attachments.count(),
    )


# --- The officers' desk (reviewers only: the desk shows these counts to Tip reviewers alone) -----

OPEN_STATUSES = (Tip.Status.NEW, Tip.Status.IN_REVIEW, Tip.Status.ACTIONABLE)


def tips_new_unassigned() -> QuerySet[Tip]:
    """Settled tips nobody has taken: new and assigned to no reviewer."""
    return Tip.objects.filter(settled=True, status=Tip.Status.NEW, assigned_to__isnull=True)


def tips_without_activity(*, now: datetime | None = None) -> QuerySet[Tip]:
    """Open settled tips with no message, note or arrival in the last ``DESK_TIP_STALE_DAYS`` days.

    Only whole days are compared, against times the tip admin already shows (its hour of arrival,
    the conversation's hours, the notes), so the list dates no tip more precisely than they do.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.DESK_TIP_STALE_DAYS)
    last_message = (
        TipMessage.objects.filter(tip=OuterRef("pk"), settled=True).order_by("-created_at").values("created_at")[:1]
    )
    last_note = TipNote.objects.filter(tip=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return (
        Tip.objects.filter(settled=True, status__in=OPEN_STATUSES)
        .annotate(
            last_activity=Greatest(
                "received_at",
                Coalesce(Subquery(last_message), "received_at"),
                Coalesce(Subquery(last_note), "received_at"),
            )
        )
        .filter(last_activity__lt=since)
    )

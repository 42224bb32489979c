"""Every write of safety audits and drill debriefs goes through these functions.

Each is atomic, writes an audit entry when an officer acts, and queues its e-mails through the
outbox in the same transaction (sent once it commits). Refusals raise ``AuditError`` with a
message fit to show the person.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import OFFICERS
from accounts.selectors import language_for
from audit.services import audit_record
from audits.models import (
    AuditWalk,
    ChecklistAnswer,
    ChecklistItem,
    DebriefAnswer,
    DrillPlan,
    Finding,
    FindingPhoto,
    Rating,
)
from meetings.models import Meeting, Rsvp
from meetings.services import CHECK_IN_OPENS_BEFORE, feedback_eligible_rsvps
from outbox.services import email_queue
from portal.translated import translated
from tips.attachments import MAX_ATTACHMENTS, AttachmentRefused, attachments_clean

# Findings may be added while memories are fresh: from check-in until a fortnight after the walk.
FINDINGS_OPEN_FOR = timedelta(days=14)
# A drill's debrief stays open for a month after it ends.
DEBRIEF_OPEN_FOR = timedelta(days=30)


class AuditError(Exception):
    """A refusal the person can read: not a participant, the walk is closed, a photo refused…"""


def is_officer(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_staff
        and user.is_active
        and user.groups.filter(name=OFFICERS).exists()
    )


# --- Who took part -----------------------------------------------------------------------------


def walk_check_participant(*, walk: AuditWalk, user) -> None:
    """Raise ``AuditError`` unless ``user`` may record findings on ``walk`` now: an officer, or a
    resident checked in at the walk, from the opening of check-in until ``FINDINGS_OPEN_FOR`` after it."""
    meeting = walk.meeting
    if meeting.is_cancelled:
        raise AuditError(_("This walk has been cancelled."))
    now = timezone.now()
    if now < meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise AuditError(_("Findings can be recorded once the walk has started."))
    if now > meeting.ends_at + FINDINGS_OPEN_FOR:
        raise AuditError(_("Findings for this walk are closed."))
    if is_officer(user):
        return
    checked_in = Rsvp.objects.filter(
        meeting=meeting, user=user, status=Rsvp.Status.GOING, checked_in_at__isnull=False
    ).exists()
    if not checked_in:
        raise AuditError(_("Only people checked in at this walk can record findings."))


# --- Findings ----------------------------------------------------------------------------------


def _clean_photos(photos: list[tuple[bytes, str]]):
    if len(photos) > MAX_ATTACHMENTS:
        raise AuditError(_("You can add at most %(count)s photos at a time.") % {"count": MAX_ATTACHMENTS})
    try:
        cleaned = attachments_clean(photos)
    except AttachmentRefused as refused:
        raise AuditError(str(refused)) from None
    for file, (_data, name) in zip(cleaned, photos, strict=True):
        if file.kind != "image":
            raise AuditError(_("“%(name)s” is not a photo. Add JPEG, PNG, GIF or WebP photos only.") % {"name": name})
    return cleaned


def finding_record(
    *,
    walk: AuditWalk,
    author,
    answers: list[tuple[ChecklistItem, str, str]] = (),
    notes: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    map_cell: str = "",
    photos: list[tuple[bytes, str]] = (),
) -> Finding:
    """Record a participant's finding: checklist answers ``(item, rating, note)``, notes, a place and photos.

    Photos are redrawn from their pixels by the tip line's cleaner (no EXIF, GPS or camera data
    survives; pixel bombs are refused) before the transaction opens, so a slow photo never holds
    a lock. Raises ``AuditError`` for a non-participant, a closed walk, an empty finding, an item
    of another checklist or a refused photo.
    """
    walk_check_participant(walk=walk, user=author)
    answers = [(item, rating, note) for item, rating, note in answers if rating]
    if not (answers or notes.strip() or photos):
        raise AuditError(_("Answer at least one checklist item, or add a note or a photo."))
    if any(item.template_id != walk.template_id for item, _rating, _note in answers):
        raise AuditError(_("Answer the items of this walk's checklist."))
    if any(rating not in Rating.values for _item, rating, _note in answers):
        raise AuditError(_("Choose good, needs attention or urgent."))
    if (latitude is None) != (longitude is None):
        raise AuditError(_("Give both the latitude and the longitude, or neither."))
    cleaned = _clean_photos(list(photos))
    with transaction.atomic():
        finding = Finding.objects.create(
            walk=walk,
            author=author,
            notes=notes.strip(),
            address=address.strip(),
            latitude=latitude,
            longitude=longitude,
            map_cell=map_cell,
        )
        ChecklistAnswer.objects.bulk_create(
            [ChecklistAnswer(finding=finding, item=item, rating=rating, note=note) for item, rating, note in answers]
        )
        for file in cleaned:
            photo = FindingPhoto(finding=finding, content_type=file.content_type, size=len(file.data))
            # Stored under our own random name (finding_photo_path); the uploader's name is never kept.
            photo.image.save(f"photo.{file.extension}", ContentFile(file.data), save=False)
            photo.save()
    return finding


def _set_status(finding: Finding, *, by, status: str, action: str) -> Finding:
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.status == Finding.Status.MERGED:
            raise AuditError(_("This finding was merged into another one; review that one instead."))
        finding.status = status
        finding.save(update_fields=["status", "updated_at"])
        audit_record(actor=by, action=action, target=finding)
    return finding


def finding_review(*, finding: Finding, by) -> Finding:
    """Mark a finding reviewed: from then on it appears, without its author, in the walk's public report."""
    return _set_status(finding, by=by, status=Finding.Status.REVIEWED, action="audits.finding_reviewed")


def finding_dismiss(*, finding: Finding, by) -> Finding:
    """Keep a finding out of the public report (off topic, not about the area, personal data)."""
    return _set_status(finding, by=by, status=Finding.Status.DISMISSED, action="audits.finding_dismissed")


def finding_merge(*, duplicate: Finding, kept: Finding, by) -> Finding:
    """Merge ``duplicate`` into ``kept`` (same walk): the duplicate keeps its text and answers and points
    at the kept finding, which takes its photos (and any duplicates merged into it before).

    Returns the kept finding. Raises ``AuditError`` across walks, onto itself or onto a merged finding.
    """
    if duplicate.pk == kept.pk:
        raise AuditError(_("A finding cannot be merged into itself."))
    with transaction.atomic():
        # Both rows locked, in id order so two officers merging the same pair cannot deadlock.
        locked = {f.pk: f for f in Finding.objects.select_for_update().filter(pk__in=[duplicate.pk, kept.pk])}
        duplicate, kept = locked[duplicate.pk], locked[kept.pk]
        if duplicate.walk_id != kept.walk_id:
            raise AuditError(_("Only findings of the same walk can be merged."))
        if kept.status == Finding.Status.MERGED:
            raise AuditError(_("The finding to keep was itself merged into another; choose that one."))
        if duplicate.status == Finding.Status.MERGED:
            raise AuditError(_("This finding is already merged into another."))
        FindingPhoto.objects.filter(finding=duplicate).update(finding=kept)
        Finding.objects.filter(duplicate_of=duplicate).update(duplicate_of=kept)
        duplicate.status, duplicate.duplicate_of = Finding.Status.MERGED, kept
        duplicate.save(update_fields=["status", "duplicate_of", "updated_at"])
        if kept.status == Finding.Status.NEW:
            kept.status = Finding.Status.REVIEWED
            kept.save(update_fields=["status", "updated_at"])
        audit_record(actor=by, action="audits.finding_merged", target=duplicate, detail={"kept": kept.pk})
    return kept


def finding_make_action(*, finding: Finding, by, **fields):
    """Turn a finding into an action item (``actions.services.create_action``), carrying its text over;
    ``fields`` override the prefilled ones. The finding counts as reviewed from then on."""
    from actions.services import ActionError, create_action

    values = {**finding_prefill(finding), **fields}
    try:
        with transaction.atomic():
            if finding.status == Finding.Status.NEW:
                finding_review(finding=finding, by=by)
            return create_action(by=by, source=finding, **values)
    except ActionError as error:
        raise AuditError(str(error)) from None


def finding_prefill(finding: Finding) -> dict:
    """What an action made from ``finding`` starts with (registered as the action source's prefill)."""
    walk = finding.walk
    rated = [
        f"{translated(answer.item, 'theme')}: {answer.item.text} ({answer.get_rating_display()})"
        + (f" {answer.note}" if answer.note else "")
        for answer in finding.answers.all()
        if answer.rating != Rating.GOOD
    ]
    where = finding.address or (f"{_('Map square')} {finding.map_cell}" if finding.map_cell else "")
    title = (finding.notes.splitlines()[0] if finding.notes else "") or (rated[0] if rated else walk.area)
    description = "\n".join(filter(None, [finding.notes, *rated, where]))
    return {
        "title": f"{walk.area}: {title}"[:200],
        "description": description,
        "neighbourhood": walk.meeting.neighbourhood,
    }


def finding_audience(finding: Finding) -> list[int]:
    """Who hears of an action made from a finding: its author (and the merged duplicates' authors)
    and everyone who attended the walk."""
    attended = feedback_eligible_rsvps(finding.walk.meeting).values_list("user_id", flat=True)
    authors = Finding.objects.filter(duplicate_of=finding).values_list("author_id", flat=True)
    return sorted({*attended, *authors, finding.author_id} - {None})


# --- Reports -----------------------------------------------------------------------------------


def _email_participants(*, meeting: Meeting, template: str, key: str, url: str) -> int:
    rsvps = list(feedback_eligible_rsvps(meeting).select_related("user").order_by("id"))
    for rsvp in rsvps:
        user = rsvp.user
        if not user.email:  # a deleted resident's stand-in
            continue
        language = language_for(user)
        with translation.override(language):
            title = str(translated(meeting, "title", language))
        email_queue(
            to=user.email,
            template=f"audits/emails/{template}",
            context={"title": title, "url": url},
            idempotency_key=f"{key}:{user.pk}",
            language=language,
        )
    return len(rsvps)


def walk_report_publish(*, walk: AuditWalk, by) -> AuditWalk:
    """Publish the walk's report (findings reviewed so far, by theme) and tell everyone who took part,
    once: publishing again changes nothing and sends nothing. Raises ``AuditError`` before the walk ends."""
    with transaction.atomic():
        walk = AuditWalk.objects.select_for_update().select_related("meeting").get(pk=walk.pk)
        if not walk.meeting.has_ended:
            raise AuditError(_("The report can be published once the walk is over."))
        if walk.report_published_at is not None:
            return walk
        walk.report_published_at = timezone.now()
        walk.save(update_fields=["report_published_at"])
        audit_record(actor=by, action="audits.report_published", target=walk)
        _email_participants(
            meeting=walk.meeting,
            template="report_published",
            key=f"audits:report_published:{walk.pk}",
            url=settings.SITE_URL + walk.get_absolute_url(),
        )
    return walk


# --- Drills ------------------------------------------------------------------------------------


def debrief_check_allowed(*, drill: DrillPlan, user) -> None:
    """Raise ``AuditError`` unless ``user`` may answer the drill's debrief now: after the drill, for
    ``DEBRIEF_OPEN_FOR``, an officer or a participant (checked in, when check-in was used), once."""
    meeting = drill.meeting
    if meeting.is_cancelled:
        raise AuditError(_("This drill has been cancelled."))
    now = timezone.now()
    if now < meeting.ends_at:
        raise AuditError(_("The debrief opens when the drill is over."))
    if now > meeting.ends_at + DEBRIEF_OPEN_FOR:
        raise AuditError(_("The debrief of this drill is closed."))
    if not (is_officer(user) or feedback_eligible_rsvps(meeting).filter(user=user).exists()):
        raise AuditError(_("Only people who took part in this drill can answer its debrief."))
    if DebriefAnswer.objects.filter(drill=drill, author=user).exists():
        raise AuditError(_("You have already answered this debrief. Thank you."))


def debrief_submit(
    *, drill: DrillPlan, user, knew_what_to_do: str, went_well: str = "", to_improve: str = ""
) -> DebriefAnswer:
    """Record one participant's debrief; raises ``AuditError`` as ``debrief_check_allowed`` does."""
    debrief_check_allowed(drill=drill, user=user)
    if knew_what_to_do not in DebriefAnswer.KnewWhatToDo.values:
        raise AuditError(_("Say whether you knew what to do."))
    try:
        with transaction.atomic():
            return DebriefAnswer.objects.create(
                drill=drill,
                author=user,
                went_well=went_well.strip(),
                to_improve=to_improve.strip(),
                knew_what_to_do=knew_what_to_do,
            )
    except IntegrityError:  # the same person's second submission, sent at the same moment
        raise AuditError(_("You have already answered this debrief. Thank you.")) from None


def debrief_summary_publish(*, drill: DrillPlan, by, summary: str | None = None) -> DrillPlan:
    """Publish the officers' debrief summary on the drill's page and tell the participants, once.
    Raises ``AuditError`` when there is no summary to publish."""
    with transaction.atomic():
        drill = DrillPlan.objects.select_for_update().select_related("meeting").get(pk=drill.pk)
        if summary is not None:
            drill.summary = summary.strip()
        if not drill.summary:
            raise AuditError(_("Write the summary before publishing it."))
        first = drill.summary_published_at is None
        if first:
            drill.summary_published_at = timezone.now()
        drill.save(update_fields=["summary", "summary_published_at", "updated_at"])
        audit_record(actor=by, action="audits.debrief_summary_published", target=drill)
        if first:
            _email_participants(
                meeting=drill.meeting,
                template="debrief_summary",
                key=f"audits:debrief_summary:{drill.pk}",
                url=settings.SITE_URL + drill.meeting.get_absolute_url(),
            )
    return drill


def debrief_prefill(answer: DebriefAnswer) -> dict:
    # The answer itself is private (``debrief_private_text``): the officer words the action.
    return {"neighbourhood": answer.drill.meeting.neighbourhood}


def debrief_private_text(answer: DebriefAnswer) -> list[str]:
    return [answer.to_improve, answer.went_well]


def debrief_audience(answer: DebriefAnswer) -> list[int]:
    attended = feedback_eligible_rsvps(answer.drill.meeting).values_list("user_id", flat=True)
    return sorted({*attended, answer.author_id} - {None})

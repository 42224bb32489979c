"""Every change to meetings, RSVPs, questions and feedback goes through these functions.

Each is atomic, locks the meeting row where seats, time or place matter, writes an audit
entry when an officer acts, and queues its e-mails through the outbox in the same transaction.
Refusals raise ``MeetingError`` with a message fit to show the person.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.selectors import language_for
from audit.services import audit_record
from meetings.ical import calendar_for, meeting_location
from meetings.models import (
    MAX_REMINDER_OFFSET,
    Feedback,
    FeedbackReceipt,
    FeedbackResponse,
    Meeting,
    PendingFeedback,
    Question,
    QuestionVote,
    ReminderDelivery,
    Rsvp,
)
from outbox.services import email_queue, email_withdraw
from portal import check_in
from portal.calendar_links import calendar_links
from portal.check_in import qr_attachment
from portal.dates import format_moment
from portal.participants import participants_message_queue
from portal.ratelimit import RateLimited, rate_limit_consume
from portal.translated import translated

logger = logging.getLogger(__name__)

QUESTION_MIN_LENGTH = 10
QUESTION_MAX_LENGTH = 500
QUESTIONS_PER_PERSON = 3
# Time and place: a change to any of these tells everyone coming at once.
LOGISTICS_FIELDS = ("starts_at", "ends_at", "mode", "address", "online_url")
# How long after a meeting the feedback request still goes out (beat down for a while, old meetings).
FEEDBACK_REQUEST_WINDOW = timedelta(days=7)


# People arrive early and are checked in at the door; attendance before then would be an error.
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# Codes one officer may try at the door in ten minutes: more than a busy door needs (one a
# second), and too few for guessing an 8-character code (32^8 of them) to find one.
CHECK_IN_ATTEMPTS = 600


class MeetingError(Exception):
    """A refusal the person can read: the meeting is full, over, cancelled…"""


class CheckInRefused(check_in.CheckInRefused, MeetingError):
    """A code that checks nobody in to a meeting; ``registration`` is its RSVP when it is one
    (waiting list, cancelled, already checked in)."""


# --- E-mail helpers --------------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def meeting_email_context(meeting: Meeting, *, language: str, going: bool) -> dict:
    """What every meeting e-mail needs, formatted in the recipient's language and the city's time zone.

    The online link is for people ``going`` only (as on the meeting page): a waiting list or a
    past meeting's feedback request never carries it.
    """
    with translation.override(language):
        start, end = _local(meeting.starts_at), _local(meeting.ends_at)
        title = str(translated(meeting, "title", language))
        url = settings.SITE_URL + meeting.get_absolute_url()
        online_url = meeting.online_url if meeting.is_online and going else ""
        return {
            "title": title,
            "date": format_moment(start, "LONG_DATE_FORMAT"),
            "time": f"{format_moment(start, 'TIME_FORMAT')} – {format_moment(end, 'ZONED_TIME_FORMAT')}",
            "address": meeting.address if meeting.is_in_person else "",
            "online_url": online_url,
            "map_url": meeting.map_url,
            "url": url,
            # The same event as the attached .ics: its place, and the online link only for people going.
            **calendar_links(
                title=title,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                location=meeting_location(meeting, include_online_link=going),
                details="\n".join(filter(None, [url, online_url])),
                ics_url=settings.SITE_URL + reverse("meetings:ics", args=[meeting.slug]),
            ),
        }


def _ics_attachment(meeting: Meeting, *, going: bool, language: str) -> dict:
    # The event's title and description in the recipient's language, like the e-mail around it.
    with translation.override(language):
        content = calendar_for([meeting], name=str(translated(meeting, "title")), include_online_link=going)
    return {"filename": f"{meeting.slug}.ics", "content": content.decode(), "mimetype": "text/calendar"}


def _email_person(
    *,
    user,
    meeting: Meeting,
    template: str,
    key: str,
    going: bool,
    ics: bool = False,
    check_in_code: str = "",
    extra=None,
) -> None:
    """Queue one meeting e-mail; ``going`` says whether the person holds a seat (and so gets the online link).

    ``check_in_code``: the registration code, attached as a QR code to show at the door (in person)."""
    if not user.email:  # A deleted resident's stand-in (accounts.services.account_delete) has no address.
        return
    language = language_for(user)
    context = meeting_email_context(meeting, language=language, going=going)
    context.update(extra or {})
    attachments = [_ics_attachment(meeting, going=going, language=language)] if ics else []
    if check_in_code and meeting.is_in_person:
        attachments.append(qr_attachment(check_in_code))
        context["check_in_qr"] = True
    email_queue(
        to=user.email,
        template=f"meetings/emails/{template}",
        context=context,
        idempotency_key=key,
        language=language,
        attachments=attachments or None,
    )


# --- Officers: meetings ------------------------------------------------------------------------


def meeting_validate(meeting: Meeting) -> None:
    """Check what the database cannot; raises ``MeetingError``. Normalises the reminder offsets."""
    if meeting.ends_at <= meeting.starts_at:
        raise MeetingError(_("The meeting must end after it starts."))
    if meeting.is_in_person and not meeting.address:
        raise MeetingError(_("An in-person meeting needs an address."))
    if meeting.is_online and not meeting.online_url:
        raise MeetingError(_("An online meeting needs a link."))
    offsets = meeting.reminder_offsets
    if not isinstance(offsets, list) or not all(
        isinstance(offset, int) and not isinstance(offset, bool) and 0 < offset <= MAX_REMINDER_OFFSET
        for offset in offsets
    ):
        raise MeetingError(
            _("Reminders must be a list of minutes between 1 and %(max)s, e.g. [1440, 60].")
            % {"max": MAX_REMINDER_OFFSET}
        )
    meeting.reminder_offsets = sorted(set(offsets), reverse=True)


def _unique_slug(meeting: Meeting) -> str:
    base = slugify(f"{meeting.title} {_local(meeting.starts_at):%Y-%m-%d}")[:200] or "meeting"
    slug, counter = base, 2
    while Meeting.objects.filter(slug=slug).exclude(pk=meeting.pk).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def meeting_save(*, meeting: Meeting, actor) -> Meeting:
    """Create or update a meeting from an edited (unsaved) instance.

    A change of time or place on a scheduled meeting bumps its revision and e-mails everyone
    going or waiting at once; more seats promote people from the waiting list. Raises
    ``MeetingError`` for an end before the start, a missing address or link, or bad reminders.
    """
    meeting_validate(meeting)
    if not meeting.slug:
        meeting.slug = _unique_slug(meeting)
    with transaction.atomic():
        if meeting.pk is None:
            meeting.save()
            audit_record(actor=actor, action="meeting.created", target=meeting)
            return meeting
        before = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if before.status == Meeting.Status.CANCELLED and meeting.status != Meeting.Status.CANCELLED:
            raise MeetingError(_("A cancelled meeting cannot be edited back to life; create a new one."))
        changed = [
            field.name
            for field in Meeting._meta.concrete_fields
            if (field.editable or field.name == "translations")
            and getattr(before, field.attname) != getattr(meeting, field.attname)
        ]
        logistics = [name for name in changed if name in LOGISTICS_FIELDS]
        if logistics:
            meeting.revision = before.revision + 1
        meeting.save()
        if changed:
            audit_record(actor=actor, action="meeting.updated", target=meeting, detail={"fields": changed})
        if logistics and meeting.status == Meeting.Status.SCHEDULED and not before.has_ended:
            _withdraw_reminders(meeting, reason="The meeting's time or place changed.")
            _email_attendees(
                meeting,
                template="meeting_changed",
                key_prefix=f"meetings:changed:{meeting.pk}:{meeting.revision}:",
                extra_for=lambda rsvp: {"waitlisted": rsvp.status == Rsvp.Status.WAITLISTED},
            )
        _promote_waitlisted(meeting)
    return meeting


def _reminder_key(meeting: Meeting, user_id: int | None = None) -> str:
    """The idempotency-key prefix of a meeting's reminders (one person's, given ``user_id``)."""
    return f"meetings:reminder:{meeting.pk}:" + (f"{user_id}:" if user_id is not None else "")


def _withdraw_reminders(meeting: Meeting, *, reason: str, user_id: int | None = None) -> None:
    # A reminder queued a moment ago may still be waiting for a worker: it must not go out.
    email_withdraw(key_prefix=_reminder_key(meeting, user_id), reason=reason)


def _email_attendees(meeting: Meeting, *, template: str, key_prefix: str, extra_for) -> None:
    """E-mail everyone going or waitlisted about ``meeting``, with its calendar file; ``extra_for(rsvp)``
    adds to each person's context, and the idempotency key is ``key_prefix`` and their user id."""
    from meetings.selectors import meeting_people

    for rsvp in meeting_people(meeting):
        _email_person(
            user=rsvp.user,
            meeting=meeting,
            template=template,
            key=f"{key_prefix}{rsvp.user_id}",
            going=rsvp.status == Rsvp.Status.GOING,
            ics=True,
            extra=extra_for(rsvp),
        )


def agenda_items_save(*, meeting: Meeting, formset, actor) -> None:
    """Save the admin's agenda formset for ``meeting`` and record that the agenda changed."""
    with transaction.atomic():
        formset.save()
        if formset.has_changed():
            audit_record(actor=actor, action="meeting.agenda_updated", target=meeting)


def meeting_publish(*, meeting: Meeting, actor, published: bool = True) -> Meeting:
    """Show (or hide) a meeting on the public pages."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.is_published == published:
            return meeting
        if published and meeting.is_cancelled:
            raise MeetingError(_("A cancelled meeting cannot be published."))
        meeting.is_published = published
        meeting.save(update_fields=["is_published", "updated_at"])
        audit_record(actor=actor, action="meeting.published" if published else "meeting.unpublished", target=meeting)
    return meeting


def meeting_cancel(*, meeting: Meeting, actor, reason: str = "") -> Meeting:
    """Cancel a meeting and tell everyone going or waiting at once. Raises ``MeetingError`` if it is over."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.is_cancelled:
            raise MeetingError(_("“%(title)s” is already cancelled.") % {"title": meeting.title})
        if meeting.has_ended:
            raise MeetingError(_("“%(title)s” has already taken place.") % {"title": meeting.title})
        meeting.status = Meeting.Status.CANCELLED
        meeting.revision += 1
        meeting.save(update_fields=["status", "revision", "updated_at"])
        audit_record(actor=actor, action="meeting.cancelled", target=meeting, detail={"reason": reason})
        _withdraw_reminders(meeting, reason="The meeting was cancelled.")
        _email_attendees(
            meeting,
            template="meeting_cancelled",
            key_prefix=f"meetings:cancelled:{meeting.pk}:",
            extra_for=lambda rsvp: {"reason": reason},
        )
    return meeting


# --- Residents: RSVPs ----------------------------------------------------------------------------


def _going_count(meeting: Meeting) -> int:
    return Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING).count()


def _open_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if not meeting.is_published:
        raise MeetingError(_("This meeting is not open for registration."))
    if meeting.is_cancelled:
        raise MeetingError(_("This meeting has been cancelled."))
    if meeting.has_started:
        raise MeetingError(_("This meeting has already started."))
    return meeting


def rsvp_create(*, meeting: Meeting, user) -> Rsvp:
    """Register ``user``: going while seats last, then on the waiting list in order.

    The meeting row is locked so concurrent registrations cannot overfill it. Raises
    ``MeetingError`` for a cancelled, unpublished or started meeting, or a second RSVP.
    """
    with transaction.atomic():
        meeting = _open_meeting(meeting.pk)
        rsvp = Rsvp.objects.filter(meeting=meeting, user=user).first()
        if rsvp is not None and rsvp.status != Rsvp.Status.CANCELLED:
            raise MeetingError(_("You have already registered for this meeting."))
        full = meeting.capacity is not None and _going_count(meeting) >= meeting.capacity
        status = Rsvp.Status.WAITLISTED if full else Rsvp.Status.GOING
        if rsvp is None:
            rsvp = Rsvp.objects.create(meeting=meeting, user=user, status=status)
        else:
            rsvp.status, rsvp.status_changed_at = status, timezone.now()
            rsvp.save(update_fields=["status", "status_changed_at"])
        template = "rsvp_waitlisted" if full else "rsvp_confirmed"
        _email_person(
            user=user,
            meeting=meeting,
            template=template,
            key=f"meetings:{template}:{rsvp.pk}:{rsvp.status_changed_at.isoformat()}",
            going=not full,
            ics=not full,
            check_in_code="" if full else rsvp.code,
            extra={"code": rsvp.code},
        )
    return rsvp


def rsvp_cancel(*, meeting: Meeting, user) -> Rsvp:
    """Withdraw ``user``'s RSVP; a freed seat goes to the first person waiting, who gets an e-mail."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        rsvp = Rsvp.objects.filter(meeting=meeting, user=user).exclude(status=Rsvp.Status.CANCELLED).first()
        if rsvp is None:
            raise MeetingError(_("You are not registered for this meeting."))
        if meeting.has_started:
            raise MeetingError(_("This meeting has already started."))
        rsvp.status, rsvp.status_changed_at = Rsvp.Status.CANCELLED, timezone.now()
        rsvp.save(update_fields=["status", "status_changed_at"])
        _withdraw_reminders(meeting, reason="The registration was cancelled.", user_id=user.pk)
        if not meeting.is_cancelled:
            _promote_waitlisted(meeting)
    return rsvp


def _promote_waitlisted(meeting: Meeting) -> list[Rsvp]:
    """Fill free seats from the waiting list, first come first served. The caller holds the meeting lock."""
    if meeting.is_cancelled or meeting.has_started:
        return []
    waiting = (
        Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.WAITLISTED)
        .select_related("user")
        .order_by("status_changed_at", "id")
    )
    if meeting.capacity is not None:
        waiting = waiting[: max(meeting.capacity - _going_count(meeting), 0)]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status, rsvp.status_changed_at = Rsvp.Status.GOING, timezone.now()
        rsvp.save(update_fields=["status", "status_changed_at"])
        _email_person(
            user=rsvp.user,
            meeting=meeting,
            template="rsvp_promoted",
            key=f"meetings:rsvp_promoted:{rsvp.pk}:{rsvp.status_changed_at.isoformat()}",
            going=True,
            ics=True,
            check_in_code=rsvp.code,
            extra={"code": rsvp.code},
        )
    return promoted


def rsvp_check_in(*, meeting: Meeting, code: str, actor) -> Rsvp:
    """Mark the RSVP with registration ``code`` as arrived; returns it (with its user).

    Raises ``CheckInRefused`` (a ``MeetingError``) with an ``outcome``: "not_open" before the doors
    open (``CHECK_IN_OPENS_BEFORE`` the start), "limited" past ``CHECK_IN_ATTEMPTS`` tries by this
    officer (codes are secrets: guessing one is pointless), "not_found", "not_going" (waiting list
    or cancelled) or "already" (checked in before).
    """
    code = "".join((code or "").split()).upper()
    if timezone.now() < meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise CheckInRefused(
            _("%(title)s starts on %(start)s: check-in opens an hour before it starts.")
            % {"title": meeting.title, "start": format_moment(meeting.starts_at, "DATETIME_FORMAT")},
            outcome="not_open",
        )
    try:
        rate_limit_consume(scope="meetings.check-in", key=str(actor.pk), limit=CHECK_IN_ATTEMPTS, period=600)
    except RateLimited as limited:
        raise CheckInRefused(limited.message, outcome="limited") from None
    with transaction.atomic():
        rsvp = (
            Rsvp.objects.select_for_update(of=("self",))
            .select_related("user__profile")
            .filter(meeting=meeting, code=code)
            .first()
        )
        if rsvp is None:
            raise CheckInRefused(
                _("No registration for this meeting has the code %(code)s.") % {"code": code[:12] or "—"},
                outcome="not_found",
            )
        if rsvp.status != Rsvp.Status.GOING:
            raise CheckInRefused(
                _("Registration %(code)s is %(status)s, not going.")
                % {"code": code, "status": rsvp.get_status_display()},
                outcome="not_going",
                registration=rsvp,
            )
        if rsvp.checked_in_at is not None:
            raise CheckInRefused(
                _("Registration %(code)s was already checked in at %(time)s.")
                % {"code": code, "time": format_moment(rsvp.checked_in_at, "ZONED_TIME_FORMAT")},
                outcome="already",
                registration=rsvp,
            )
        rsvp.checked_in_at = timezone.now()
        rsvp.save(update_fields=["checked_in_at"])
        audit_record(actor=actor, action="meeting.checked_in", target=rsvp, detail={"meeting": meeting.pk})
    return rsvp


# --- Reminders ---------------------------------------------------------------------------------


def _due_offsets(meeting: Meeting, now: datetime) -> list[int]:
    """The one offset whose window ``now`` is in: past its send time and not yet overtaken by a
    shorter one (someone who registers two hours ahead gets the "24 h" reminder, not both)."""
    offsets = sorted(meeting.reminder_offsets or [], reverse=True)
    for index, offset in enumerate(offsets):
        window_start = meeting.starts_at - timedelta(minutes=offset)
        following = offsets[index + 1] if index + 1 < len(offsets) else 0
        if window_start <= now < meeting.starts_at - timedelta(minutes=following):
            return [offset]
    return []


def meeting_reminders_send(*, meeting_id: int, now: datetime | None = None) -> int:
    """Queue the reminders now due for one meeting; returns how many were queued.

    Runs under the meeting lock and re-reads its time, so a reminder is only ever computed for
    the current start time; the ``ReminderDelivery`` row makes any repeat a no-op.
    """
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.status != Meeting.Status.SCHEDULED or not meeting.is_published or meeting.starts_at <= now:
            return 0
        for offset in _due_offsets(meeting, now):
            rsvps = Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING).select_related("user")
            for rsvp in rsvps.order_by("id"):
                try:
                    with transaction.atomic():
                        ReminderDelivery.objects.create(rsvp=rsvp, offset_minutes=offset, starts_at=meeting.starts_at)
                except IntegrityError:
                    continue
                _email_person(
                    user=rsvp.user,
                    meeting=meeting,
                    template="reminder",
                    key=f"{_reminder_key(meeting, rsvp.user_id)}{offset}:{meeting.starts_at.isoformat()}",
                    going=True,
                    ics=True,
                    extra={"code": rsvp.code, "hours_before": round(offset / 60, 1), "offset_minutes": offset},
                )
                queued += 1
    return queued


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Every beat tick: find meetings with a reminder window open and queue what is due."""
    now = now or timezone.now()
    meeting_ids = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        is_published=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(minutes=MAX_REMINDER_OFFSET),
    ).values_list("pk", flat=True)
    return sum(meeting_reminders_send(meeting_id=meeting_id, now=now) for meeting_id in list(meeting_ids))


# --- Feedback requests ---------------------------------------------------------------------------


def uses_check_in(meeting: Meeting) -> bool:
    """Once anyone has been checked in, only people checked in count as having attended."""
    return Rsvp.objects.filter(meeting=meeting, checked_in_at__isnull=False).exists()


def feedback_eligible_rsvps(meeting: Meeting):
    rsvps = Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING)
    if uses_check_in(meeting):
        rsvps = rsvps.filter(checked_in_at__isnull=False)
    return rsvps


def meeting_feedback_request(*, meeting_id: int, now: datetime | None = None) -> int:
    """After a meeting ends: mark it completed and ask each attendee once for feedback."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.feedback_requested_at is not None or meeting.is_cancelled or meeting.ends_at > now:
            return 0
        meeting.status = Meeting.Status.COMPLETED
        meeting.feedback_requested_at = now
        meeting.save(update_fields=["status", "feedback_requested_at", "updated_at"])
        rsvps = list(feedback_eligible_rsvps(meeting).select_related("user").order_by("id"))
        for rsvp in rsvps:
            _email_person(
                user=rsvp.user,
                meeting=meeting,
                template="feedback_request",
                key=f"meetings:feedback_request:{meeting.pk}:{rsvp.user_id}",
                # The meeting is over: its link has no use any more.
                going=False,
                extra={"feedback_url": settings.SITE_URL + reverse("meetings:feedback", args=[meeting.slug])},
            )
    return len(rsvps)


def feedback_requests_send_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    meeting_ids = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        is_published=True,
        feedback_requested_at__isnull=True,
        ends_at__lte=now,
        ends_at__gt=now - FEEDBACK_REQUEST_WINDOW,
    ).values_list("pk", flat=True)
    return sum(meeting_feedback_request(meeting_id=meeting_id, now=now) for meeting_id in list(meeting_ids))


# --- Residents: questions and feedback -------------------------------------------------------------


def question_submit(*, meeting: Meeting, user, text: str) -> Question:
    """Ask a question ahead of the meeting; it waits for an officer to publish it.

    Raises ``MeetingError`` once the meeting has started, for text too short or long, a repeat,
    or more than ``QUESTIONS_PER_PERSON`` questions from one person.
    """
    text = " ".join((text or "").split())
    if len(text) < QUESTION_MIN_LENGTH:
        raise MeetingError(_("Please write at least %(min)s characters.") % {"min": QUESTION_MIN_LENGTH})
    if len(text) > QUESTION_MAX_LENGTH:
        raise MeetingError(_("Please keep your question under %(max)s characters.") % {"max": QUESTION_MAX_LENGTH})
    with transaction.atomic():
        meeting = _open_meeting(meeting.pk)
        asked = Question.objects.filter(meeting=meeting, author=user)
        if asked.filter(text__iexact=text).exists():
            raise MeetingError(_("You have already asked this question."))
        if asked.count() >= QUESTIONS_PER_PERSON:
            raise MeetingError(
                _("You can ask up to %(limit)s questions per meeting.") % {"limit": QUESTIONS_PER_PERSON}
            )
        return Question.objects.create(meeting=meeting, author=user, text=text)


def question_vote_toggle(*, question: Question, user) -> bool:
    """Add ``user``'s vote, or take it back if they had voted. Returns whether they now vote for it."""
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("meeting").get(pk=question.pk)
        if not question.is_public:
            raise MeetingError(_("This question is not open for votes."))
        if question.author_id == user.pk:
            raise MeetingError(_("You cannot vote for your own question."))
        if question.meeting.has_ended:
            raise MeetingError(_("Voting closed when the meeting ended."))
        deleted, _rows = QuestionVote.objects.filter(question=question, user=user).delete()
        if deleted:
            return False
        QuestionVote.objects.create(question=question, user=user)
        return True


def question_moderate(
    *, question: Question, actor, status: str, answer: str | None = None, translations: dict | None = None
) -> Question:
    """Publish, hide or answer a question (an answer marks it answered); ``translations`` (optional)
    holds the answer in other languages, ``{"es": {"answer": "..."}}``."""
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if answer is not None:
            question.answer = answer.strip()
        if translations is not None:
            question.translations = translations
        if status == Question.Status.ANSWERED and not question.answer:
            raise MeetingError(_("Write the answer before marking the question answered."))
        changed = question.status != status or answer is not None or translations is not None
        question.status = status
        if status == Question.Status.ANSWERED and question.answered_at is None:
            question.answered_at = timezone.now()
        question.save()
        if changed:
            audit_record(actor=actor, action=f"meeting.question_{status}", target=question)
    return question


def feedback_closes_at(meeting: Meeting) -> datetime:
    """Feedback is taken until this long after the end (``MEETINGS_FEEDBACK_WINDOW_DAYS``)."""
    return meeting.ends_at + timedelta(days=settings.MEETINGS_FEEDBACK_WINDOW_DAYS)


def feedback_check_allowed(*, meeting: Meeting, user) -> None:
    """Raise ``MeetingError`` unless ``user`` may give feedback on ``meeting`` now (a read: no lock)."""
    if meeting.is_cancelled:
        raise MeetingError(_("This meeting was cancelled."))
    if not meeting.has_ended:
        raise MeetingError(_("Feedback opens when the meeting ends."))
    if feedback_closes_at(meeting) <= timezone.now():
        raise MeetingError(_("Feedback on this meeting has closed."))
    if not feedback_eligible_rsvps(meeting).filter(user=user).exists():
        raise MeetingError(_("Only people who attended this meeting can give feedback on it."))
    if FeedbackReceipt.objects.filter(meeting=meeting, user=user).exists():
        raise MeetingError(_("You have already given feedback on this meeting. Thank you!"))


def feedback_submit(*, meeting: Meeting, user, anonymous: bool, **answers) -> Feedback | None:
    """Record one person's feedback once, after the meeting, if they attended.

    Named feedback is written at once and returned. Anonymous feedback returns None: it waits,
    with no user and no time, in ``PendingFeedback`` until ``MEETINGS_FEEDBACK_BATCH_SIZE``
    answers have come in or feedback closes, then ``feedback_release`` writes the batch in
    shuffled order in a transaction of its own. The receipt keeps only the person and the day.
    Raises ``MeetingError`` before the end, after the window, for a cancelled meeting, a
    non-attendee or a second time.
    """
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        feedback_check_allowed(meeting=meeting, user=user)
        FeedbackReceipt.objects.create(meeting=meeting, user=user)
        if not anonymous:
            feedback = Feedback(meeting=meeting, user=user, **answers)
            feedback.full_clean()
            feedback.save()
            return feedback
        pending = PendingFeedback(meeting=meeting, **answers)
        pending.full_clean()
        pending.save()
        if PendingFeedback.objects.filter(meeting=meeting).count() >= settings.MEETINGS_FEEDBACK_BATCH_SIZE:
            # Never in this transaction: the batch must not share a transaction id with a receipt.
            meeting_id = meeting.pk
            transaction.on_commit(lambda: _enqueue_feedback_release(meeting_id))
    return None


def _enqueue_feedback_release(meeting_id: int) -> None:
    """Hand a full batch to a worker; never raises: with the broker down, the hourly sweep
    (``feedback_release_due``) releases it."""
    from meetings.tasks import release_feedback

    try:
        release_feedback.apply_async((meeting_id,), retry=False)
    except Exception as exc:  # kombu and redis raise several types; all mean "broker unavailable".
        logger.warning("Broker unavailable, anonymous feedback waits for the hourly release: %s", exc)


def feedback_release(*, meeting_id: int, now: datetime | None = None) -> int:
    """Write a meeting's waiting anonymous answers as ``Feedback`` rows in shuffled order, with new
    random ids, and delete them from the pool; returns how many were released.

    Releases only a full batch (``MEETINGS_FEEDBACK_BATCH_SIZE``), or whatever waits once feedback
    has closed. Run in its own transaction (a task), never in a resident's.
    """
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        pending = list(PendingFeedback.objects.select_for_update().filter(meeting=meeting))
        closed = feedback_closes_at(meeting) <= now
        if not pending or (len(pending) < settings.MEETINGS_FEEDBACK_BATCH_SIZE and not closed):
            return 0
        secrets.SystemRandom().shuffle(pending)
        Feedback.objects.bulk_create(Feedback(meeting=meeting, user=None, **row.answers()) for row in pending)
        PendingFeedback.objects.filter(pk__in=[row.pk for row in pending]).delete()
    return len(pending)


def feedback_release_due(*, now: datetime | None = None) -> int:
    """Beat: release every full batch a worker missed, and what still waits once feedback has closed."""
    now = now or timezone.now()
    meeting_ids = PendingFeedback.objects.values_list("meeting_id", flat=True).distinct()
    return sum(feedback_release(meeting_id=meeting_id, now=now) for meeting_id in list(meeting_ids))


def feedback_response_publish(
    *, meeting: Meeting, actor, summary: str, response: str = "", translations: dict | None = None
) -> FeedbackResponse:
    """Publish (or update) the officers' "what you told us" summary on the meeting page;
    ``translations`` (optional) holds it in other languages, ``{"es": {"summary": ...}}``."""
    summary = summary.strip()
    if not summary:
        raise MeetingError(_("Write a summary before publishing."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not meeting.has_ended:
            raise MeetingError(_("Feedback can be answered once the meeting has ended."))
        values = {"summary": summary, "response": response.strip(), "author": actor, "published_at": timezone.now()}
        if translations is not None:
            values["translations"] = translations
        published, _created = FeedbackResponse.objects.update_or_create(meeting=meeting, defaults=values)
        audit_record(actor=actor, action="meeting.feedback_response_published", target=meeting)
    return published


# --- Officers: messages to participants ---------------------------------------------------------

PARTICIPANT_STATUSES = {
    "seated": (Rsvp.Status.GOING,),
    "waitlisted": (Rsvp.Status.WAITLISTED,),
    "all": (Rsvp.Status.GOING, Rsvp.Status.WAITLISTED),
}


def meeting_participants_message(*, meeting: Meeting, audience: str, subject: str, body: str, key: str, actor) -> int:
    """E-mail an officer's message to the meeting's ``audience`` ("seated" = going, "waitlisted", "all"),
    each in their language. ``key`` names this message: sending it again (a double submit) queues
    nothing new and writes no second audit entry. Returns how many people it is queued for."""
    from meetings.selectors import meeting_people

    with transaction.atomic():
        # Locked so two posts of the same message cannot both pass participants_message_queue's check.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        recipients = list(
            meeting_people(meeting, statuses=PARTICIPANT_STATUSES[audience]).select_related("user__profile")
        )
        participants_message_queue(
            target=meeting,
            people={rsvp.user_id: rsvp.user for rsvp in recipients},
            key_prefix=f"meetings:message:{meeting.pk}:{key}:",
            template="meetings/emails/participants_message",
            context_for=lambda language: participants_message_context(
                meeting, subject=subject, body=body, language=language
            ),
            audience=audience,
            subject=subject,
            audit_action="meeting.message",
            actor=actor,
        )
    return len(recipients)


def participants_message_context(meeting: Meeting, *, subject: str, body: str, language: str) -> dict:
    return {
        "subject": subject,
        "body": body,
        "title": str(translated(meeting, "title", language)),
        "url": settings.SITE_URL + meeting.get_absolute_url(),
    }

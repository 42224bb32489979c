"""Every change to programs and applications. Views, the admin and Celery tasks call these.

Seats are guarded by locking the program row (``select_for_update``): every service that
moves an application into or out of a seat or the waitlist takes that lock first, so counts
read inside it are exact even under simultaneous requests.
"""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Max
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.selectors import display_name_for, language_for, profile_for
from audit.services import audit_record
from outbox.models import Email
from outbox.services import email_queue, email_withdraw
from portal import check_in
from portal.calendar_links import calendar_links
from portal.check_in import qr_attachment
from portal.dates import format_moment
from portal.participants import participants_message_queue
from portal.ratelimit import RateLimited, rate_limit_check_all, rate_limit_consume
from portal.text import email_canonical
from portal.translated import translated
from programs.models import (
    AGE_OF_MAJORITY,
    Application,
    Attendance,
    GuardianConsent,
    GuardianOptOut,
    Program,
    ProgramSession,
)

CONSENT_SALT = "programs.guardian-consent"
Status = Application.Status


class ProgramError(Exception):
    """A refusal to show the person as it is (already translated)."""


class CheckInRefused(check_in.CheckInRefused, ProgramError):
    """A code that checks nobody in to a session; ``registration`` is the application the code
    belongs to when it does (no seat, already checked in)."""


# People arrive early: a session's door opens this long before it starts (as meetings' do).
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# Codes one officer may try at the door in ten minutes (see meetings.services.CHECK_IN_ATTEMPTS).
CHECK_IN_ATTEMPTS = 600
# The part of an application's code (a UUID) the door list and the e-mail show for typing.
SHORT_CODE_LENGTH = 8


def short_code(application: Application) -> str:
    """What a person types at the door: the first characters of their code (the QR code has it all)."""
    return application.code.hex[:SHORT_CODE_LENGTH].upper()


# --- Applying --------------------------------------------------------------------------------


def application_submit(
    *,
    program: Program,
    applicant,
    answers: dict[int, str] | None = None,
    date_of_birth: date | None = None,
    guardian_name: str = "",
    guardian_email: str = "",
) -> Application:
    """Apply ``applicant`` to ``program`` and return the new application.

    The application is accepted at once when a seat is free and nothing else is needed,
    waitlisted when the program is full, and left pending when an officer must approve it
    or a guardian must consent. Raises ``ProgramError`` when the program is not open, the
    applicant already applied, is not eligible, or left a required question unanswered.
    """
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(program.pk)
        _check_open(program, now)
        existing = Application.objects.filter(
            program=program, applicant=applicant, status__in=Application.LIVE_STATUSES
        ).first()
        if existing is not None:
            raise ProgramError(
                _("You already have an application to this program (%(status)s).")
                % {"status": existing.get_status_display().lower()}
            )
        _check_residency(program, applicant)
        is_minor = _check_age(program, date_of_birth)
        # One spelling per mailbox (portal.text.email_canonical): a variant of an address is that address
        # for the check below, the opt-outs and the per-guardian limit.
        guardian_name, guardian_email = guardian_name.strip(), email_canonical(guardian_email)
        if is_minor:
            if not guardian_name or not guardian_email:
                raise ProgramError(
                    _("Applicants under %(age)s need a parent or guardian: enter their name and e-mail.")
                    % {"age": AGE_OF_MAJORITY}
                )
            if guardian_email == email_canonical(applicant.email):
                raise ProgramError(_("The guardian's e-mail must be theirs, not yours."))
            if _opted_out(guardian_email):
                raise ProgramError(
                    _(
                        "The owner of this e-mail address asked not to get consent requests from us. "
                        "Enter your parent or guardian's own address."
                    )
                )
            # Counted before anything is written: a refused attempt is spent too, so applying,
            # withdrawing and applying again cannot mail one address after another.
            _limit_consent_emails(applicant_id=applicant.pk, guardian_email=guardian_email)
        else:
            # Only a minor's application involves a guardian.
            guardian_name = guardian_email = ""
        application = Application.objects.create(
            program=program,
            applicant=applicant,
            answers=_clean_answers(program, answers or {}),
            date_of_birth=date_of_birth if program.has_age_limits else None,
            guardian_name=guardian_name,
            guardian_email=guardian_email,
        )
        _email_applicant(application, "received")
        if application.needs_guardian_consent:
            _limit_consent_emails(application_id=application.pk)
            _send_consent_request(application, now)
        elif not program.requires_approval:
            _seat_or_waitlist(program, application, now)
    return application


def application_withdraw(*, application: Application, user) -> Application:
    """The applicant withdraws; a seat they held goes to the first waitlisted applicant.

    Raises ``ProgramError`` if ``user`` is not the applicant or the application is over.
    """
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(application.program_id)
        application = _reload(application)
        if application.applicant_id != user.pk:
            raise ProgramError(_("You can only withdraw your own applications."))
        _require_status(
            application,
            Application.WITHDRAWABLE_STATUSES,
            _("This application is %(status)s and can no longer be withdrawn."),
        )
        _leave(program, application, Status.WITHDRAWN, now)
        if application.guardian_email:
            # A request still waiting in the outbox need not reach the guardian any more.
            email_withdraw(key_prefix=consent_key_prefix(application), reason="application withdrawn")
    return application


def application_accept(*, application: Application, actor) -> Application:
    """An officer accepts a pending application: it takes a seat, or the waitlist when full.

    Raises ``ProgramError`` unless it is pending with any guardian consent given.
    """
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(application.program_id)
        application = _reload(application)
        _require_status(application, (Status.PENDING,), _("%(application)s is %(status)s, not pending."))
        if application.needs_guardian_consent:
            raise ProgramError(
                _("%(application)s still waits for a guardian's consent.") % {"application": application}
            )
        _seat_or_waitlist(program, application, now)
        audit_record(
            actor=actor, action="programs.application.accept", target=application, detail={"result": application.status}
        )
    return application


def application_decline(*, application: Application, actor, reason: str = "") -> Application:
    """An officer declines a pending, waitlisted or accepted application; a freed seat is refilled.

    ``reason`` is carried by the applicant's e-mail. Declining an accepted applicant takes away a seat
    they were promised, so it needs a reason (the admin asks for it on its confirmation page); raises
    ``ProgramError`` without one, or when the application cannot be declined.
    """
    reason = (reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(application.program_id)
        application = _reload(application)
        _require_status(
            application, Application.WITHDRAWABLE_STATUSES, _("%(application)s is %(status)s and cannot be declined.")
        )
        if application.status == Status.ACCEPTED and not reason:
            raise ProgramError(
                _("%(application)s is accepted: declining frees their seat, so give a reason for the applicant.")
                % {"application": application}
            )
        previous = application.status
        _leave(program, application, Status.DECLINED, now)
        _email_applicant(application, "declined", extra={"reason": reason})
        audit_record(
            actor=actor,
            action="programs.application.decline",
            target=application,
            detail={"previous": previous, "reason": reason},
        )
    return application


def decline_seat_effects(applications) -> dict[int, list[Application]]:
    """Who takes the seats that declining ``applications`` frees: program id -> the waitlisted promoted.

    Mirrors ``_fill_free_seats`` so the confirmation page names exactly who the decline then seats.
    """
    freed: dict[int, int] = {}
    for application in applications:
        if application.status == Status.ACCEPTED:
            freed[application.program_id] = freed.get(application.program_id, 0) + 1
    declining = [a.pk for a in applications]
    effects: dict[int, list[Application]] = {}
    for program in Program.objects.filter(pk__in=freed):
        free = program.capacity - (_seats_taken(program) - freed[program.pk])
        effects[program.pk] = list(
            Application.objects.filter(program=program, status=Status.WAITLISTED)
            .exclude(pk__in=declining)
            .select_related("applicant", "applicant__profile")
            .order_by("waitlist_position", "id")[: max(free, 0)]
        )
    return effects


def application_promote(*, application: Application, actor) -> Application:
    """An officer moves a waitlisted application into a free seat (out of turn if they choose).

    Raises ``ProgramError`` when it is not waitlisted or no seat is free.
    """
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(application.program_id)
        application = _reload(application)
        _require_status(application, (Status.WAITLISTED,), _("%(application)s is %(status)s, not waitlisted."))
        if _seats_taken(program) >= program.capacity:
            raise ProgramError(
                _("%(program)s has no free seat: raise its capacity first (the next in line is then promoted).")
                % {"program": program}
            )
        _promote(application, now)
        _renumber_waitlist(program)
        audit_record(actor=actor, action="programs.application.promote", target=application)
    return application


def application_complete(*, application: Application, actor) -> Application:
    """An officer marks an accepted applicant as having completed the program; they get a certificate.

    Only once the program's last session has ended; the completion (and the certificate's date) is
    that end, the day the course was actually completed, whichever day the officer gets to marking it.
    Raises ``ProgramError`` when the applicant is not accepted or the program has not ended.
    """
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(application.program_id)
        application = _reload(application)
        _require_status(
            application, (Status.ACCEPTED,), _("%(application)s is %(status)s; only accepted applicants can complete.")
        )
        last_end = program.sessions.aggregate(last=Max("ends_at"))["last"]
        if last_end is None:
            raise ProgramError(_("%(program)s has no sessions, so no one can complete it yet.") % {"program": program})
        if last_end > now:
            raise ProgramError(
                _("%(program)s ends on %(end)s: applicants can be marked completed only after its last session.")
                % {"program": program, "end": _format_datetime(last_end)}
            )
        application.status = Status.COMPLETED
        application.completed_at = last_end
        application.save(update_fields=["status", "completed_at", "updated_at"])
        _email_applicant(application, "certificate")
        audit_record(actor=actor, action="programs.application.complete", target=application)
    return application


def program_seats_fill(*, program: Program, actor=None) -> list[Application]:
    """Promote waitlisted applicants into any free seats (after capacity was raised). Returns them."""
    now = timezone.now()
    with transaction.atomic():
        program = _lock_program(program.pk)
        promoted = _fill_free_seats(program, now)
        for application in promoted:
            audit_record(actor=actor, action="programs.application.promote", target=application)
    return promoted


def program_capacity_problem(*, program: Program, capacity: int) -> str | None:
    """Why ``capacity`` would be refused for ``program``, or None when it fits the accepted seats."""
    taken = _seats_taken(program) if program.pk else 0
    if capacity < taken:
        return _(
            "%(taken)s applicants already hold a seat, so the capacity cannot go below %(taken)s. "
            "Decline or withdraw accepted applications first."
        ) % {"taken": taken}
    return None


# --- Guardian consent -------------------------------------------------------------------------


def _guardian_address_mark(guardian_email: str) -> str:
    # A keyed digest, not the address: the link (which ends up in browser histories and access
    # logs) must not name the guardian, and without SECRET_KEY nobody can test a guess against it.
    return salted_hmac(CONSENT_SALT, guardian_email.strip().lower()).hexdigest()[:24]


def consent_token_for(application: Application) -> str:
    # The guardian's address is signed too (as a digest), so a link stops working if it changes.
    mark = _guardian_address_mark(application.guardian_email)
    return signing.TimestampSigner(salt=CONSENT_SALT).sign(f"{application.code}:{mark}")


def consent_application_for(token: str) -> Application:
    """The application a consent link is for. Raises ``ProgramError`` if tampered, expired or used."""
    signer = signing.TimestampSigner(salt=CONSENT_SALT)
    max_age = settings.PROGRAMS_CONSENT_LINK_MAX_AGE
    try:
        value = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise ProgramError(
            _("This consent link has expired (links last %(days)s days). Ask the applicant to send a new one.")
            % {"days": max_age.days}
        ) from None
    except signing.BadSignature:
        raise ProgramError(_("This consent link is not valid. Check that you copied the whole link.")) from None
    code, _separator, mark = value.partition(":")
    try:
        application = (
            Application.objects.select_related("program", "applicant", "guardian_consent").filter(code=code).first()
        )
    except ValidationError:  # Signed by us, so only an old or foreign format gets here.
        application = None
    if application is not None and not _guardian_address_matches(application, mark):
        application = None
    if application is None:
        raise ProgramError(_("This consent link is no longer valid: a newer one was sent."))
    if hasattr(application, "guardian_consent"):
        raise ProgramError(_("Consent for this application was already given. Thank you."))
    _require_status(application, (Status.PENDING,), _("This application is %(status)s, so it needs no consent now."))
    return application


def _guardian_address_matches(application: Application, mark: str) -> bool:
    if "@" in mark:  # A link sent before links carried a digest (valid for PROGRAMS_CONSENT_LINK_DAYS).
        return constant_time_compare(mark, application.guardian_email)
    return bool(application.guardian_email) and constant_time_compare(
        mark, _guardian_address_mark(application.guardian_email)
    )


def consent_text_for(application: Application) -> str:
    """The statement the guardian agrees to; stored word for word with their consent."""
    return _(
        "I am the parent or legal guardian of %(applicant)s, and I consent to their taking part in "
        "“%(program)s”, run by the %(city)s police department, including every session listed for it. "
        "I confirm the details in their application are correct."
    ) % {
        "applicant": display_name_for(application.applicant),
        "program": application.program.title,
        "city": settings.CITY_NAME,
    }


def guardian_address_confirm(*, token: str) -> Application:
    """Whoever opened the e-mailed link confirms they are the applicant's parent or guardian.

    The first e-mail to a guardian's address says only that someone named it for a program; the
    applicant and the consent statement are shown after this step, and consent is accepted only
    after it. Confirming twice is harmless. Raises ``ProgramError`` as ``consent_application_for``.
    """
    now = timezone.now()
    with transaction.atomic():
        application = consent_application_for(token)
        _lock_program(application.program_id)
        application = consent_application_for(token)
        if application.guardian_confirmed_at is None:
            application.guardian_confirmed_at = now
            application.save(update_fields=["guardian_confirmed_at", "updated_at"])
    return application


def guardian_address_opt_out(*, token: str) -> None:
    """The owner of the address says they are not this applicant's guardian and wants no more of
    these e-mails: no application may name the address again, and queued requests to it are kept
    back. The applicant is not told (that would confirm the address is read); a resend tells them
    to name their guardian's own address. Raises ``ProgramError`` as ``consent_application_for``.
    """
    with transaction.atomic():
        application = consent_application_for(token)
        GuardianOptOut.objects.get_or_create(email=email_canonical(application.guardian_email))
        for other in Application.objects.filter(guardian_email__iexact=application.guardian_email):
            email_withdraw(key_prefix=consent_key_prefix(other), reason="guardian opted out")


def guardian_consent_give(*, token: str, guardian_name: str) -> Application:
    """Record a guardian's consent from their link; the application then proceeds as usual.

    Raises ``ProgramError`` for a tampered, expired or already-used link, or when the guardian
    has not yet confirmed their address (``guardian_address_confirm``).
    """
    now = timezone.now()
    with transaction.atomic():
        application = consent_application_for(token)
        program = _lock_program(application.program_id)
        application = consent_application_for(token)  # Re-read under the lock: one consent only.
        if application.guardian_confirmed_at is None:
            raise ProgramError(_("Please first confirm that you are the applicant's parent or guardian."))
        GuardianConsent.objects.create(
            application=application,
            guardian_name=guardian_name.strip(),
            guardian_email=application.guardian_email,
            consent_text=consent_text_for(application),
            consented_at=now,
        )
        if not program.requires_approval:
            _seat_or_waitlist(program, application, now)
    return application


def guardian_consent_request(*, application: Application, actor) -> Application:
    """(Re)send the guardian a fresh consent link. ``actor`` is the applicant or an officer."""
    now = timezone.now()
    with transaction.atomic():
        _lock_program(application.program_id)
        application = _reload(application)
        if actor.pk != application.applicant_id and not actor.is_staff:
            raise ProgramError(_("You can only resend consent requests for your own applications."))
        if application.status != Status.PENDING or not application.needs_guardian_consent:
            raise ProgramError(
                _("%(application)s is not waiting for a guardian's consent.") % {"application": application}
            )
        if _opted_out(application.guardian_email):
            raise ProgramError(
                _(
                    "The owner of %(email)s asked not to get these e-mails. Withdraw this application and apply "
                    "again with your parent or guardian's own e-mail address."
                )
                % {"email": application.guardian_email}
            )
        # Officers are held to the same per-address and per-application limits: they protect the
        # recipient, whoever presses the button.
        _limit_consent_emails(
            applicant_id=actor.pk if actor.pk == application.applicant_id else None,
            guardian_email=email_canonical(application.guardian_email),
            application_id=application.pk,
        )
        _send_consent_request(application, now)
        if actor.pk != application.applicant_id:
            audit_record(actor=actor, action="programs.application.consent_resend", target=application)
    return application


# --- Attendance and reminders -----------------------------------------------------------------


def attendance_record(*, session: ProgramSession, present_application_ids: set[int], actor) -> int:
    """Record who came to ``session``: every seated applicant is marked present or absent. Returns how many came.

    Raises ``ProgramError`` before the session has started: no one can have come yet.
    """
    if session.starts_at > timezone.now():
        raise ProgramError(
            _("%(session)s starts on %(start)s: attendance can be taken once it has started.")
            % {"session": session.title or session.program.title, "start": _format_datetime(session.starts_at)}
        )
    with transaction.atomic():
        _lock_program(session.program_id)
        seated = Application.objects.filter(program_id=session.program_id, status__in=Application.SEAT_STATUSES)
        present = 0
        for application in seated:
            is_present = application.pk in present_application_ids
            present += is_present
            Attendance.objects.update_or_create(
                session=session,
                application=application,
                defaults={"present": is_present, "recorded_by": actor},
            )
        audit_record(actor=actor, action="programs.session.attendance", target=session, detail={"present": present})
    return present


def attendance_check_in(*, session: ProgramSession, code: str, actor) -> Application:
    """Mark the seated applicant with ``code`` present at ``session``; returns the application.

    ``code`` is the application's code as its QR code carries it (a UUID) or its first
    ``SHORT_CODE_LENGTH`` characters, typed. Raises ``CheckInRefused`` with an ``outcome``:
    "not_open" more than ``CHECK_IN_OPENS_BEFORE`` before the start, "limited" past
    ``CHECK_IN_ATTEMPTS`` tries by this officer, "not_found", "not_seated" or "already".
    """
    typed = "".join(character for character in (code or "").lower() if character.isalnum())
    if timezone.now() < session.starts_at - CHECK_IN_OPENS_BEFORE:
        raise CheckInRefused(
            _("%(session)s starts on %(start)s: check-in opens an hour before it starts.")
            % {"session": session.title or session.program.title, "start": _format_datetime(session.starts_at)},
            outcome="not_open",
        )
    try:
        rate_limit_consume(scope="programs.check-in", key=str(actor.pk), limit=CHECK_IN_ATTEMPTS, period=600)
    except RateLimited as limited:
        raise CheckInRefused(limited.message, outcome="limited") from None
    shown = typed[:36].upper() or "—"
    # Codes are hexadecimal: any other letter (a "z", an "é", an Arabic digit) matches no one.
    if len(typed) not in (SHORT_CODE_LENGTH, 32) or typed.strip("0123456789abcdef"):
        raise CheckInRefused(
            _("No application to this program has the code %(code)s.") % {"code": shown}, outcome="not_found"
        )
    with transaction.atomic():
        _lock_program(session.program_id)
        applications = Application.objects.filter(program_id=session.program_id).select_related("applicant__profile")
        if len(typed) == 32:
            applications = applications.filter(code=uuid.UUID(typed))
        else:  # A UUID's text starts with its first eight hex digits, before the first hyphen.
            applications = applications.annotate(code_text=Cast("code", CharField())).filter(
                code_text__startswith=typed
            )
        candidates = list(applications[:2])
        if len(candidates) != 1:  # none, or (typed short codes) two that begin alike: ask for the QR code
            raise CheckInRefused(
                _("No application to this program has the code %(code)s.") % {"code": shown}, outcome="not_found"
            )
        application = candidates[0]
        if application.status not in Application.SEAT_STATUSES:
            raise CheckInRefused(
                _("This application is %(status)s: it holds no seat.")
                % {"status": application.get_status_display().lower()},
                outcome="not_seated",
                registration=application,
            )
        attendance = Attendance.objects.filter(session=session, application=application, present=True).first()
        if attendance is not None:
            raise CheckInRefused(_("Already checked in to this session."), outcome="already", registration=application)
        Attendance.objects.update_or_create(
            session=session, application=application, defaults={"present": True, "recorded_by": actor}
        )
        audit_record(
            actor=actor, action="programs.session.checked_in", target=application, detail={"session": session.pk}
        )
    return application


def session_reminders_send(*, now: datetime | None = None) -> int:
    """Queue a reminder to each seated applicant of every session starting within a day.

    Safe to run as often as wanted: the outbox's idempotency key (session, application and
    start time) makes each reminder go once; a rescheduled session gets a new one.
    """
    now = now or timezone.now()
    sessions = ProgramSession.objects.filter(
        starts_at__gt=now, starts_at__lte=now + timedelta(days=1), program__status__in=["published", "closed"]
    ).select_related("program")
    queued = 0
    for session in sessions:
        applications = Application.objects.filter(program=session.program, status=Status.ACCEPTED).select_related(
            "applicant", "program"
        )
        with transaction.atomic():
            for application in applications:
                key = f"programs:reminder:{session.pk}:{application.pk}:{session.starts_at.isoformat()}"
                if Email.objects.filter(idempotency_key=key).exists():
                    continue
                _email_applicant(
                    application,
                    "reminder",
                    key=key,
                    extra={
                        "session_title": str(
                            translated(session, "title", language_for(application.applicant))
                            or translated(session.program, "title", language_for(application.applicant))
                        ),
                        "session_starts": _format_datetime(session.starts_at, language_for(application.applicant)),
                        "session_location": str(translated(session, "location", language_for(application.applicant))),
                        "session_online_url": session.online_url,
                        **_session_calendar_links(session, language=language_for(application.applicant), seated=True),
                    },
                )
                queued += 1
    return queued


# --- Internals --------------------------------------------------------------------------------


def _lock_program(program_id: int) -> Program:
    return Program.objects.select_for_update().get(pk=program_id)


def _reload(application: Application) -> Application:
    return Application.objects.select_related("program", "applicant").get(pk=application.pk)


def _require_status(application: Application, statuses, refusal: str) -> None:
    """Raise ``ProgramError`` with ``refusal`` (which may name %(application)s and its %(status)s)
    unless ``application`` is in one of ``statuses``."""
    if application.status not in statuses:
        raise ProgramError(refusal % {"application": application, "status": application.get_status_display().lower()})


def _check_open(program: Program, now: datetime) -> None:
    if program.status == Program.Status.DRAFT:
        raise ProgramError(_("This program is not published yet, so it does not take applications."))
    if program.status == Program.Status.CLOSED:
        raise ProgramError(_("This program is closed to applications."))
    if now < program.applications_open_at:
        raise ProgramError(
            _("Applications open on %(when)s.") % {"when": _format_datetime(program.applications_open_at)}
        )
    if now >= program.applications_close_at:
        raise ProgramError(
            _("Applications closed on %(when)s.") % {"when": _format_datetime(program.applications_close_at)}
        )


def _check_residency(program: Program, applicant) -> None:
    if not program.residents_only:
        return
    home = profile_for(applicant).home_neighbourhood
    if home is None:
        raise ProgramError(
            _("This program is for residents of %(city)s: add your home neighbourhood to your profile first.")
            % {"city": settings.CITY_NAME}
        )
    if program.neighbourhood_id and home.pk != program.neighbourhood_id:
        raise ProgramError(
            _("This program is for residents of %(neighbourhood)s; your profile says you live in %(home)s.")
            % {"neighbourhood": program.neighbourhood, "home": home}
        )


def _start_day(program: Program) -> date:
    """The day ages are counted on: the first session's, else the day applications close."""
    first = program.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    return timezone.localdate(first or program.applications_close_at)


def _check_age(program: Program, date_of_birth: date | None) -> bool:
    """Check the age bounds; return whether the applicant is a minor (only known with age limits)."""
    if not program.has_age_limits:
        return False
    if date_of_birth is None:
        raise ProgramError(_("This program has age limits: enter your date of birth."))
    start = _start_day(program)
    if date_of_birth >= start:
        raise ProgramError(_("Check your date of birth: it is not before the program starts."))
    born = date_of_birth
    age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
    if program.min_age is not None and age < program.min_age:
        raise ProgramError(
            _("This program is for ages %(min)s and over; you would be %(age)s when it starts.")
            % {"min": program.min_age, "age": age}
        )
    if program.max_age is not None and age > program.max_age:
        raise ProgramError(
            _("This program is for ages up to %(max)s; you would be %(age)s when it starts.")
            % {"max": program.max_age, "age": age}
        )
    return age < AGE_OF_MAJORITY


def _clean_answers(program: Program, answers: dict[int, str]) -> list[dict]:
    """The answers as stored: each question's text beside its answer, so later edits keep them readable."""
    cleaned = []
    for question in program.questions.all():
        answer = str(answers.get(question.pk, "") or "").strip()
        if question.required and not answer:
            raise ProgramError(_("Please answer “%(question)s”.") % {"question": question.text})
        if answer and question.kind == question.Kind.CHOICE and answer not in question.choice_list:
            raise ProgramError(_("Pick one of the options for “%(question)s”.") % {"question": question.text})
        if answer and question.kind == question.Kind.YES_NO and answer not in ("yes", "no"):
            raise ProgramError(_("Answer yes or no to “%(question)s”.") % {"question": question.text})
        cleaned.append({"question_id": question.pk, "question": question.text, "answer": answer})
    return cleaned


def _seats_taken(program: Program) -> int:
    return Application.objects.filter(program=program, status__in=Application.SEAT_STATUSES).count()


def _seat_or_waitlist(program: Program, application: Application, now: datetime) -> None:
    """Seat the application if one is free and nobody waits ahead of it; else append it to the waitlist."""
    waiting = Application.objects.filter(program=program, status=Status.WAITLISTED).exists()
    if not waiting and _seats_taken(program) < program.capacity:
        application.status = Status.ACCEPTED
        application.waitlist_position = None
        application.decided_at = now
        application.save(update_fields=["status", "waitlist_position", "decided_at", "updated_at"])
        _email_applicant(application, "accepted")
        return
    last = Application.objects.filter(program=program, status=Status.WAITLISTED).aggregate(
        last=Max("waitlist_position")
    )["last"]
    application.status = Status.WAITLISTED
    application.waitlist_position = (last or 0) + 1
    application.decided_at = now
    application.save(update_fields=["status", "waitlist_position", "decided_at", "updated_at"])
    _email_applicant(application, "waitlisted")


def _leave(program: Program, application: Application, status: str, now: datetime) -> None:
    """Move an application out (withdrawn or declined) and refill the seat or close the waitlist gap."""
    application.status = status
    application.waitlist_position = None
    application.decided_at = now
    application.save(update_fields=["status", "waitlist_position", "decided_at", "updated_at"])
    _fill_free_seats(program, now)
    _renumber_waitlist(program)


def _promote(application: Application, now: datetime) -> None:
    application.status = Status.ACCEPTED
    application.waitlist_position = None
    application.decided_at = now
    application.save(update_fields=["status", "waitlist_position", "decided_at", "updated_at"])
    _email_applicant(application, "promoted")


def _fill_free_seats(program: Program, now: datetime) -> list[Application]:
    free = program.capacity - _seats_taken(program)
    if free <= 0:
        return []
    promoted = list(
        Application.objects.filter(program=program, status=Status.WAITLISTED)
        .select_related("program", "applicant")
        .order_by("waitlist_position", "id")[:free]
    )
    for application in promoted:
        _promote(application, now)
    _renumber_waitlist(program)
    return promoted


def _renumber_waitlist(program: Program) -> None:
    """Keep waitlist positions 1, 2, 3, … in their existing order."""
    waiting = list(
        Application.objects.filter(program=program, status=Status.WAITLISTED).order_by("waitlist_position", "id")
    )
    changed = []
    for position, application in enumerate(waiting, start=1):
        if application.waitlist_position != position:
            application.waitlist_position = position
            changed.append(application)
    Application.objects.bulk_update(changed, ["waitlist_position"])


def _opted_out(guardian_email: str) -> bool:
    return GuardianOptOut.objects.filter(email=email_canonical(guardian_email)).exists()


def consent_key_prefix(application: Application) -> str:
    return f"programs:consent:{application.pk}:"


def _limit_consent_emails(
    *, applicant_id: int | None = None, guardian_email: str = "", application_id: int | None = None
) -> None:
    """Count one e-mail to a guardian against each limit that applies; ``ProgramError`` when over one."""
    period = settings.PROGRAMS_CONSENT_LIMIT_SECONDS
    limits = []
    if applicant_id is not None:
        limits.append(
            ("programs-consent-applicant", str(applicant_id), settings.PROGRAMS_CONSENT_LIMIT_PER_APPLICANT, period)
        )
    if guardian_email:
        limits.append(
            ("programs-consent-guardian", guardian_email, settings.PROGRAMS_CONSENT_LIMIT_PER_GUARDIAN, period)
        )
    if application_id is not None:
        limits.append(
            (
                "programs-consent-application",
                str(application_id),
                settings.PROGRAMS_CONSENT_LIMIT_PER_APPLICATION,
                period,
            )
        )
    try:
        rate_limit_check_all(limits)
    except RateLimited as limited:
        raise ProgramError(
            _("We cannot e-mail a guardian again so soon. %(wait)s") % {"wait": limited.message}
        ) from None


def _send_consent_request(application: Application, now: datetime) -> None:
    """E-mail the guardian's address a link to confirm it, then consent.

    The message carries nothing the applicant typed (not their name, not the guardian's name
    they gave): only the program, written by officers, and the portal's own link. Whoever
    receives it sees who applied only after confirming from the link that they are the guardian.
    """
    application.consent_requested_at = now
    application.save(update_fields=["consent_requested_at", "updated_at"])
    language = language_for(application.applicant)
    max_age = settings.PROGRAMS_CONSENT_LINK_MAX_AGE
    email_queue(
        to=application.guardian_email,
        template="programs/emails/consent_request",
        context={
            "program_title": str(translated(application.program, "title", language)),
            "city_name": settings.CITY_NAME,
            "consent_url": settings.SITE_URL + reverse("programs:consent", args=[consent_token_for(application)]),
            "expires": _format_datetime(now + max_age, language),
        },
        # Each request is its own message: a resend must go out even though an earlier one did.
        idempotency_key=f"{consent_key_prefix(application)}{now.isoformat()}",
        language=language,
    )


def _session_calendar_links(session: ProgramSession, *, language: str, seated: bool) -> dict[str, str]:
    """Links adding ``session`` to Google Calendar and Outlook, and the program's .ics (all its
    sessions) for Apple Calendar; the online link goes in only for someone ``seated``."""
    program = session.program
    url = settings.SITE_URL + program.get_absolute_url()
    online_url = session.online_url if seated else ""
    return calendar_links(
        title=str(translated(session, "title", language) or translated(program, "title", language)),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=" · ".join(filter(None, [str(translated(session, "location", language)), online_url])),
        details="\n".join(filter(None, [url, online_url])),
        ics_url=settings.SITE_URL + reverse("programs:ics", args=[program.slug]),
    )


def _email_applicant(application: Application, name: str, *, key: str | None = None, extra: dict | None = None):
    if not application.applicant.email:  # A deleted resident's stand-in (accounts.services.account_delete).
        return None
    language = language_for(application.applicant)
    return email_queue(
        to=application.applicant.email,
        template=f"programs/emails/{name}",
        context=applicant_email_context(application, name, language=language, extra=extra),
        idempotency_key=key or f"programs:{name}:{application.pk}",
        language=language,
        attachments=[qr_attachment(str(application.code))] if name in ("accepted", "promoted") else None,
    )


def applicant_email_context(application: Application, name: str, *, language: str, extra: dict | None = None) -> dict:
    """The context of the applicant's ``name`` e-mail in ``language`` (also what confirmation pages preview)."""
    program = application.program
    first_session = program.sessions.order_by("starts_at").first()
    first_start = first_session.starts_at if first_session else None
    seat = name in ("accepted", "promoted")
    # A seat's e-mail offers the first session to a calendar (each session's reminder offers that one).
    calendar = (
        _session_calendar_links(first_session, language=language, seated=application.is_seated)
        if seat and first_session
        else {}
    )
    return {
        **calendar,
        "applicant_name": display_name_for(application.applicant),
        "program_title": str(translated(program, "title", language)),
        "program_url": settings.SITE_URL + program.get_absolute_url(),
        "mine_url": settings.SITE_URL + reverse("programs:mine"),
        "programs_url": settings.SITE_URL + reverse("programs:list"),
        "status": application.status,
        "waitlist_position": application.waitlist_position,
        "needs_consent": application.needs_guardian_consent,
        "needs_approval": program.requires_approval,
        "first_session": _format_datetime(first_start, language) if first_start else "",
        # A seat's e-mail carries the application's code as a QR code, scanned at each session's door.
        **({"check_in_qr": True, "check_in_code": short_code(application)} if seat else {}),
        **(extra or {}),
    }


def _format_datetime(value: datetime, language: str | None = None) -> str:
    return format_moment(value, "DATETIME_FORMAT", language=language)


def program_participants_message(*, program: Program, audience: str, subject: str, body: str, key: str, actor) -> int:
    """E-mail an officer's message to the program's ``audience`` ("seated", "waitlisted", "all"), each
    in their language. ``key`` names this message: sending it again (a double submit) queues nothing
    new and writes no second audit entry. Returns how many people the message is queued for."""
    from programs.selectors import program_participants

    with transaction.atomic():
        # Locked so two posts of the same message cannot both pass participants_message_queue's check.
        program = _lock_program(program.pk)
        recipients = list(program_participants(program, audience))
        participants_message_queue(
            target=program,
            people={application.pk: application.applicant for application in recipients},
            key_prefix=f"programs:message:{program.pk}:{key}:",
            template="programs/emails/participants_message",
            context_for=lambda language: participants_message_context(
                program, subject=subject, body=body, language=language
            ),
            audience=audience,
            subject=subject,
            audit_action="programs.program.message",
            actor=actor,
        )
    return len(recipients)


def participants_message_context(program: Program, *, subject: str, body: str, language: str) -> dict:
    return {
        "subject": subject,
        "body": body,
        "program_title": str(translated(program, "title", language)),
        "program_url": settings.SITE_URL + program.get_absolute_url(),
    }

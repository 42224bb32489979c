"""Reads for program pages: each returns a queryset or object with what its page shows, in few queries."""

from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from programs.models import Application, Attendance, Program, ProgramSession

# "Starting soon" on the list: the first session is within this many days.
STARTING_SOON = timedelta(days=30)


def _count_subquery(queryset) -> Coalesce:
    """A correlated COUNT(*) so several counts can sit on one row without multiplying joins."""
    counted = queryset.order_by().values("program").annotate(n=Count("pk", distinct=True)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_first_session(queryset: QuerySet[Program]) -> QuerySet[Program]:
    first_session = ProgramSession.objects.filter(program=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    return queryset.annotate(first_session_at=Subquery(first_session))


def _with_seats(queryset: QuerySet[Program]) -> QuerySet[Program]:
    """With ``first_session_at`` and ``seats_taken`` (which ``Program.seats_left`` reads)."""
    return _with_first_session(queryset).annotate(
        seats_taken=_count_subquery(
            Application.objects.filter(program=OuterRef("pk"), status__in=Application.SEAT_STATUSES)
        ),
    )


def program_list(
    *,
    kind: str = "",
    neighbourhood=None,
    open_only: bool = False,
    starting_soon: bool = False,
    seats: bool = True,
) -> QuerySet[Program]:
    """Published (and closed) programs with their first session and seats taken, soonest first.

    ``neighbourhood`` keeps that neighbourhood's programs and the city-wide ones. Without
    ``seats`` (a page that does not show them), the seats taken are not counted.
    """
    now = timezone.now()
    programs = Program.objects.filter(status__in=[Program.Status.PUBLISHED, Program.Status.CLOSED]).select_related(
        "neighbourhood"
    )
    programs = _with_seats(programs) if seats else _with_first_session(programs)
    if kind:
        programs = programs.filter(kind=kind)
    if neighbourhood is not None:
        programs = programs.filter(Q(neighbourhood=neighbourhood) | Q(neighbourhood__isnull=True))
    if open_only:
        programs = programs.filter(
            status=Program.Status.PUBLISHED, applications_open_at__lte=now, applications_close_at__gt=now
        )
    if starting_soon:
        programs = programs.filter(first_session_at__gt=now, first_session_at__lte=now + STARTING_SOON)
    return programs.order_by("-status", "first_session_at", "title")


def program_for_visitor(*, slug: str) -> Program:
    """A published or closed program with sessions and questions; drafts are a 404 to residents."""
    programs = _with_seats(
        Program.objects.filter(status__in=[Program.Status.PUBLISHED, Program.Status.CLOSED])
        .select_related("neighbourhood")
        .prefetch_related("sessions", "questions")
    )
    try:
        return programs.get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def live_application_for(*, program: Program, user) -> Application | None:
    if not user.is_authenticated:
        return None
    return Application.objects.filter(program=program, applicant=user, status__in=Application.LIVE_STATUSES).first()


def applications_of(*, user) -> QuerySet[Application]:
    """A resident's applications, newest first, with their program, any guardian consent and when
    the program's first session starts (``first_session_at``), in one query."""
    first_session = (
        ProgramSession.objects.filter(program=OuterRef("program")).order_by("starts_at").values("starts_at")[:1]
    )
    return (
        Application.objects.filter(applicant=user)
        .select_related("program", "program__neighbourhood", "guardian_consent")
        .annotate(first_session_at=Subquery(first_session))
        .order_by("-created_at", "-id")
    )


def application_of(*, user, code) -> Application:
    """The user's own application with this code, else 404 (another's is as unknown as a missing one)."""
    try:
        return applications_of(user=user).get(code=code)
    except (Application.DoesNotExist, ValueError):
        raise Http404("No such application.") from None


def programs_with_counts(queryset: QuerySet[Program]) -> QuerySet[Program]:
    """Add applied / accepted / waitlisted / attended counts (attended: came to at least one session)."""
    return queryset.annotate(
        applied_count=_count_subquery(Application.objects.filter(program=OuterRef("pk"))),
        accepted_count=_count_subquery(
            Application.objects.filter(program=OuterRef("pk"), status__in=Application.SEAT_STATUSES)
        ),
        waitlisted_count=_count_subquery(
            Application.objects.filter(program=OuterRef("pk"), status=Application.Status.WAITLISTED)
        ),
        attended_count=_count_subquery(
            Application.objects.filter(
                program=OuterRef("pk"),
                pk__in=Attendance.objects.filter(present=True).values("application"),
            )
        ),
    )


def roster_of(*, program: Program) -> QuerySet[Application]:
    """Everyone with a live application to ``program``, with what the roster shows."""
    return (
        Application.objects.filter(program=program, status__in=Application.LIVE_STATUSES)
        .select_related("applicant", "applicant__profile", "guardian_consent")
        .annotate(sessions_attended=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("status", "waitlist_position", "created_at")
    )


# --- The officers' desk ------------------------------------------------------------------------


def applications_consent_overdue(*, now=None) -> QuerySet[Application]:
    """Live applications whose guardian was asked for consent over ``DESK_CONSENT_OVERDUE_DAYS``
    days ago and has not given it yet (the desk's count and the application list's filter)."""
    from django.conf import settings

    now = now or timezone.now()
    since = now - timedelta(days=settings.DESK_CONSENT_OVERDUE_DAYS)
    return Application.objects.filter(
        status__in=Application.WITHDRAWABLE_STATUSES,
        consent_requested_at__lt=since,
        guardian_consent__isnull=True,
    ).exclude(guardian_email="")


def sessions_between(start, end) -> QuerySet[ProgramSession]:
    """Sessions of published or closed programs starting in [start, end), with their program: one query."""
    return (
        ProgramSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(program__status=Program.Status.DRAFT)
        .select_related("program")
        .order_by("starts_at", "id")
    )


PARTICIPANT_STATUSES = {
    "seated": Application.SEAT_STATUSES,
    "waitlisted": (Application.Status.WAITLISTED,),
    "all": (*Application.SEAT_STATUSES, Application.Status.WAITLISTED),
}


def program_participants(program: Program, audience: str) -> QuerySet[Application]:
    """The applications an officer's message to ``audience`` ("seated", "waitlisted", "all") reaches:
    those with an address. The sending service and its confirmation page both read this."""
    return (
        Application.objects.filter(program=program, status__in=PARTICIPANT_STATUSES[audience])
        .exclude(applicant__email="")
        .select_related("applicant", "applicant__profile")
        .order_by("pk")
    )

"""Reads for the meeting pages, each in a fixed number of queries whatever the number of rows."""

from calendar import Calendar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from meetings.models import AgendaItem, Meeting, Question, QuestionVote, Rsvp


def published_meetings() -> QuerySet[Meeting]:
    """Published meetings with their neighbourhood, for a page that shows no seats."""
    return Meeting.objects.filter(is_published=True).select_related("neighbourhood")


def public_meetings() -> QuerySet[Meeting]:
    """Published meetings with what a list shows: neighbourhood and seats taken."""
    return published_meetings().annotate(going_count=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)))


def feed_meetings(*, neighbourhood=None) -> list[Meeting]:
    """What a calendar feed lists: published meetings from ``MEETINGS_FEED_PAST_DAYS`` ago on, at
    most ``MEETINGS_FEED_MAX_EVENTS`` (the soonest first), so its size and cost do not grow with
    the years of history. One query, on the (is_published, status, starts_at) index."""
    since = timezone.now() - timedelta(days=settings.MEETINGS_FEED_PAST_DAYS)
    meetings = Meeting.objects.filter(is_published=True, starts_at__gte=since)
    if neighbourhood is not None:
        meetings = meetings.filter(neighbourhood=neighbourhood)
    return list(meetings.order_by("starts_at", "id")[: settings.MEETINGS_FEED_MAX_EVENTS])


def meeting_list(*, past: bool = False, neighbourhood=None, kind: str = "", seats: bool = True) -> QuerySet[Meeting]:
    """The list's meetings; without ``seats``, the same rows with no RSVPs counted (to count them)."""
    now = timezone.now()
    meetings = public_meetings() if seats else published_meetings()
    if past:
        meetings = meetings.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        meetings = meetings.filter(ends_at__gt=now).order_by("starts_at", "id")
    if neighbourhood is not None:
        meetings = meetings.filter(neighbourhood=neighbourhood)
    if kind:
        meetings = meetings.filter(kind=kind)
    return meetings


def meeting_detail(*, slug: str) -> Meeting | None:
    """A published meeting with everything its page shows: agenda, hosts, and in the same row its
    feedback response, drill plan or audit walk (one-to-ones the page reads, each a query if lazy)."""
    return (
        public_meetings()
        .select_related("feedback_response", "drill_plan", "audit_walk__template")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "id")),
            "hosts__profile",
        )
        .filter(slug=slug)
        .first()
    )


def public_questions(*, meeting: Meeting, user=None) -> list[Question]:
    """Published and answered questions, most votes first, with whether ``user`` voted for each."""
    questions = (
        Question.objects.filter(meeting=meeting, status__in=[Question.Status.PUBLISHED, Question.Status.ANSWERED])
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "created_at", "id")
    )
    if user is not None and user.is_authenticated:
        questions = questions.annotate(voted=Exists(QuestionVote.objects.filter(question=OuterRef("pk"), user=user)))
    return list(questions)


def own_questions(*, meeting: Meeting, user) -> list[Question]:
    if not user.is_authenticated:
        return []
    return list(Question.objects.filter(meeting=meeting, author=user).order_by("created_at", "id"))


def rsvp_for(*, meeting: Meeting, user) -> Rsvp | None:
    if not user.is_authenticated:
        return None
    return Rsvp.objects.filter(meeting=meeting, user=user).exclude(status=Rsvp.Status.CANCELLED).first()


def waitlist_position(rsvp: Rsvp) -> int:
    return (
        Rsvp.objects.filter(meeting_id=rsvp.meeting_id, status=Rsvp.Status.WAITLISTED)
        .filter(
            Q(status_changed_at__lt=rsvp.status_changed_at)
            | Q(status_changed_at=rsvp.status_changed_at, id__lt=rsvp.id)
        )
        .count()
        + 1
    )


def month_calendar(*, year: int, month: int, neighbourhood=None) -> list[list[tuple[date, list[Meeting]]]]:
    """Weeks (Monday first) of (day, meetings that day) for one month, in local time."""
    weeks = Calendar(firstweekday=0).monthdatescalendar(year, month)
    zone = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(weeks[0][0], time.min), zone)
    last = timezone.make_aware(datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min), zone)
    meetings = public_meetings().filter(starts_at__gte=first, starts_at__lt=last).order_by("starts_at", "id")
    if neighbourhood is not None:
        meetings = meetings.filter(neighbourhood=neighbourhood)
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    return [[(day, by_day.get(day, [])) for day in week] for week in weeks]


def feedback_results(*, meeting: Meeting) -> dict:
    """Averages and 1-5 distributions per aspect, concern answers and comments, for the officers."""
    from meetings.models import Feedback, PendingFeedback

    rows = list(
        Feedback.objects.filter(meeting=meeting).values(*Feedback.RATING_FIELDS, "concern_addressed", "comment")
    )
    aspects = []
    for field_name in Feedback.RATING_FIELDS:
        values = [row[field_name] for row in rows]
        distribution = [(score, values.count(score)) for score in range(1, 6)]
        aspects.append(
            {
                "label": Feedback._meta.get_field(field_name).verbose_name,
                "average": round(sum(values) / len(values), 2) if values else None,
                "distribution": distribution,
            }
        )
    concerns = [
        (label, sum(1 for row in rows if row["concern_addressed"] == value))
        for value, label in Feedback.Concern.choices
    ]
    comments = [row["comment"] for row in rows if row["comment"]]
    # Anonymous answers still waiting for their batch: counted, never shown one by one.
    waiting = PendingFeedback.objects.filter(meeting=meeting).count()
    return {"count": len(rows), "aspects": aspects, "concerns": concerns, "comments": comments, "waiting": waiting}


# --- The officers' desk ------------------------------------------------------------------------


def questions_to_moderate(*, now=None) -> QuerySet[Question]:
    """Questions waiting for moderation on meetings that have not ended and are not cancelled."""
    now = now or timezone.now()
    return Question.objects.filter(
        status=Question.Status.PENDING, meeting__ends_at__gt=now, meeting__status=Meeting.Status.SCHEDULED
    )


def meetings_with_feedback_to_answer() -> QuerySet[Meeting]:
    """Meetings with released feedback and no published "what you told us" response yet."""
    from meetings.models import Feedback, FeedbackResponse

    answered = FeedbackResponse.objects.filter(meeting=OuterRef("pk"), published_at__isnull=False)
    return Meeting.objects.filter(Exists(Feedback.objects.filter(meeting=OuterRef("pk"))), ~Exists(answered))


def meeting_people(meeting: Meeting, *, statuses=(Rsvp.Status.GOING, Rsvp.Status.WAITLISTED)) -> QuerySet[Rsvp]:
    """RSVPs of ``meeting`` in ``statuses`` whose person has an address: whom its e-mails reach
    (a cancellation, a change, an officer's message), and what their confirmation pages count."""
    return (
        Rsvp.objects.filter(meeting=meeting, status__in=list(statuses))
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")
    )


def meetings_between(start, end) -> QuerySet[Meeting]:
    """Scheduled meetings starting in [start, end): one query."""
    return Meeting.objects.filter(starts_at__gte=start, starts_at__lt=end, status=Meeting.Status.SCHEDULED).order_by(
        "starts_at", "id"
    )

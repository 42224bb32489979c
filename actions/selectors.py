"""Reads about action plans. Lists cost the same few queries whatever their length."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from actions.models import ActionItem, ActionUpdate


def overdue_condition(today: date) -> Q:
    """Late: due before the city's ``today`` and neither done nor found not possible."""
    return Q(due_date__lt=today) & ~Q(status__in=ActionItem.CLOSED)


def with_overdue(queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    """Annotate ``is_overdue``, worked out by the database against the city's date (the clock)."""
    today = today or timezone.localdate()
    return queryset.annotate(
        is_overdue=Case(
            When(overdue_condition(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def public_actions(
    *, neighbourhood=None, city_wide_only: bool = False, status: str = "", source_kind: str = "", today=None
) -> QuerySet:
    """Action items for the public pages, each with its timeline prefetched and ``is_overdue``.

    ``neighbourhood`` narrows to that neighbourhood's items; ``status`` and ``source_kind`` filter
    when they are valid choices (anything else is ignored by the caller's form).
    """
    queryset = ActionItem.objects.select_related("neighbourhood").prefetch_related(
        Prefetch("updates", queryset=ActionUpdate.objects.order_by("created_at", "id"))
    )
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    elif city_wide_only:
        queryset = queryset.filter(neighbourhood__isnull=True)
    if status:
        queryset = queryset.filter(status=status)
    if source_kind:
        queryset = queryset.filter(source_kind=source_kind)
    return with_overdue(queryset, today=today).order_by("-updated_at", "-id")


def action_by_code(code) -> ActionItem:
    return (
        with_overdue(ActionItem.objects.select_related("neighbourhood"))
        .prefetch_related(Prefetch("updates", queryset=ActionUpdate.objects.order_by("created_at", "id")))
        .annotate(follower_count=Count("followers", filter=Q(followers__muted=False), distinct=True))
        .get(code=code)
    )


def actions_for_source(obj) -> QuerySet:
    """The actions that came out of ``obj`` (any model instance), newest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return with_overdue(ActionItem.objects.filter(source_type=content_type, source_id=obj.pk)).order_by(
        "-created_at", "-id"
    )


def actions_for_meeting(meeting) -> QuerySet:
    """ "You said, we did": the actions from a meeting's questions and from its feedback response."""
    from meetings.models import FeedbackResponse, Question

    question_type = ContentType.objects.get_for_model(Question)
    response_type = ContentType.objects.get_for_model(FeedbackResponse)
    question_ids = Question.objects.filter(meeting=meeting).values("pk")
    response_ids = FeedbackResponse.objects.filter(meeting=meeting).values("pk")
    queryset = ActionItem.objects.filter(
        Q(source_type=question_type, source_id__in=question_ids)
        | Q(source_type=response_type, source_id__in=response_ids)
    )
    return with_overdue(queryset).order_by("created_at", "id")


def due_soon_or_overdue(*, today: date, within_days: int) -> QuerySet:
    """Open items with a due date on or before ``today + within_days`` (overdue ones included)."""
    return with_overdue(
        ActionItem.objects.filter(due_date__lte=today + timedelta(days=within_days)).exclude(
            status__in=ActionItem.CLOSED
        ),
        today=today,
    ).order_by("due_date", "id")


def changed_between(*, start, end) -> QuerySet:
    """Items whose status changed or that got an update in [start, end) (the weekly digest's week)."""
    changed = ActionUpdate.objects.filter(created_at__gte=start, created_at__lt=end).values("action_id")
    return with_overdue(ActionItem.objects.filter(pk__in=changed).select_related("neighbourhood")).order_by(
        "-updated_at", "-id"
    )


def status_counts(*, neighbourhood=None) -> dict[str, int]:
    """How many items are in each status (one grouped query), for the list's summary."""
    queryset = ActionItem.objects.all()
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    counts = dict(queryset.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in ActionItem.Status.values}

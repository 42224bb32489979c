"""Raw figures for one stored period, straight from the apps' tables, then suppressed.

Each data set's function returns a ``Table``: the counts (including helper cells that are never
published but take part in suppression, such as "questions not answered"), the additive groups
between them, and the averages and shares derived from them. ``publishable`` turns it into the
cells that may be stored. Every query groups by neighbourhood, so the number of queries does not
depend on how many rows there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce

from actions.models import ActionItem
from alerts.models import Alert
from meetings.models import Feedback, Meeting, Question, Rsvp
from programs.models import Application, Program
from tips.models import Tip, TipCategory
from transparency.datasets import AVERAGE, DATASET_BY_SLUG, SHARE, STOCK
from transparency.periods import city_zone
from transparency.suppression import suppressed_cells
from watch.models import Membership, WatchGroup

CITY = "city"
NONE = "none"
Key = tuple[str, str, str]  # (area, category, measure)

TIP_OUTCOMES = {
    "outcome_open": (Tip.Status.NEW, Tip.Status.IN_REVIEW),
    "outcome_actionable": (Tip.Status.ACTIONABLE,),
    "outcome_referred": (Tip.Status.REFERRED,),
    "outcome_closed": (Tip.Status.CLOSED,),
    "outcome_spam": (Tip.Status.SPAM,),
}


def min_cell() -> int:
    return settings.TRANSPARENCY_MIN_CELL


@dataclass
class Table:
    counts: dict[Key, int] = field(default_factory=dict)
    groups: list[tuple[Key, list[Key]]] = field(default_factory=list)
    # Averages: key -> (sum of the answers, weight key); shares come from the data set's measures.
    sums: dict[Key, int] = field(default_factory=dict)
    private: set[Key] = field(default_factory=set)


def _by_area(rows, value="n") -> dict[str, int]:
    return {row["area"] or NONE: row[value] or 0 for row in rows}


def _add_areas(table: Table, areas: list[str], measure: str, per_area: dict[str, int], *, with_none=True, category=""):
    """Cells for each neighbourhood, "none" and the city (their sum), with the group that binds them."""
    parts = [*areas, NONE] if with_none else list(areas)
    for area in parts:
        table.counts[(area, category, measure)] = per_area.get(area, 0)
    table.counts[(CITY, category, measure)] = sum(table.counts[(area, category, measure)] for area in parts)
    table.groups.append(((CITY, category, measure), [(area, category, measure) for area in parts]))


def _split(table: Table, areas: list[str], total: str, part: str, rest: str) -> None:
    """``total = part + rest`` in every area, ``rest`` being a helper cell never published."""
    for area in [*areas, NONE, CITY]:
        key = (area, "", total)
        if key not in table.counts:
            continue
        rest_key = (area, "", rest)
        table.counts[rest_key] = table.counts[key] - table.counts[(area, "", part)]
        table.private.add(rest_key)
        table.groups.append((key, [(area, "", part), rest_key]))


def held_meetings(starts_at: datetime, ends_at: datetime, now: datetime):
    return (
        Meeting.objects.filter(is_published=True, starts_at__gte=starts_at, starts_at__lt=ends_at, ends_at__lte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .values("id")
    )


def meetings_table(areas, starts_at, ends_at, now) -> Table:
    table = Table()
    held = held_meetings(starts_at, ends_at, now)
    meetings = Meeting.objects.filter(id__in=held).values(area=F("neighbourhood__slug")).annotate(n=Count("id"))
    _add_areas(table, areas, "meetings_held", _by_area(meetings))
    attendance = (
        Rsvp.objects.filter(meeting__in=held, checked_in_at__isnull=False)
        .values(area=F("meeting__neighbourhood__slug"))
        .annotate(n=Count("id"))
    )
    _add_areas(table, areas, "attendance", _by_area(attendance))
    questions = (
        Question.objects.filter(meeting__in=held)
        .values(area=F("meeting__neighbourhood__slug"))
        .annotate(n=Count("id"), answered=Count("id", filter=Q(status=Question.Status.ANSWERED)))
    )
    _add_areas(table, areas, "questions_sent", _by_area(questions))
    _add_areas(table, areas, "questions_answered", _by_area(questions, "answered"))
    _split(table, areas, "questions_sent", "questions_answered", "questions_unanswered")
    return table


RATINGS = {
    "rating_information_avg": "rating_information",
    "rating_listening_avg": "rating_listening",
    "rating_organisation_avg": "rating_organisation",
    "rating_overall_avg": "rating_overall",
}


def feedback_table(areas, starts_at, ends_at, now) -> Table:
    table = Table()
    # Only meetings whose feedback has closed: their answers are all released and never change
    # again, so two computations a day apart cannot single out one late, lone anonymous answer.
    closed = now - timedelta(days=settings.MEETINGS_FEEDBACK_WINDOW_DAYS)
    rows = list(
        Feedback.objects.filter(meeting__in=held_meetings(starts_at, ends_at, closed))
        .values(area=F("meeting__neighbourhood__slug"))
        .annotate(
            n=Count("id"),
            raised=Count("id", filter=~Q(concern_addressed=Feedback.Concern.NONE)),
            yes=Count("id", filter=Q(concern_addressed=Feedback.Concern.YES)),
            **{measure: Sum(column) for measure, column in RATINGS.items()},
        )
    )
    _add_areas(table, areas, "responses", _by_area(rows))
    _add_areas(table, areas, "concerns_raised", _by_area(rows, "raised"))
    _add_areas(table, areas, "concern_addressed_yes", _by_area(rows, "yes"))
    _split(table, areas, "responses", "concerns_raised", "no_concern")
    _split(table, areas, "concerns_raised", "concern_addressed_yes", "concern_not_addressed")
    for measure in RATINGS:
        per_area = _by_area(rows, measure)
        for area in [*areas, NONE]:
            table.sums[(area, "", measure)] = per_area.get(area, 0)
        table.sums[(CITY, "", measure)] = sum(per_area.values())
    return table


def programs_table(areas, starts_at, ends_at, now) -> Table:
    table = Table()
    started = (
        Program.objects.exclude(status=Program.Status.DRAFT)
        .annotate(first_session=Min("sessions__starts_at"))
        .filter(first_session__gte=starts_at, first_session__lt=ends_at, first_session__lte=now)
        .values("id")
    )
    programs = Program.objects.filter(id__in=started).values(area=F("neighbourhood__slug"))
    _add_areas(table, areas, "programs_started", _by_area(programs.annotate(n=Count("id"))))
    places = (
        Application.objects.filter(program__in=started, status__in=Application.SEAT_STATUSES)
        .values(area=F("program__neighbourhood__slug"))
        .annotate(n=Count("id"))
    )
    _add_areas(table, areas, "places_filled", _by_area(places))
    completions = (
        Application.objects.filter(
            status=Application.Status.COMPLETED, completed_at__gte=starts_at, completed_at__lt=ends_at
        )
        .values(area=F("program__neighbourhood__slug"))
        .annotate(n=Count("id"))
    )
    _add_areas(table, areas, "completions", _by_area(completions))
    return table


def watch_table(areas, starts_at, ends_at, now) -> Table:
    table = Table()
    end = min(ends_at, now)
    groups = WatchGroup.objects.filter(status=WatchGroup.Status.APPROVED, approved_at__lt=end)
    per_area = groups.values(area=F("neighbourhood__slug")).annotate(n=Count("id"))
    _add_areas(table, areas, "groups", _by_area(per_area), with_none=False)
    members = (
        Membership.objects.filter(group__in=groups.values("id"), status=Membership.Status.ACTIVE)
        .annotate(since=Coalesce("approved_at", "created_at"))
        .filter(since__lt=end)
        .values(area=F("group__neighbourhood__slug"))
        .annotate(n=Count("id"))
    )
    _add_areas(table, areas, "members", _by_area(members), with_none=False)
    return table


def alerts_table(areas, starts_at, ends_at, now) -> Table:
    # Not additive across areas (an alert may name several neighbourhoods): no groups, each cell alone.
    table = Table()
    published = Alert.objects.exclude(status=Alert.Status.DRAFT).filter(
        published_at__gte=starts_at, published_at__lt=ends_at
    )
    city = dict(published.values_list("category").annotate(n=Count("id")))
    per_area = {
        (row["neighbourhoods__slug"], row["category"]): row["n"]
        for row in published.filter(neighbourhoods__isnull=False)
        .values("neighbourhoods__slug", "category")
        .annotate(n=Count("id", distinct=True))
    }
    for category in Alert.Category.values:
        table.counts[(CITY, category, "alerts_published")] = city.get(category, 0)
        for area in areas:
            table.counts[(area, category, "alerts_published")] = per_area.get((area, category), 0)
    return table


def actions_table(areas, starts_at, ends_at, now) -> Table:
    table = Table()
    created = ActionItem.objects.filter(created_at__gte=starts_at, created_at__lt=ends_at)
    by_status = defaultdict(dict)
    for row in created.values("status", area=F("neighbourhood__slug")).annotate(n=Count("id")):
        by_status[row["status"]][row["area"] or NONE] = row["n"]
    for status in ActionItem.Status.values:
        _add_areas(table, areas, "actions", by_status[status], category=status)
    totals = {area: sum(by_status[status].get(area, 0) for status in by_status) for area in [*areas, NONE]}
    _add_areas(table, areas, "actions", totals)
    for area in [*areas, NONE, CITY]:
        table.groups.append(((area, "", "actions"), [(area, status, "actions") for status in ActionItem.Status.values]))
    # On time: done in the period, on or before the due date (local dates).
    first_day, last_day = starts_at.astimezone(city_zone()).date(), min(ends_at, now).astimezone(city_zone()).date()
    done = ActionItem.objects.filter(
        status=ActionItem.Status.DONE, done_on__gte=first_day, done_on__lt=last_day + timedelta(days=1)
    ).exclude(due_date=None)
    rows = list(
        done.values(area=F("neighbourhood__slug")).annotate(
            n=Count("id"), on_time=Count("id", filter=Q(done_on__lte=F("due_date")))
        )
    )
    _add_areas(table, areas, "done_with_due_date", _by_area(rows))
    _add_areas(table, areas, "done_on_time", _by_area(rows, "on_time"))
    _split(table, areas, "done_with_due_date", "done_on_time", "done_late")
    # Overdue at the end of the period (or now): due before that day and not done by then.
    end_day = min(ends_at, now).astimezone(city_zone()).date()
    overdue = (
        ActionItem.objects.filter(due_date__lt=end_day, created_at__lt=min(ends_at, now))
        .exclude(status=ActionItem.Status.NOT_POSSIBLE)
        .filter(Q(done_on=None) | Q(done_on__gte=end_day))
        .values(area=F("neighbourhood__slug"))
        .annotate(n=Count("id"))
    )
    _add_areas(table, areas, "overdue", _by_area(overdue))
    return table


def tips_table(areas, starts_at, ends_at, now) -> Table:
    """Settled tips received in a whole month, by category and present state: city-wide only."""
    table = Table()
    rows = (
        Tip.objects.filter(settled=True, received_at__gte=starts_at, received_at__lt=ends_at)
        .values_list("category__slug", "status")
        .annotate(n=Count("id"))
    )
    found: dict[tuple[str, str], int] = {}
    for category, status, n in rows:
        found[(category, status)] = n
    categories = list(TipCategory.objects.values_list("slug", flat=True))
    for category in categories:
        for outcome, statuses in TIP_OUTCOMES.items():
            table.counts[(CITY, category, outcome)] = sum(found.get((category, status), 0) for status in statuses)
        table.counts[(CITY, category, "received")] = sum(table.counts[(CITY, category, o)] for o in TIP_OUTCOMES)
        table.groups.append(((CITY, category, "received"), [(CITY, category, o) for o in TIP_OUTCOMES]))
    for measure in ("received", *TIP_OUTCOMES):
        total = (CITY, "", measure)
        table.counts[total] = sum(table.counts[(CITY, category, measure)] for category in categories)
        table.groups.append((total, [(CITY, category, measure) for category in categories]))
    table.groups.append(((CITY, "", "received"), [(CITY, "", o) for o in TIP_OUTCOMES]))
    return table


TABLES = {
    "meetings": meetings_table,
    "feedback": feedback_table,
    "programs": programs_table,
    "watch": watch_table,
    "alerts": alerts_table,
    "actions": actions_table,
    "tips": tips_table,
}


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def combine(dataset_slug: str, tables: list[Table]) -> Table:
    """The table of a run of months (a quarter, a year) from its months' raw tables, oldest first:
    counts and sums added, stock figures taken from the last month."""
    dataset = DATASET_BY_SLUG[dataset_slug]
    kinds = {measure.name: measure.kind for measure in dataset.measures}
    combined = Table()
    for table in tables:
        for key, value in table.counts.items():
            if kinds.get(key[2]) == STOCK:
                combined.counts[key] = value
            else:
                combined.counts[key] = combined.counts.get(key, 0) + value
        for key, value in table.sums.items():
            combined.sums[key] = combined.sums.get(key, 0) + value
        combined.private |= table.private
    seen = set()
    for table in tables:
        for total, parts in table.groups:
            if total not in seen:
                seen.add(total)
                combined.groups.append((total, parts))
    return combined


def publishable(dataset_slug: str, table: Table, hidden: set) -> dict[Key, Decimal | None]:
    """The cells that may be stored: counts not in ``hidden`` (see ``suppression``), averages and
    shares whose counts are published; None for every other cell. Helper cells are left out."""
    dataset = DATASET_BY_SLUG[dataset_slug]
    cells: dict[Key, Decimal | None] = {
        key: (None if key in hidden else Decimal(value))
        for key, value in table.counts.items()
        if key not in table.private
    }
    areas_categories = {(area, category) for area, category, _measure in cells}
    for measure in dataset.measures:
        for area, category in areas_categories:
            key = (area, category, measure.name)
            if measure.kind == SHARE:
                numerator = cells.get((area, category, measure.numerator))
                denominator = cells.get((area, category, measure.denominator))
                cells[key] = (
                    _round(Decimal(100) * numerator / denominator, "0.1")
                    if numerator is not None and denominator
                    else None
                )
            elif measure.kind == AVERAGE:
                weight = cells.get((area, category, measure.denominator))
                cells[key] = _round(Decimal(table.sums[key]) / weight, "0.01") if weight else None
    return cells


def suppress(dataset_slug: str, tables: dict[str, Table], time_groups: list[tuple[str, list[str]]]) -> dict[str, set]:
    """Hidden cells of every period's table of one data set, suppressed together: within each
    period (areas, categories) and across periods (a quarter is the sum of its months, a year of
    its quarters), so that no published figure minus others gives a hidden one."""
    counts: dict = {}
    groups: list = []
    for period, table in tables.items():
        counts.update({(period, *key): value for key, value in table.counts.items()})
        groups += [((period, *total), [(period, *part) for part in parts]) for total, parts in table.groups]
    dataset = DATASET_BY_SLUG[dataset_slug]
    kinds = {measure.name: measure.kind for measure in dataset.measures}
    for total_period, part_periods in time_groups:
        if total_period not in tables:
            continue
        for key in tables[total_period].counts:
            parts = [period for period in part_periods if period in tables and key in tables[period].counts]
            if kinds.get(key[2]) == STOCK:
                parts = parts[-1:]
            groups.append(((total_period, *key), [(period, *key) for period in parts]))
    hidden = suppressed_cells(counts, groups, min_cell(), publish_zeros=settings.TRANSPARENCY_PUBLISH_ZEROS)
    by_period: dict[str, set] = {period: set() for period in tables}
    for period, *key in hidden:
        by_period[period].add(tuple(key))
    return by_period

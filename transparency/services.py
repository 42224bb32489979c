"""Computing the published figures (run by beat: transparency.tasks.compute_figures)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from neighbourhoods.models import Neighbourhood
from portal.cache import bump_cache_version
from transparency.compute import TABLES, Key, Table, combine, publishable, suppress
from transparency.datasets import DATASETS
from transparency.models import Figure, FigureSet
from transparency.periods import LAST_30_DAYS, Month, last_30_days_bounds, local_today, quarter_key

# Months computed on each run: this year's and last year's, with their quarters and the two years.
# Older periods keep the figures of their last run.
HISTORY_YEARS = 2
# A month's tips are published from the day after it ends, when every tip of its last hour is settled.
TIPS_DELAY = timedelta(days=1)


def figures_compute(*, now: datetime | None = None) -> int:
    """Recompute every stored period's figures; returns how many periods were written.

    Idempotent: every period's figures are replaced as a whole, all in one transaction.
    """
    now = now or timezone.now()
    areas = list(Neighbourhood.objects.values_list("slug", flat=True))
    current = Month.of(local_today(now))
    months = []
    month = Month(current.year - HISTORY_YEARS + 1, 1)
    while month <= current:
        months.append(month)
        month = month.next()
    bounds = {m.key: (m.starts_at, m.ends_at) for m in months}
    quarters: dict[str, list[str]] = {}
    years: dict[str, list[str]] = {}
    for m in months:
        quarters.setdefault(quarter_key(m.first_day), []).append(m.key)
    for quarter, keys in quarters.items():
        years.setdefault(quarter[:4], []).append(quarter)
        bounds[quarter] = (bounds[keys[0]][0], bounds[keys[-1]][1])
    for year, keys in years.items():
        bounds[year] = (bounds[keys[0]][0], bounds[keys[-1]][1])
    time_groups = [*quarters.items(), *years.items()]

    # The last 30 days: a window of its own; never tips. When it starts on the 1st it is a month
    # (the day after a 30-day month) or all of a month so far but today (the 31st): it is then
    # suppressed together with that month (each figure hidden in both or neither), else it could
    # publish the month's complementary cell, and the quarter minus it give away a small month.
    rolling_starts_at, rolling_ends_at = last_30_days_bounds(now)
    same_month = next((m.key for m in months if m.starts_at == rolling_starts_at), None)
    time_groups_rolling = [(LAST_30_DAYS, [same_month])] if same_month else []
    cells: dict[str, dict[tuple[str, Key], object]] = {period: {} for period in [*bounds, LAST_30_DAYS]}
    for dataset in DATASETS:
        table_for = TABLES[dataset.slug]
        tables: dict[str, Table] = {}
        for m in months:
            # Tips: whole months only, once over (so no figure moves while a month's tips arrive).
            if dataset.rolling or now >= m.ends_at + TIPS_DELAY:
                tables[m.key] = table_for(areas, m.starts_at, m.ends_at, now)
        for group, parts in time_groups:
            present = [tables[part] for part in parts if part in tables]
            if present:
                tables[group] = combine(dataset.slug, present)
        if dataset.rolling:
            tables[LAST_30_DAYS] = table_for(areas, rolling_starts_at, rolling_ends_at, now)
        hidden = suppress(dataset.slug, tables, [*time_groups, *time_groups_rolling])
        for period, table in tables.items():
            for key, value in publishable(dataset.slug, table, hidden[period]).items():
                cells[period][(dataset.slug, key)] = value
    # All periods swap together: months, quarters and years were suppressed together, so a reader
    # must never combine one run's quarter with another run's months.
    with transaction.atomic():
        for period, (starts_at, ends_at) in bounds.items():
            figure_set_write(period, starts_at, ends_at, cells[period], now=now)
        figure_set_write(LAST_30_DAYS, rolling_starts_at, rolling_ends_at, cells[LAST_30_DAYS], now=now)
    return len(bounds) + 1


def figure_set_write(period: str, starts_at: datetime, ends_at: datetime, cells: dict, *, now: datetime) -> FigureSet:
    """Store one period's figures, swapping them in atomically: readers see the old set or the new
    one, never a mix. ``cells``: {(data set, (area, category, measure)): value or None}."""
    rows = [
        Figure(dataset=dataset, area=area, category=category, measure=measure, value=value)
        for (dataset, (area, category, measure)), value in cells.items()
    ]
    with transaction.atomic():
        figure_set, _created = FigureSet.objects.select_for_update().get_or_create(
            period=period, defaults={"starts_at": starts_at, "ends_at": ends_at, "computed_at": now}
        )
        figure_set.starts_at, figure_set.ends_at, figure_set.computed_at = starts_at, ends_at, now
        figure_set.save()
        figure_set.figures.all().delete()
        for row in rows:
            row.figure_set = figure_set
        Figure.objects.bulk_create(rows)
        bump_cache_version("transparency")
    return figure_set

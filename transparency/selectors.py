"""Reading the stored figures. Every page and download reads only ``FigureSet`` / ``Figure``:
a fixed number of queries, however many meetings, tips or actions there are.

A quarter, a year or a custom range is built from its stored months: counts are added (not
published if any month's is not), stock figures are the last month's, averages and shares are
recomputed from the published counts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min

from transparency.datasets import AVERAGE, COUNT, DATASETS, SHARE, STOCK
from transparency.models import Figure, FigureSet
from transparency.periods import Month, Period, city_zone, local_today

Key = tuple[str, str, str, str]  # (dataset, area, category, measure)


@dataclass
class PeriodFigures:
    period: Period
    starts_on: date | None = None
    ends_on: date | None = None  # the last day, inclusive
    computed_at: datetime | None = None
    cells: dict[Key, Decimal | None] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.computed_at is not None

    def value(self, dataset: str, area: str, measure: str, category: str = "") -> Decimal | None:
        return self.cells.get((dataset, area, category, measure))

    def has(self, dataset: str) -> bool:
        return any(key[0] == dataset for key in self.cells)


def _load(figure_sets) -> dict[int, dict[Key, Decimal | None]]:
    by_set: dict[int, dict[Key, Decimal | None]] = defaultdict(dict)
    rows = Figure.objects.filter(figure_set__in=[s.pk for s in figure_sets]).values_list(
        "figure_set_id", "dataset", "area", "category", "measure", "value"
    )
    for set_id, dataset, area, category, measure, value in rows:
        by_set[set_id][(dataset, area, category, measure)] = value
    return by_set


def period_figures(period: Period) -> PeriodFigures:
    """The figures of a period (``available`` False when they were never computed). Two queries.

    A month, quarter, year and the last 30 days are stored as such; a custom range is built from
    its months (``combine_months``)."""
    result = PeriodFigures(period)
    stored = FigureSet.objects.filter(period=period.key).first() if period.kind != "custom" else None
    figure_sets = [stored] if stored else list(FigureSet.objects.filter(period__in=[m.key for m in period.months]))
    if not figure_sets or (not stored and len(figure_sets) != len(period.months)):
        return result
    result.computed_at = min(s.computed_at for s in figure_sets)
    result.starts_on = min(s.starts_at for s in figure_sets).astimezone(city_zone()).date()
    ends_at = min(max(s.ends_at for s in figure_sets), result.computed_at)
    result.ends_on = (ends_at.astimezone(city_zone()) - timedelta(microseconds=1)).date()
    by_set = _load(figure_sets)
    if stored:
        result.cells = by_set[stored.pk]
        return result
    figure_sets.sort(key=lambda s: s.period)
    result.cells = combine_months([by_set[s.pk] for s in figure_sets])
    return result


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def combine_months(months: list[dict[Key, Decimal | None]]) -> dict[Key, Decimal | None]:
    """A custom range's cells from its months' (in order): a count is published only if it is in
    every month (so the range minus other published ranges gives no hidden month), stock figures
    are the last month's. A data set missing from a month (the tips of a month not yet over) is
    left out of the sums."""
    if len(months) == 1:
        return dict(months[0])
    cells: dict[Key, Decimal | None] = {}
    for dataset in DATASETS:
        with_dataset = [cells_ for cells_ in months if any(key[0] == dataset.slug for key in cells_)]
        if not with_dataset:
            continue
        keys = {key for cells_ in with_dataset for key in cells_ if key[0] == dataset.slug}
        kinds = {measure.name: measure for measure in dataset.measures}
        for key in keys:
            measure = kinds[key[3]]
            if measure.kind == COUNT:
                values = [cells_.get(key, Decimal(0)) for cells_ in with_dataset]
                cells[key] = None if any(v is None for v in values) else sum(values, Decimal(0))
            elif measure.kind == STOCK:
                cells[key] = with_dataset[-1].get(key)
        for key in keys:
            measure = kinds[key[3]]
            base = key[:3]
            if measure.kind == SHARE:
                numerator, denominator = cells.get((*base, measure.numerator)), cells.get((*base, measure.denominator))
                cells[key] = (
                    _round(Decimal(100) * numerator / denominator, "0.1")
                    if numerator is not None and denominator
                    else None
                )
            elif measure.kind == AVERAGE:
                weight_key = (*base, measure.denominator)
                pairs = [(cells_.get(key), cells_.get(weight_key, Decimal(0))) for cells_ in with_dataset]
                if any(weight is None or (weight and average is None) for average, weight in pairs):
                    cells[key] = None
                    continue
                total = sum((weight for _average, weight in pairs), Decimal(0))
                cells[key] = _round(sum((a * w for a, w in pairs if w), Decimal(0)) / total, "0.01") if total else None
    return cells


def stored_months() -> tuple[Month, Month] | None:
    """The first and last stored months (for the custom period's choices)."""
    found = FigureSet.objects.filter(period__regex=r"^[0-9]{4}-[0-9]{2}$")
    bounds = found.aggregate(first=Min("period"), last=Max("period"))
    if not bounds["first"]:
        return None
    return Month.parse(bounds["first"]), Month.parse(bounds["last"])


def trend(months: int = 12, *, now: datetime | None = None) -> dict[str, dict[Key, Decimal | None]]:
    """The last ``months`` stored months, oldest first: {month key: cells}. Two queries."""
    last = Month.of(local_today(now))
    keys, month = [], last
    for _i in range(months):
        keys.append(month.key)
        month = month.previous()
    figure_sets = sorted(FigureSet.objects.filter(period__in=keys), key=lambda s: s.period)
    by_set = _load(figure_sets)
    return {s.period: by_set[s.pk] for s in figure_sets}

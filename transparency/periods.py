"""Periods and their boundaries, in the city's time zone (settings.TIME_ZONE).

Stored periods: each calendar month ("2026-11") and the last 30 days ("last-30-days": the 30 whole
days before today). Quarters ("2026-Q4"), years ("2026") and custom ranges of whole months
("2026-01--2026-06") are built from the stored months, so every published figure is a month or an
exact sum of published months: subtracting one period from another gives nothing a month does
not already show. Arbitrary custom dates are not offered: two ranges a day apart would tell one
day's count by subtraction, and could date a tip.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

LAST_30_DAYS = "last-30-days"
ROLLING_DAYS = 30
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR_RE = re.compile(r"^(\d{4})$")
CUSTOM_RE = re.compile(r"^(\d{4}-\d{2})--(\d{4}-\d{2})$")
# A custom range spans at most this many months (the stored history).
MAX_CUSTOM_MONTHS = 36


class PeriodError(ValueError):
    pass


def city_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the city: aware, so a day across a DST change has 23 or 25 hours."""
    return datetime.combine(day, time(0), tzinfo=city_zone())


def local_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(city_zone()).date()


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, key: str) -> "Month":
        match = MONTH_RE.match(key)
        if not match:
            raise PeriodError(_("Enter a month as year and month, e.g. 2026-01."))
        return cls(int(match[1]), int(match[2]))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def ends_at(self) -> datetime:
        return self.next().starts_at

    def __lt__(self, other: "Month") -> bool:
        return (self.year, self.month) < (other.year, other.month)

    def __le__(self, other: "Month") -> bool:
        return (self.year, self.month) <= (other.year, other.month)


def month_range(first: Month, last: Month) -> list[Month]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def last_30_days_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The 30 whole days before today, from local midnight to local midnight."""
    today = local_today(now)
    return local_midnight(today - timedelta(days=ROLLING_DAYS)), local_midnight(today)


@dataclass(frozen=True)
class Period:
    """What a visitor or a URL asks for: the rolling window, or a run of whole months."""

    key: str
    kind: str  # "rolling", "month", "quarter", "year", "custom"
    months: tuple[Month, ...] = ()

    @property
    def is_rolling(self) -> bool:
        return self.kind == "rolling"

    @property
    def label(self) -> str:
        if self.is_rolling:
            return _("the last 30 days")
        if self.kind == "quarter":
            return _("quarter %(quarter)s") % {"quarter": self.key}
        if self.kind == "year":
            return self.key
        first, last = self.months[0], self.months[-1]
        if first == last:
            return first.key
        return _("%(first)s to %(last)s") % {"first": first.key, "last": last.key}


def parse_period(key: str, *, today: date | None = None) -> Period:
    """A period from its URL key; raises PeriodError for anything else (or a range in the future)."""
    today = today or local_today()
    current = Month.of(today)
    if key == LAST_30_DAYS:
        return Period(key, "rolling")
    if MONTH_RE.match(key):
        months = [Month.parse(key)]
        kind = "month"
    elif match := QUARTER_RE.match(key):
        year, quarter = int(match[1]), int(match[2])
        months = month_range(Month(year, 3 * quarter - 2), Month(year, 3 * quarter))
        kind = "quarter"
    elif match := YEAR_RE.match(key):
        months = month_range(Month(int(match[1]), 1), Month(int(match[1]), 12))
        kind = "year"
    elif match := CUSTOM_RE.match(key):
        first, last = Month.parse(match[1]), Month.parse(match[2])
        if last < first:
            raise PeriodError(_("The first month must not come after the last."))
        months = month_range(first, last)
        if len(months) > MAX_CUSTOM_MONTHS:
            raise PeriodError(_("Choose at most %(count)d months.") % {"count": MAX_CUSTOM_MONTHS})
        kind = "custom"
    else:
        raise PeriodError(_("Unknown period."))
    if current < months[0]:
        raise PeriodError(_("That period has not started yet."))
    # A quarter or year under way covers its months so far.
    return Period(key, kind, tuple(month for month in months if month <= current))


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def standard_periods(today: date | None = None) -> list[tuple[str, str]]:
    """The periods the page offers: (key, label)."""
    today = today or local_today()
    this_quarter = quarter_key(today)
    previous_quarter = quarter_key(date(today.year, ((today.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1))
    return [
        (LAST_30_DAYS, _("Last 30 days")),
        (this_quarter, _("This quarter (%(key)s)") % {"key": this_quarter}),
        (previous_quarter, _("Last quarter (%(key)s)") % {"key": previous_quarter}),
        (str(today.year), _("This year (%(year)s)") % {"year": today.year}),
        (str(today.year - 1), _("Last year (%(year)s)") % {"year": today.year - 1}),
    ]

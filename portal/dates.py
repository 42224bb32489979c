"""Dates and times as residents read them: the city's time zone, the reader's language, one style.

Every page, e-mail, PDF and calendar description formats a moment through these helpers or,
in templates, ``|date:"<NAME>"`` with one of ``NAMED_FORMATS``; the styles live in
``portal/formats/<language>/formats.py``. Nothing formats a date with a literal pattern.
"""

from datetime import date, datetime

from django.conf import settings
from django.utils import formats, timezone, translation

# Every language module in portal/formats defines each of these.
NAMED_FORMATS = (
    "DATE_FORMAT",
    "LONG_DATE_FORMAT",
    "TIME_FORMAT",
    "ZONED_TIME_FORMAT",
    "DATETIME_FORMAT",
    "LONG_DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "DAY_FORMAT",
    "WEEKDAY_FORMAT",
    "SHORT_WEEKDAY_FORMAT",
    "MONTH_FORMAT",
)


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_moment(value: date | datetime | None, name: str = "DATETIME_FORMAT", *, language: str | None = None) -> str:
    """``value`` in the city's time zone, formatted with the named format of ``language``
    (the active language when not given); an empty string for ``None``."""
    if value is None:
        return ""
    if name not in NAMED_FORMATS:
        raise ValueError(f"{name!r} is not one of the portal's named formats.")
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return formats.date_format(_local(value), name)


def format_range(start: datetime, end: datetime, *, language: str | None = None) -> str:
    """A meeting or session's span, e.g. "Saturday, December 5, 2026, 6:00 PM – 7:30 PM CST"
    (the end's date is repeated only when it falls on another day)."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        start, end = _local(start), _local(end)
        if start.date() == end.date():
            day = formats.date_format(start, "LONG_DATE_FORMAT")
            begins = formats.date_format(start, "TIME_FORMAT")
            return f"{day}, {begins} – {formats.date_format(end, 'ZONED_TIME_FORMAT')}"
        begins = formats.date_format(start, "LONG_DATETIME_FORMAT")
        return f"{begins} – {formats.date_format(end, 'LONG_DATETIME_FORMAT')}"

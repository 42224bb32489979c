"""Figures as people read them: the number in the page's language, or "fewer than N"."""

from decimal import Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from transparency.datasets import AVERAGE, SHARE, Measure


def suppressed_text() -> str:
    return _("fewer than %(minimum)d") % {"minimum": settings.TRANSPARENCY_MIN_CELL}


def format_value(value: Decimal | None, measure: Measure) -> str:
    if value is None:
        return suppressed_text()
    if measure.kind == SHARE:
        return _("%(percent)s%%") % {"percent": number_format(value, 1, use_l10n=True)}
    if measure.kind == AVERAGE:
        return _("%(rating)s out of 5") % {"rating": number_format(value, 2, use_l10n=True)}
    return number_format(int(value), 0, use_l10n=True, force_grouping=True)


def data_value(value: Decimal | None, measure: Measure):
    """The value in a CSV or JSON file: an integer for counts, a number otherwise, None when suppressed."""
    if value is None:
        return None
    if measure.kind in (SHARE, AVERAGE):
        return float(value)
    return int(value)

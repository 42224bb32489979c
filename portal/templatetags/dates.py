"""``{% load dates %}``: a meeting's or session's span in the portal's one style (portal/dates.py)."""

from django import template

from portal.dates import format_range

register = template.Library()


@register.filter
def moment_range(start, end):
    """``{{ meeting.starts_at|moment_range:meeting.ends_at }}``"""
    if not start or not end:
        return ""
    return format_range(start, end)

"""The action plans' queue on the officers' desk (portal.desk)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions import selectors
from actions.services import DUE_SOON_DAYS
from portal.desk import register_queue


def due_soon_or_overdue():
    """Open items due within a week of the city's today, or overdue (the desk's count and list)."""
    return selectors.due_soon_or_overdue(today=timezone.localdate(), within_days=DUE_SOON_DAYS)


register_queue(
    "actions.due_soon_or_overdue",
    label=_("Action items due within 7 days or overdue"),
    count=lambda user, now: selectors.due_soon_or_overdue(
        today=timezone.localdate(now), within_days=DUE_SOON_DAYS
    ).count(),
    url=lambda: reverse("admin:actions_actionitem_changelist") + "?due_soon=yes",
    visible=lambda user: user.has_perm("actions.change_actionitem"),
    order=50,
    help_text=_("Open actions whose due date is in the coming week or has passed."),
)

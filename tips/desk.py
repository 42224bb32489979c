"""The tip line's queues on the officers' desk, for Tip reviewers only (portal.desk).

Counts only, from selectors that compare whole days against what the tip admin already shows:
the desk says nothing about a tip that its reviewers' list does not.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.roles import TIP_REVIEWERS
from portal.desk import help_text_with_days, register_queue
from tips import selectors


def is_tip_reviewer(user) -> bool:
    """Membership of the Tip reviewers group, not a permission a superuser holds by default."""
    if not hasattr(user, "_desk_is_tip_reviewer"):
        user._desk_is_tip_reviewer = user.is_active and user.groups.filter(name=TIP_REVIEWERS).exists()
    return user._desk_is_tip_reviewer


register_queue(
    "tips.new_unassigned",
    label=_("New tips nobody has taken"),
    count=lambda user, now: selectors.tips_new_unassigned().count(),
    url=lambda: reverse("admin:tips_tip_changelist") + "?status__exact=new&assigned_to__isnull=True",
    visible=is_tip_reviewer,
    order=60,
)

register_queue(
    "tips.without_activity",
    label=_("Tips with no activity for a while"),
    count=lambda user, now: selectors.tips_without_activity(now=now).count(),
    url=lambda: reverse("admin:tips_tip_changelist") + "?no_activity=yes",
    visible=is_tip_reviewer,
    order=70,
    help_text=help_text_with_days(
        ngettext_lazy(
            "Open tips with no message or note for %(days)d day.",
            "Open tips with no message or note for %(days)d days.",
            "days",
        ),
        "DESK_TIP_STALE_DAYS",
    ),
)

"""The Neighbourhood Watch queue on the officers' desk (portal.desk)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.desk import register_queue
from watch import selectors

register_queue(
    "watch.concerns_without_reply",
    label=_("Concerns without a reply"),
    count=lambda user, now: selectors.concerns_without_reply().count(),
    url=lambda: reverse("admin:watch_concern_changelist") + "?waiting_for_reply=yes",
    visible=lambda user: user.has_perm("watch.change_concern"),
    order=50,
)

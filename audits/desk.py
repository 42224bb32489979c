"""The safety audits' queue on the officers' desk (portal.desk): findings waiting for review."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audits.models import Finding
from portal.desk import register_queue

register_queue(
    "audits.findings_to_review",
    label=_("Safety audit findings waiting for review"),
    count=lambda user, now: Finding.objects.filter(status=Finding.Status.NEW).count(),
    url=lambda: reverse("admin:audits_finding_changelist") + "?status__exact=new",
    visible=lambda user: user.has_perm("audits.change_finding"),
    order=60,
    help_text=_("Review, merge duplicates or make actions of them, then publish the walk's report."),
)

"""The demo shows the whole loop at once: a completed audit, its report, and actions in several states."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import ActionItem
from audits.models import AuditWalk, DrillPlan, Finding

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_completed_audit_with_findings_and_actions_in_several_states(client):
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())  # safe to run again: nothing doubles

    walk = AuditWalk.objects.get(meeting__slug="demo-riverside-safety-walk")
    assert walk.meeting.has_ended and walk.report_published_at
    assert Finding.objects.filter(walk=walk, status="reviewed").count() == 4
    assert Finding.objects.filter(walk=walk, status="merged").count() == 1
    statuses = set(ActionItem.objects.filter(source_kind="finding").values_list("status", flat=True))
    assert statuses == {"proposed", "in_progress", "done"}
    assert AuditWalk.objects.get(meeting__slug="demo-riverside-safety-re-audit").previous_walk == walk
    assert DrillPlan.objects.filter(meeting__slug="demo-citywide-preparedness-drill").exists()

    html = client.get(reverse("audits:report", args=[walk.meeting.slug])).content.decode()
    assert "Replace the underpass lamps" in html and "Same dark underpass" in html
    assert "fewer than 5" in html  # four residents took part

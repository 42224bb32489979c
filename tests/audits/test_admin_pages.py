"""Every officers' desk page of the audits app opens, and publishing goes through the services."""

from datetime import timedelta

import pytest

from audit.models import AuditEntry
from audits import services
from audits.models import AuditWalk
from tests.audits.conftest import check_in, default_template, make_drill, make_walk

pytestmark = pytest.mark.django_db


def test_every_audits_admin_page_opens(desk_client, neighbourhood, officer, resident):
    walk = make_walk(neighbourhood=neighbourhood)
    finding = services.finding_record(walk=walk, author=officer, notes="Lamp out")
    drill = make_drill(neighbourhood=neighbourhood)
    check_in(drill.meeting, resident)
    answer = services.debrief_submit(drill=drill, user=resident, knew_what_to_do="yes", to_improve="Maps")
    pages = [
        "/admin/audits/checklisttemplate/",
        f"/admin/audits/checklisttemplate/{walk.template.pk}/change/",
        "/admin/audits/auditwalk/",
        "/admin/audits/auditwalk/add/",
        f"/admin/audits/auditwalk/{walk.pk}/change/",
        "/admin/audits/finding/",
        f"/admin/audits/finding/{finding.pk}/change/",
        "/admin/audits/drillplan/",
        "/admin/audits/drillplan/add/",
        f"/admin/audits/drillplan/{drill.pk}/change/",
        "/admin/audits/debriefanswer/",
        f"/admin/audits/debriefanswer/{answer.pk}/change/",
    ]
    for page in pages:
        assert desk_client.get(page).status_code == 200, page


def test_the_admin_publishes_a_report_and_a_drill_summary_through_the_services(desk_client, neighbourhood):
    walk = make_walk(neighbourhood=neighbourhood, started_ago=timedelta(hours=3))
    drill = make_drill(neighbourhood=neighbourhood)
    drill.summary = "We learned a lot."
    drill.save()
    desk_client.post("/admin/audits/auditwalk/", {"action": "publish_report", "_selected_action": [walk.pk]})
    desk_client.post("/admin/audits/drillplan/", {"action": "publish_summary", "_selected_action": [drill.pk]})
    walk.refresh_from_db()
    drill.refresh_from_db()
    assert walk.report_published_at and drill.summary_published_at
    assert {"audits.report_published", "audits.debrief_summary_published"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_an_audit_walk_must_be_a_safety_audit_meeting(desk_client, neighbourhood):
    drill = make_drill(neighbourhood=neighbourhood)
    response = desk_client.post(
        "/admin/audits/auditwalk/add/",
        {"meeting": drill.meeting.pk, "area": "Park", "template": default_template().pk, "previous_walk": ""},
    )
    assert response.status_code == 200
    assert not AuditWalk.objects.exists()


def test_a_re_audit_must_follow_the_walk_it_re_audits(desk_client, neighbourhood):
    later = make_walk(area="Park", neighbourhood=neighbourhood, started_ago=-timedelta(days=30))
    meeting = make_walk(area="Park", neighbourhood=neighbourhood, started_ago=-timedelta(days=3)).meeting
    AuditWalk.objects.filter(meeting=meeting).delete()
    response = desk_client.post(
        "/admin/audits/auditwalk/add/",
        {"meeting": meeting.pk, "area": "Park", "template": default_template().pk, "previous_walk": later.pk},
    )
    assert response.status_code == 200
    assert "took place before this one" in response.content.decode()

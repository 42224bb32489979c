"""Findings and drill "to improve" answers become action items; their people hear of each status change once."""

import pytest
from django.urls import reverse

from actions.models import ActionItem
from actions.services import ActionError, change_status, create_action
from actions.sources import source_for
from audits import services
from audits.models import Finding
from tests.audits.conftest import check_in, make_drill
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_finding_becomes_an_action_carrying_its_text_and_neighbourhood(walk, participant, officer):
    finding = services.finding_record(
        walk=walk, author=participant, notes="Lamps out under the bridge\nAll three.", address="Mill Lane"
    )
    action = services.finding_make_action(finding=finding, by=officer)
    assert action.source == finding and action.source_kind == "finding"
    assert action.title == "Mill Lane underpass: Lamps out under the bridge"
    assert "All three." in action.description and "Mill Lane" in action.description
    assert action.neighbourhood == walk.meeting.neighbourhood
    finding.refresh_from_db()
    assert finding.status == Finding.Status.REVIEWED


def test_the_author_and_every_attendee_get_one_status_e_mail(
    walk, participant, officer, mailoutbox, django_capture_on_commit_callbacks
):
    attendees = [make_user(f"attendee{n}@example.com") for n in range(3)]
    for attendee in attendees:
        check_in(walk, attendee)
    duplicate_author = make_user("dup@example.com")
    check_in(walk, duplicate_author)
    finding = services.finding_record(walk=walk, author=participant, notes="Dark")
    duplicate = services.finding_record(walk=walk, author=duplicate_author, notes="Very dark")
    services.finding_merge(duplicate=duplicate, kept=finding, by=officer)
    action = services.finding_make_action(finding=finding, by=officer)

    with django_capture_on_commit_callbacks(execute=True):
        change_status(action, by=officer, status=ActionItem.Status.PLANNED)

    recipients = sorted(message.to[0] for message in mailoutbox)
    expected = sorted([participant.email, duplicate_author.email, *(a.email for a in attendees)])
    assert recipients == expected


def test_the_resident_sees_the_action_beside_their_finding(client, walk, participant, officer):
    finding = services.finding_record(walk=walk, author=participant, notes="Dark")
    services.finding_make_action(finding=finding, by=officer, title="Fix the lamps")
    client.force_login(participant)
    html = client.get(reverse("audits:own-findings", args=[walk.meeting.slug])).content.decode()
    assert "Fix the lamps" in html


def test_the_admin_makes_actions_of_selected_findings_through_the_service(walk, participant, desk_client):
    finding = services.finding_record(walk=walk, author=participant, notes="Broken bench")
    response = desk_client.post(
        "/admin/audits/finding/", {"action": "make_actions", "_selected_action": [finding.pk]}, follow=True
    )
    assert response.status_code == 200
    assert ActionItem.objects.get().source == finding


def test_a_drill_debrief_answer_becomes_an_action_in_the_officers_words(neighbourhood, resident, officer):
    drill = make_drill(neighbourhood=neighbourhood)
    check_in(drill.meeting, resident)
    answer = services.debrief_submit(
        drill=drill, user=resident, knew_what_to_do="no", to_improve="Nobody told us where the second exit was"
    )
    registration = source_for(answer)
    assert registration.prefill(answer) == {"neighbourhood": neighbourhood}
    with pytest.raises(ActionError):
        create_action(by=officer, title="Drill", description="nobody told us where the second exit was", source=answer)

    action = create_action(by=officer, title="Sign the second exit", source=answer)
    assert (action.source, action.source_kind) == (answer, "debrief")
    assert set(services.debrief_audience(answer)) == {resident.pk}

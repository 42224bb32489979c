"""A drill's plan on its page, the after-action debrief, the published summary."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from audits import selectors, services
from audits.models import DebriefAnswer
from tests.audits.conftest import check_in, make_drill
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(neighbourhood):
    return make_drill(neighbourhood=neighbourhood)


def test_the_plan_shows_on_the_meeting_page(client, drill):
    html = client.get(drill.meeting.get_absolute_url()).content.decode()
    assert "The river rises overnight." in html and "Wardens knock on doors." in html and "Go-bags." in html


def test_a_participant_answers_the_debrief_once(client, drill, resident):
    check_in(drill.meeting, resident)
    client.force_login(resident)
    url = reverse("audits:debrief", args=[drill.meeting.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"knew_what_to_do": "partly", "went_well": "Clear alerts", "to_improve": "More maps"})
    assert response.status_code == 302
    answer = DebriefAnswer.objects.get()
    assert (answer.author, answer.knew_what_to_do, answer.to_improve) == (resident, "partly", "More maps")
    response = client.get(url, follow=True)
    assert "already answered" in response.content.decode()
    assert DebriefAnswer.objects.count() == 1


def test_a_bad_debrief_keeps_what_was_typed(client, drill, resident):
    check_in(drill.meeting, resident)
    client.force_login(resident)
    response = client.post(reverse("audits:debrief", args=[drill.meeting.slug]), {"went_well": "The wardens"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "The wardens" in html
    assert not DebriefAnswer.objects.exists()


def test_someone_who_did_not_take_part_cannot_answer(client, drill, resident, other_resident):
    check_in(drill.meeting, other_resident)  # check-in was used: only people checked in took part
    client.force_login(resident)
    response = client.post(reverse("audits:debrief", args=[drill.meeting.slug]), {"knew_what_to_do": "yes"})
    assert response.status_code == 302
    assert not DebriefAnswer.objects.exists()


def test_the_debrief_opens_when_the_drill_is_over(neighbourhood, resident):
    drill = make_drill(neighbourhood=neighbourhood, ended_ago=-timedelta(hours=1))
    check_in(drill.meeting, resident)
    with pytest.raises(services.AuditError, match="when the drill is over"):
        services.debrief_submit(drill=drill, user=resident, knew_what_to_do="yes")


def test_the_summary_is_published_once_and_shown(
    client, drill, officer, resident, mailoutbox, django_capture_on_commit_callbacks
):
    check_in(drill.meeting, resident)
    with pytest.raises(services.AuditError):
        services.debrief_summary_publish(drill=drill, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.debrief_summary_publish(drill=drill, by=officer, summary="Most knew their route.")
        services.debrief_summary_publish(drill=drill, by=officer)
    assert [message.to for message in mailoutbox] == [[resident.email]]
    assert AuditEntry.objects.filter(action="audits.debrief_summary_published").count() == 2
    assert "Most knew their route." in client.get(drill.meeting.get_absolute_url()).content.decode()


def test_debrief_counts_are_withheld_under_five(drill):
    for number in range(4):
        user = make_user(f"d{number}@example.com")
        check_in(drill.meeting, user)
        services.debrief_submit(drill=drill, user=user, knew_what_to_do="yes")
    assert selectors.debrief_results(drill) == {"total": None, "counts": None}
    user = make_user("d5@example.com")
    check_in(drill.meeting, user)
    services.debrief_submit(drill=drill, user=user, knew_what_to_do="no")
    results = selectors.debrief_results(drill)
    assert results["total"] == 5 and ("Yes", 4) in results["counts"] and ("No", 1) in results["counts"]
    services.debrief_summary_publish(drill=drill, by=user, summary="Good drill.")
    html = Client().get(drill.meeting.get_absolute_url()).content.decode()
    assert "5 participants answered the debrief" in html

"""Officers make actions from sources in one step, and change them only through the services."""

import pytest
from django.contrib.contenttypes.models import ContentType

from actions import services
from actions.admin import make_action_url
from actions.models import ActionItem
from audit.models import AuditEntry
from meetings.models import FeedbackResponse
from outbox.models import Email
from tests.actions.conftest import add_voters
from watch.models import Concern, WatchGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(neighbourhood, resident):
    group = WatchGroup.objects.create(name="Mill Lane watch", slug="mill-lane", neighbourhood=neighbourhood)
    return Concern.objects.create(group=group, reporter=resident, subject="Broken gate", body="It swings at night.")


def action_form(**overrides):
    data = {
        "title": "Mend the gate",
        "description": "",
        "neighbourhood": "",
        "owner": "Parks department",
        "owner_officer": "",
        "due_date": "",
        "status": "planned",
        "status_reason": "",
        "note": "",
        "title_es": "",
        "description_es": "",
        "status_reason_es": "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_add_form_from_a_concern_shows_its_words_but_prefills_only_the_neighbourhood(desk_client, concern):
    response = desk_client.get(make_action_url(concern))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert (form.initial["title"], form.initial["description"]) == ("", "")
    assert form.initial["neighbourhood"] == concern.group.neighbourhood.pk
    page = response.content.decode()
    assert "Watch-group concern" in page
    assert "“It swings at night.”</p>" in page and "Not published." in page


def test_the_add_form_refuses_an_action_that_copies_the_concern(desk_client, concern):
    copied = action_form(description="It swings at night!", title="Mend the gate")
    response = desk_client.post(make_action_url(concern), copied)

    assert response.status_code == 200
    assert "This repeats what a resident wrote in private." in response.content.decode()
    assert not ActionItem.objects.exists()
    # The same copy hidden in the Spanish translation, or in the timeline note, is refused too.
    for field in ("description_es", "note"):
        response = desk_client.post(make_action_url(concern), action_form(**{field: "it swings   AT NIGHT"}))
        assert "This repeats what a resident wrote in private." in response.content.decode()
    assert not ActionItem.objects.exists()


def test_an_edit_that_copies_the_concern_is_refused(desk_client, officer, concern):
    action = services.create_action(by=officer, title="Mend the gate", source=concern)
    change = f"/admin/actions/actionitem/{action.pk}/change/"
    response = desk_client.post(change, action_form(status="proposed", owner="It swings at night."))

    assert "This repeats what a resident wrote in private." in response.content.decode()
    action.refresh_from_db()
    assert action.owner == ""


def test_saving_the_prefilled_form_links_the_action_and_the_concern_page_lists_it(desk_client, officer, concern):
    response = desk_client.post(make_action_url(concern), action_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    action = ActionItem.objects.get()
    assert action.source == concern and action.source_kind == "concern" and action.status == "planned"
    assert AuditEntry.objects.filter(action="actions.create", actor=officer).exists()
    page = desk_client.get(f"/admin/watch/concern/{concern.pk}/change/").content.decode()
    assert "Mend the gate" in page and "Make an action" in page


def test_the_concern_list_has_a_make_an_action_admin_action(desk_client, concern):
    response = desk_client.post("/admin/watch/concern/", {"action": "make_action", "_selected_action": [concern.pk]})
    assert response.status_code == 302
    assert response["Location"] == make_action_url(concern)


def test_a_question_becomes_an_action_from_its_admin_page(desk_client, question):
    page = desk_client.get(f"/admin/meetings/question/{question.pk}/change/").content.decode()
    assert make_action_url(question).replace("&", "&amp;") in page

    response = desk_client.post(make_action_url(question), action_form(title="Lights on later"))

    assert response.status_code == 302
    assert ActionItem.objects.get().source == question


def test_a_published_feedback_response_offers_make_an_action(desk_client, meeting):
    from django.utils import timezone

    response = FeedbackResponse.objects.create(meeting=meeting, summary="Too dark", published_at=timezone.now())
    page = desk_client.get(f"/admin/meetings/meeting/{meeting.pk}/feedback/").content.decode()
    assert make_action_url(response).replace("&", "&amp;") in page


def test_a_made_up_source_is_ignored_not_linked(desk_client, neighbourhood):
    content_type = ContentType.objects.get_for_model(neighbourhood)
    response = desk_client.post(
        f"/admin/actions/actionitem/add/?source={content_type.pk}:{neighbourhood.pk}", action_form()
    )
    assert response.status_code == 302
    assert ActionItem.objects.get().source is None


def test_changing_the_status_in_the_form_goes_through_the_service(desk_client, officer, question):
    add_voters(question, 2)
    action = services.create_action(by=officer, title="Lights", source=question)
    url = f"/admin/actions/actionitem/{action.pk}/change/"

    response = desk_client.post(url, action_form(title="Lights", status="in_progress", note="Contractor booked."))

    assert response.status_code == 302, response.content.decode()[:2000]
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert action.updates.last().body == "Contractor booked."
    assert Email.objects.count() == 3


def test_not_possible_without_a_reason_is_refused_with_a_message(desk_client, officer):
    action = services.create_action(by=officer, title="Lights")
    response = desk_client.post(
        f"/admin/actions/actionitem/{action.pk}/change/", action_form(title="Lights", status="not_possible")
    )
    assert response.status_code == 200
    assert "Say publicly why the action is not possible." in response.content.decode()
    action.refresh_from_db()
    assert action.status == "proposed"


def test_the_bulk_status_actions_use_the_service(desk_client, officer):
    first = services.create_action(by=officer, title="One")
    second = services.create_action(by=officer, title="Two", status="done")
    response = desk_client.post(
        "/admin/actions/actionitem/", {"action": "mark_done", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "done" and first.done_on is not None
    assert AuditEntry.objects.filter(action="actions.status", target_id=str(first.pk)).count() == 1


def test_a_double_submitted_change_form_sends_each_person_one_e_mail(desk_client, officer, question):
    add_voters(question, 3)
    action = services.create_action(by=officer, title="Lights", source=question)
    url = f"/admin/actions/actionitem/{action.pk}/change/"
    form = action_form(title="Lights", status="done", note="Finished.")

    first = desk_client.post(url, form)
    second = desk_client.post(url, form)  # the same form, posted again

    assert first.status_code == second.status_code == 302
    assert Email.objects.count() == 4
    assert action.updates.filter(status="done").count() == 1

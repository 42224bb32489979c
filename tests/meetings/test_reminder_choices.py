"""Officers choose a meeting's reminders as ticked times and typed ones, never as a JSON list."""

import pytest

from meetings.models import Meeting
from tests.meetings.conftest import make_meeting
from tests.meetings.test_admin import meeting_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(desk_client):
    return desk_client


def test_ticked_and_typed_times_are_stored_as_minutes(officer_client):
    data = meeting_form(reminder_offsets=["1440", "60"], reminder_offsets_custom="90 minutes, 5 h, 2 horas")
    response = officer_client.post("/admin/meetings/meeting/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Meeting.objects.get().reminder_offsets == [1440, 300, 120, 90, 60]


def test_no_box_ticked_and_nothing_typed_means_no_reminders(officer_client):
    data = meeting_form()
    del data["reminder_offsets"]
    assert officer_client.post("/admin/meetings/meeting/add/", data).status_code == 302
    assert Meeting.objects.get().reminder_offsets == []


def test_the_change_page_shows_the_stored_times_as_boxes_and_words(officer_client):
    meeting = make_meeting(reminder_offsets=[2880, 1440, 90, 45])
    page = officer_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").content.decode()
    assert 'name="reminder_offsets" value="2880" id="id_reminder_offsets_1" checked' in page
    assert 'name="reminder_offsets" value="1440" id="id_reminder_offsets_2" checked' in page
    assert 'value="60" id="id_reminder_offsets_4">' in page  # not ticked
    assert 'name="reminder_offsets_custom" id="id_reminder_offsets_custom" value="90 minutes, 45 minutes"' in page
    assert '<label for="id_reminder_offsets_custom">Other times before the start</label>' in page
    assert "[1440" not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("soon", "“soon” is not a time before the start"),
        ("0 minutes", "“0 minutes” is not a time before the start"),
        ("200 hours", "at most one week (10080 minutes) before the start: “200 hours” is more"),
    ],
)
def test_a_time_that_is_not_one_is_refused_and_kept_as_typed(officer_client, typed, message):
    data = meeting_form(reminder_offsets=["60"], reminder_offsets_custom=typed)
    response = officer_client.post("/admin/meetings/meeting/add/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'value="{typed}"' in page  # what was typed stays in the box
    assert 'value="60" id="id_reminder_offsets_4" checked' in page
    assert not Meeting.objects.exists()


def test_a_forged_preset_is_refused(officer_client):
    response = officer_client.post("/admin/meetings/meeting/add/", meeting_form(reminder_offsets=["17"]))
    assert "Choose reminder times from the list." in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("ticked", ["²", "٣", "-60", "1e3", "9" * 5000])
def test_a_forged_ticked_box_is_refused_with_a_message(officer_client, ticked):
    # "²".isdigit() is true but int("²") fails: a forged box must meet the form's message, not a 500.
    data = meeting_form(reminder_offsets=[ticked], reminder_offsets_custom="90 minutes")
    response = officer_client.post("/admin/meetings/meeting/add/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose reminder times from the list." in page
    assert 'value="90 minutes"' in page
    assert not Meeting.objects.exists()

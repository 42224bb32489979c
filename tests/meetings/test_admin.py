"""Officers run meetings from the admin, with only the Officers group's permissions."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry
from meetings.models import AgendaItem, Feedback, FeedbackResponse, Meeting, Question, Rsvp
from meetings.services import feedback_release, feedback_submit, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(desk_client):
    return desk_client


def meeting_form(**overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=2)
    data = {
        "title": "Northgate town hall",
        "slug": "",
        "kind": "town_hall",
        "description": "Bring your questions.",
        "neighbourhood": "",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "mode": "in_person",
        "address": "Northgate Library",
        "online_url": "",
        "capacity": "40",
        "reminder_offsets": ["1440", "60"],
        "is_published": "on",
        "minutes": "",
        "agenda_items-TOTAL_FORMS": "2",
        "agenda_items-INITIAL_FORMS": "0",
        "agenda_items-MIN_NUM_FORMS": "0",
        "agenda_items-MAX_NUM_FORMS": "1000",
        "agenda_items-0-position": "1",
        "agenda_items-0-title": "Welcome",
        "agenda_items-1-position": "2",
        "agenda_items-1-title": "Questions",
    }
    data.update(overrides)
    return data


def test_officer_creates_a_meeting_with_its_agenda(officer_client, officer):
    response = officer_client.post("/admin/meetings/meeting/add/", meeting_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert meeting.slug.startswith("northgate-town-hall-")
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Welcome", "Questions"]
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "meeting.created",
        "meeting.agenda_updated",
        "admin.add",
    }
    assert AuditEntry.objects.filter(actor=officer).count() == 3


def test_end_before_start_is_refused_with_a_clear_message(officer_client):
    data = meeting_form()
    data["ends_at_0"], data["ends_at_1"] = data["starts_at_0"], "17:00:00"
    response = officer_client.post("/admin/meetings/meeting/add/", data)
    assert response.status_code == 200
    assert "The meeting must end after it starts" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reminder_offsets_custom": "-5 minutes"}, "is not a time before the start"),
        ({"address": ""}, "An in-person meeting needs an address"),
        ({"mode": "online", "address": ""}, "An online meeting needs a link"),
    ],
)
def test_other_bad_meeting_input_is_refused(officer_client, overrides, message):
    response = officer_client.post("/admin/meetings/meeting/add/", meeting_form(**overrides))
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_changing_the_time_in_the_admin_notifies_attendees(
    officer_client, resident, django_capture_on_commit_callbacks
):
    meeting = make_meeting(title="Northgate town hall", address="Northgate Library", capacity=40)
    rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    new_start = timezone.localtime(meeting.starts_at + timedelta(days=1))
    data = meeting_form(
        slug=meeting.slug,
        starts_at_0=new_start.strftime("%Y-%m-%d"),
        starts_at_1=new_start.strftime("%H:%M:%S"),
        ends_at_0=(new_start + timedelta(hours=2)).strftime("%Y-%m-%d"),
        ends_at_1=(new_start + timedelta(hours=2)).strftime("%H:%M:%S"),
        description="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(f"/admin/meetings/meeting/{meeting.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start and meeting.revision == 1
    (update,) = mail.outbox
    assert update.to == [resident.email] and update.subject.startswith("Changed")
    entry = AuditEntry.objects.get(action="meeting.updated")
    assert "starts_at" in entry.detail["fields"]


def test_cancel_action_notifies_and_audits(officer_client, resident, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            "/admin/meetings/meeting/",
            {"action": "cancel", "_selected_action": [meeting.pk], "confirm": "yes"},
            follow=True,
        )
    assert "attendees are notified" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert [message.to for message in mail.outbox] == [[resident.email]]
    assert AuditEntry.objects.filter(action="meeting.cancelled", target_id=str(meeting.pk)).exists()
    again = officer_client.post(
        "/admin/meetings/meeting/",
        {"action": "cancel", "_selected_action": [meeting.pk], "confirm": "yes"},
        follow=True,
    )
    assert "already cancelled" in again.content.decode()


def test_publish_action(officer_client):
    meeting = make_meeting(is_published=False)
    officer_client.post("/admin/meetings/meeting/", {"action": "publish", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.is_published
    assert AuditEntry.objects.filter(action="meeting.published").exists()


def test_rsvp_list_and_check_in_by_code(officer_client, officer, resident, other_resident):
    meeting = make_meeting(capacity=1, starts_at=timezone.now() + timedelta(minutes=30))  # The doors are open.
    going = rsvp_create(meeting=meeting, user=resident)
    waiting = rsvp_create(meeting=meeting, user=other_resident)
    url = f"/admin/meetings/meeting/{meeting.pk}/attendance/"
    page = officer_client.get(url).content.decode()
    assert going.code in page and waiting.code in page
    response = officer_client.post(url, {"code": going.code.lower()}, follow=True)
    assert "Checked in" in response.content.decode()
    going.refresh_from_db()
    assert going.checked_in_at is not None
    assert AuditEntry.objects.filter(action="meeting.checked_in", actor=officer).count() == 1
    for code, message in [
        (going.code, "already checked in"),
        (waiting.code, "not going"),
        ("ZZZZZZZZ", "No registration"),
    ]:
        assert message in officer_client.post(url, {"code": code}, follow=True).content.decode()
    assert AuditEntry.objects.filter(action="meeting.checked_in").count() == 1


def test_rsvp_csv_export(officer_client, resident):
    meeting = make_meeting()
    make_user("=cmd@example.com")  # not registered; just checking nothing odd leaks
    rsvp = rsvp_create(meeting=meeting, user=resident)
    response = officer_client.get(f"/admin/meetings/meeting/{meeting.pk}/attendance.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["code", "name", "e-mail"]
    assert rows[1][0] == rsvp.code and rows[1][2] == resident.email and rows[1][3] == "Going"
    assert len(rows) == 2


def test_question_moderation_and_answer(officer_client, resident, officer):
    meeting = make_meeting()
    question = Question.objects.create(meeting=meeting, author=resident, text="Will the park get lights?")
    officer_client.post("/admin/meetings/question/", {"action": "publish", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == Question.Status.PUBLISHED
    url = f"/admin/meetings/question/{question.pk}/change/"
    refused = officer_client.post(url, {"status": "answered", "answer": ""})
    assert "Write the answer" in refused.content.decode()
    officer_client.post(url, {"status": "answered", "answer": "Yes, six lights by spring."})
    question.refresh_from_db()
    assert (question.status, question.answer) == (Question.Status.ANSWERED, "Yes, six lights by spring.")
    assert question.answered_at is not None
    actions = set(AuditEntry.objects.filter(actor=officer).values_list("action", flat=True))
    assert {"meeting.question_published", "meeting.question_answered"} <= actions
    officer_client.post("/admin/meetings/question/", {"action": "hide", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == Question.Status.HIDDEN


def test_feedback_results_and_published_response(officer_client, officer, resident, other_resident):
    with_time = timezone.now() - timedelta(days=3)
    meeting = make_meeting(starts_at=with_time + timedelta(days=1), capacity=None)
    Rsvp.objects.create(meeting=meeting, user=resident)
    Rsvp.objects.create(meeting=meeting, user=other_resident)
    base = {"rating_information": 4, "rating_listening": 5, "rating_organisation": 3, "concern_addressed": "yes"}
    feedback_submit(meeting=meeting, user=resident, anonymous=True, rating_overall=5, comment="Great turnout", **base)
    feedback_submit(meeting=meeting, user=other_resident, anonymous=False, rating_overall=2, comment="", **base)
    url = f"/admin/meetings/meeting/{meeting.pk}/feedback/"
    page = officer_client.get(url).content.decode()
    # The anonymous answer waits for its batch: counted, not shown.
    assert "1 response" in page and "1 anonymous answer is waiting" in page
    assert "Great turnout" not in page
    feedback_release(meeting_id=meeting.pk, now=timezone.now() + timedelta(days=30))
    page = officer_client.get(url).content.decode()
    assert "2 responses" in page
    assert "3.5" in page  # overall average
    assert "Great turnout" in page
    response = officer_client.post(
        url, {"summary": "You liked the format.", "response": "We will keep it."}, follow=True
    )
    assert "published on the meeting page" in response.content.decode()
    published = FeedbackResponse.objects.get(meeting=meeting)
    assert published.published_at is not None and published.author == officer
    assert AuditEntry.objects.filter(action="meeting.feedback_response_published").exists()
    assert Feedback.objects.count() == 2


def test_officer_tool_pages_need_permissions(client, resident):
    from allauth.mfa.models import Authenticator

    meeting = make_meeting()
    staff_without_role = make_user("clerk@example.com", is_staff=True)
    Authenticator.objects.create(user=staff_without_role, type=Authenticator.Type.TOTP, data={})
    for suffix in ["attendance/", "attendance.csv", "feedback/"]:
        url = f"/admin/meetings/meeting/{meeting.pk}/{suffix}"
        client.force_login(resident)
        assert client.get(url).status_code == 302  # not staff: sent to the admin log-in
        client.force_login(staff_without_role)
        assert client.get(url).status_code == 403


def test_changelist_shows_going_counts(officer_client, resident):
    meeting = make_meeting(title="Counted meeting", capacity=5)
    rsvp_create(meeting=meeting, user=resident)
    AgendaItem.objects.create(meeting=meeting, title="Item")
    response = officer_client.get("/admin/meetings/meeting/")
    assert response.status_code == 200 and "Counted meeting" in response.content.decode()

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from meetings import tasks
from meetings.models import Feedback, FeedbackReceipt, Meeting, PendingFeedback, Rsvp
from meetings.services import MeetingError, feedback_response_publish, feedback_submit, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import local, make_meeting

pytestmark = pytest.mark.django_db

ANSWERS = {
    "rating_information": 4,
    "rating_listening": 5,
    "rating_organisation": 3,
    "rating_overall": 4,
    "concern_addressed": "partly",
    "comment": "More seats next time, please.",
}


def ended_meeting_with(*people, checked_in=()):
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        meeting = make_meeting(starts_at=timezone.now() + timedelta(days=1))
        for person in people:
            rsvp_create(meeting=meeting, user=person)
    Rsvp.objects.filter(meeting=meeting, user__in=checked_in).update(checked_in_at=meeting.starts_at)
    return meeting


def test_feedback_request_goes_once_to_each_attendee_after_the_end(
    resident, other_resident, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=local(2026, 6, 10, 18, 0))
        rsvp_create(meeting=meeting, user=resident)
        rsvp_create(meeting=meeting, user=other_resident)
    mail.outbox.clear()
    for moment in [
        local(2026, 6, 10, 19, 0),
        local(2026, 6, 10, 20, 1),
        local(2026, 6, 10, 20, 6),
        local(2026, 6, 11, 9),
    ]:
        with django_capture_on_commit_callbacks(execute=True), time_machine.travel(moment, tick=False):
            tasks.send_feedback_requests.delay()
            tasks.send_feedback_requests.delay()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([resident.email, other_resident.email])
    assert all(f"/meetings/{meeting.slug}/feedback/" in message.body for message in mail.outbox)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.COMPLETED


def test_with_check_in_only_people_checked_in_are_asked(resident, other_resident, django_capture_on_commit_callbacks):
    meeting = ended_meeting_with(resident, other_resident, checked_in=[resident])
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_feedback_requests.delay()
    assert [message.to for message in mail.outbox if "How was" in message.subject] == [[resident.email]]
    with pytest.raises(MeetingError, match="Only people who attended"):
        feedback_submit(meeting=meeting, user=other_resident, anonymous=False, **ANSWERS)


def test_no_feedback_request_for_a_cancelled_meeting(resident, django_capture_on_commit_callbacks):
    meeting = ended_meeting_with(resident)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_feedback_requests.delay()
    assert mail.outbox == []


def test_named_feedback_keeps_the_user(resident):
    meeting = ended_meeting_with(resident)
    feedback = feedback_submit(meeting=meeting, user=resident, anonymous=False, **ANSWERS)
    assert feedback.user == resident


def test_anonymous_feedback_stores_no_link_to_the_person(resident):
    meeting = ended_meeting_with(resident)
    assert feedback_submit(meeting=meeting, user=resident, anonymous=True, **ANSWERS) is None
    # It waits for its batch, with no user and no time; the receipt keeps only the day.
    pending = PendingFeedback.objects.get(meeting=meeting)
    assert pending.comment == ANSWERS["comment"]
    assert not Feedback.objects.exists()
    receipt = FeedbackReceipt.objects.get(meeting=meeting, user=resident)
    assert receipt.responded_on == timezone.localdate()
    # …and once only still holds.
    with pytest.raises(MeetingError, match="already given feedback"):
        feedback_submit(meeting=meeting, user=resident, anonymous=True, **ANSWERS)
    assert PendingFeedback.objects.count() == 1


def test_feedback_before_the_end_is_refused(resident):
    meeting = make_meeting()
    rsvp_create(meeting=meeting, user=resident)
    with pytest.raises(MeetingError, match="opens when the meeting ends"):
        feedback_submit(meeting=meeting, user=resident, anonymous=False, **ANSWERS)


def test_feedback_without_rsvp_is_refused(resident, other_resident):
    meeting = ended_meeting_with(resident)
    with pytest.raises(MeetingError, match="Only people who attended"):
        feedback_submit(meeting=meeting, user=other_resident, anonymous=False, **ANSWERS)
    assert not Feedback.objects.exists() and not FeedbackReceipt.objects.exists()


def test_feedback_twice_is_refused(resident):
    meeting = ended_meeting_with(resident)
    feedback_submit(meeting=meeting, user=resident, anonymous=False, **ANSWERS)
    with pytest.raises(MeetingError, match="already given feedback"):
        feedback_submit(meeting=meeting, user=resident, anonymous=False, **ANSWERS)


def test_feedback_form_view(resident_client, resident):
    meeting = ended_meeting_with(resident)
    page = resident_client.get(f"/meetings/{meeting.slug}/")
    assert "Tell us how it went" in page.content.decode()
    assert resident_client.get(f"/meetings/{meeting.slug}/feedback/").status_code == 200
    response = resident_client.post(f"/meetings/{meeting.slug}/feedback/", {**ANSWERS, "anonymous": "on"}, follow=True)
    assert "Thank you for your feedback" in response.content.decode()
    assert "none can be traced back to you" in response.content.decode()
    assert PendingFeedback.objects.get().comment == ANSWERS["comment"]
    assert "Tell us how it went" not in resident_client.get(f"/meetings/{meeting.slug}/").content.decode()
    again = resident_client.post(f"/meetings/{meeting.slug}/feedback/", ANSWERS, follow=True)
    assert "already given feedback" in again.content.decode()
    assert PendingFeedback.objects.count() == 1 and not Feedback.objects.exists()


def test_feedback_form_rejects_out_of_range_ratings(resident_client, resident):
    meeting = ended_meeting_with(resident)
    response = resident_client.post(f"/meetings/{meeting.slug}/feedback/", {**ANSWERS, "rating_overall": 9})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode() or "less than or equal" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_view_denials(client, resident, other_resident):
    meeting = ended_meeting_with(resident)
    response = client.get(f"/meetings/{meeting.slug}/feedback/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(resident)
    assert client.get("/meetings/no-such-meeting/feedback/").status_code == 404
    client.force_login(other_resident)
    refused = client.get(f"/meetings/{meeting.slug}/feedback/", follow=True).content.decode()
    assert "Only people who attended" in refused and "Tell us how it went" not in refused
    upcoming = make_meeting()
    rsvp_create(meeting=upcoming, user=other_resident)
    assert (
        "opens when the meeting ends"
        in client.get(f"/meetings/{upcoming.slug}/feedback/", follow=True).content.decode()
    )


def test_what_you_told_us_shows_once_published(client, resident, officer):
    meeting = ended_meeting_with(resident)
    feedback_submit(meeting=meeting, user=resident, anonymous=True, **ANSWERS)
    assert "What you told us" not in client.get(f"/meetings/{meeting.slug}/").content.decode()
    feedback_response_publish(
        meeting=meeting, actor=officer, summary="You asked for more seats.", response="We will book a bigger hall."
    )
    content = client.get(f"/meetings/{meeting.slug}/").content.decode()
    assert "What you told us" in content and "You asked for more seats." in content
    assert "We will book a bigger hall." in content


def test_feedback_response_needs_an_ended_meeting_and_text(officer):
    with pytest.raises(MeetingError, match="once the meeting has ended"):
        feedback_response_publish(meeting=make_meeting(), actor=officer, summary="Too early")
    with pytest.raises(MeetingError, match="summary"):
        feedback_response_publish(meeting=ended_meeting_with(make_user("x@example.com")), actor=officer, summary=" ")

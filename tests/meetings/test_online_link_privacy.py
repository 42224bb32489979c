"""The online link of a meeting reaches only people going: never the waiting list, in no e-mail or .ics."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import Meeting, Rsvp
from meetings.services import meeting_cancel, meeting_feedback_request, meeting_save, rsvp_cancel, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

ONLINE_URL = "https://video.example/j/123456?pwd=secret-pass"


def everything_sent_to(address: str) -> str:
    """Body, HTML part and attachments of every message to ``address``, as one text."""
    parts = []
    for message in mail.outbox:
        if address not in message.to:
            continue
        parts.append(message.subject)
        parts.append(message.body)
        parts.extend(str(content) for content, _mimetype in getattr(message, "alternatives", []))
        parts.extend(str(attachment[1]) for attachment in message.attachments)
    return "\n".join(parts)


@pytest.fixture
def full_online_meeting(db):
    meeting = make_meeting(mode=Meeting.Mode.HYBRID, online_url=ONLINE_URL, capacity=1)
    going, waiting = make_user("going@example.com"), make_user("waiting@example.com")
    return meeting, going, waiting


def test_the_waiting_list_e_mail_has_no_online_link(full_online_meeting, django_capture_on_commit_callbacks):
    meeting, going, waiting = full_online_meeting
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=meeting, user=going)
        rsvp_create(meeting=meeting, user=waiting)
    assert ONLINE_URL in everything_sent_to(going.email)
    waiting_mail = everything_sent_to(waiting.email)
    assert "waiting list" in waiting_mail
    assert "video.example" not in waiting_mail


def test_a_change_notice_and_its_ics_carry_the_link_only_for_people_going(
    full_online_meeting, officer, django_capture_on_commit_callbacks
):
    meeting, going, waiting = full_online_meeting
    rsvp_create(meeting=meeting, user=going)
    rsvp_create(meeting=meeting, user=waiting)
    mail.outbox.clear()
    meeting.starts_at += timedelta(hours=1)
    meeting.ends_at += timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_save(meeting=meeting, actor=officer)
    going_mail, waiting_mail = everything_sent_to(going.email), everything_sent_to(waiting.email)
    assert ONLINE_URL in going_mail and "BEGIN:VCALENDAR" in going_mail
    assert "BEGIN:VCALENDAR" in waiting_mail
    assert "video.example" not in waiting_mail


def test_a_cancellation_notice_carries_no_link_to_the_waiting_list(
    full_online_meeting, officer, django_capture_on_commit_callbacks
):
    meeting, going, waiting = full_online_meeting
    rsvp_create(meeting=meeting, user=going)
    rsvp_create(meeting=meeting, user=waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, actor=officer, reason="The hall is flooded.")
    assert "BEGIN:VCALENDAR" in everything_sent_to(waiting.email)
    assert "video.example" not in everything_sent_to(waiting.email)


def test_someone_promoted_from_the_waiting_list_gets_the_link_then(
    full_online_meeting, django_capture_on_commit_callbacks
):
    meeting, going, waiting = full_online_meeting
    rsvp_create(meeting=meeting, user=going)
    rsvp_create(meeting=meeting, user=waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_cancel(meeting=meeting, user=going)
    assert Rsvp.objects.get(user=waiting).status == Rsvp.Status.GOING
    assert ONLINE_URL in everything_sent_to(waiting.email)


def test_the_feedback_request_after_the_meeting_carries_no_link(db, django_capture_on_commit_callbacks):
    meeting = make_meeting(mode=Meeting.Mode.ONLINE, address="", online_url=ONLINE_URL)
    person = make_user("attendee@example.com")
    rsvp_create(meeting=meeting, user=person)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_feedback_request(meeting_id=meeting.pk) == 1
    assert "video.example" not in everything_sent_to(person.email)

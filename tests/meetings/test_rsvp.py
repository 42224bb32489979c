import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from meetings.models import CODE_ALPHABET, Meeting, Rsvp
from meetings.services import MeetingError, rsvp_cancel, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting


def test_rsvp_confirms_with_a_code_and_an_ics(meeting, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rsvp = rsvp_create(meeting=meeting, user=resident)
    assert rsvp.status == Rsvp.Status.GOING
    assert len(rsvp.code) == 8 and rsvp.code.isalnum()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert rsvp.code in message.body
    assert "12 Mill Lane" in message.body
    assert [attachment[0] for attachment in message.attachments] == [f"{meeting.slug}.ics"]


def test_registration_codes_are_short_random_and_unique(db):
    meeting = make_meeting()
    codes = [rsvp_create(meeting=meeting, user=make_user(f"person{index}@example.com")).code for index in range(20)]
    assert len(set(codes)) == 20
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert codes != sorted(codes)


def test_full_meeting_puts_people_on_the_waiting_list_in_order(db):
    meeting = make_meeting(capacity=1)
    people = [make_user(f"person{index}@example.com") for index in range(3)]
    statuses = [rsvp_create(meeting=meeting, user=person).status for person in people]
    assert statuses == [Rsvp.Status.GOING, Rsvp.Status.WAITLISTED, Rsvp.Status.WAITLISTED]


def test_cancelling_promotes_the_first_waiting_and_emails_them(db, django_capture_on_commit_callbacks):
    meeting = make_meeting(capacity=1)
    first, second, third = (make_user(f"person{index}@example.com") for index in range(3))
    for person in (first, second, third):
        rsvp_create(meeting=meeting, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_cancel(meeting=meeting, user=first)
    statuses = dict(Rsvp.objects.filter(meeting=meeting).values_list("user__email", "status"))
    assert statuses == {
        first.email: Rsvp.Status.CANCELLED,
        second.email: Rsvp.Status.GOING,
        third.email: Rsvp.Status.WAITLISTED,
    }
    assert [message.to for message in mail.outbox] == [[second.email]]
    assert "seat" in mail.outbox[0].subject.lower()


def test_double_rsvp_is_refused(meeting, resident):
    rsvp_create(meeting=meeting, user=resident)
    with pytest.raises(MeetingError, match="already registered"):
        rsvp_create(meeting=meeting, user=resident)
    assert Rsvp.objects.filter(meeting=meeting, user=resident).count() == 1


def test_rsvp_again_after_cancelling_reuses_the_row(meeting, resident):
    rsvp_create(meeting=meeting, user=resident)
    rsvp_cancel(meeting=meeting, user=resident)
    rsvp = rsvp_create(meeting=meeting, user=resident)
    assert rsvp.status == Rsvp.Status.GOING
    assert Rsvp.objects.filter(meeting=meeting, user=resident).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": Meeting.Status.CANCELLED}, "cancelled"),
        ({"starts_at": timezone.now() - timedelta(days=2)}, "already started"),
        ({"is_published": False}, "not open"),
    ],
)
def test_rsvp_to_cancelled_past_or_unpublished_meeting_is_refused(db, resident, overrides, message):
    meeting = make_meeting(**overrides)
    with pytest.raises(MeetingError, match=message):
        rsvp_create(meeting=meeting, user=resident)
    assert not Rsvp.objects.exists()


def test_cancel_without_rsvp_is_refused(meeting, resident):
    with pytest.raises(MeetingError, match="not registered"):
        rsvp_cancel(meeting=meeting, user=resident)


def test_rsvp_view_registers_and_shows_the_code(resident_client, meeting, resident):
    response = resident_client.post(f"/meetings/{meeting.slug}/rsvp/", follow=True)
    rsvp = Rsvp.objects.get(meeting=meeting, user=resident)
    assert rsvp.code in response.content.decode()
    response = resident_client.post(f"/meetings/{meeting.slug}/rsvp/", follow=True)
    assert "already registered" in response.content.decode()


def test_rsvp_view_on_full_meeting_says_waiting_list(resident_client, other_resident, resident):
    meeting = make_meeting(capacity=1)
    rsvp_create(meeting=meeting, user=other_resident)
    response = resident_client.post(f"/meetings/{meeting.slug}/rsvp/", follow=True)
    assert "waiting list" in response.content.decode()
    assert Rsvp.objects.get(user=resident).status == Rsvp.Status.WAITLISTED


def test_rsvp_view_denials(client, resident_client, meeting):
    assert resident_client.get(f"/meetings/{meeting.slug}/rsvp/").status_code == 405
    assert resident_client.post("/meetings/no-such-meeting/rsvp/").status_code == 404
    client.logout()
    response = client.post(f"/meetings/{meeting.slug}/rsvp/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Rsvp.objects.exists()


def test_cancel_view(resident_client, meeting, resident):
    rsvp_create(meeting=meeting, user=resident)
    response = resident_client.post(f"/meetings/{meeting.slug}/rsvp/cancel/", follow=True)
    assert "cancelled" in response.content.decode()
    assert Rsvp.objects.get(user=resident).status == Rsvp.Status.CANCELLED


@pytest.mark.postgres
def test_thirty_concurrent_rsvps_for_ten_seats(transactional_db):
    meeting = make_meeting(capacity=10)
    people = [make_user(f"racer{index}@example.com") for index in range(30)]
    barrier = threading.Barrier(len(people))
    errors = []

    def register(person):
        try:
            barrier.wait()
            rsvp_create(meeting=meeting, user=person)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rsvps = list(Rsvp.objects.filter(meeting=meeting).order_by("status_changed_at", "id"))
    assert sum(rsvp.status == Rsvp.Status.GOING for rsvp in rsvps) == 10
    assert sum(rsvp.status == Rsvp.Status.WAITLISTED for rsvp in rsvps) == 20
    # The waiting list is in arrival order: everyone going registered before everyone waiting.
    last_going = max(rsvp.status_changed_at for rsvp in rsvps if rsvp.status == Rsvp.Status.GOING)
    first_waiting = min(rsvp.status_changed_at for rsvp in rsvps if rsvp.status == Rsvp.Status.WAITLISTED)
    assert last_going <= first_waiting


def test_more_seats_promote_people_waiting(officer, resident, other_resident, django_capture_on_commit_callbacks):
    from meetings.services import meeting_save

    meeting = make_meeting(capacity=1)
    rsvp_create(meeting=meeting, user=resident)
    rsvp_create(meeting=meeting, user=other_resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.capacity = 2
        meeting_save(meeting=meeting, actor=officer)
    assert Rsvp.objects.get(user=other_resident).status == Rsvp.Status.GOING
    assert [message.to for message in mail.outbox] == [[other_resident.email]]

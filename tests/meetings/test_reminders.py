"""Reminders are found in the database on each beat tick and sent exactly once per person and offset."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from meetings import tasks
from meetings.models import Meeting, ReminderDelivery
from meetings.services import meeting_cancel, meeting_save, rsvp_cancel, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import local, make_meeting

pytestmark = pytest.mark.django_db


def run_beat(start, end, *, every=timedelta(minutes=15), ticks_per_step=2):
    """Run the beat task from ``start`` to ``end``, twice per step (a duplicate tick), committing e-mails."""
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            for _ in range(ticks_per_step):
                tasks.send_due_reminders.delay()
        moment += every


def reminders(outbox):
    return [message for message in outbox if message.subject.startswith("Reminder")]


def test_one_24h_and_one_1h_reminder_per_person_across_the_meeting_life(officer, django_capture_on_commit_callbacks):
    starts_at = local(2026, 6, 10, 18, 0)
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=starts_at)
        people = [make_user(f"person{index}@example.com") for index in range(3)]
        for person in people:
            rsvp_create(meeting=meeting, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 9, 12, 0), local(2026, 6, 10, 21, 0), every=timedelta(minutes=5))
    sent = reminders(mail.outbox)
    assert len(sent) == 6
    assert sorted(message.to[0] for message in sent) == sorted(person.email for person in people for _ in range(2))
    assert ReminderDelivery.objects.filter(offset_minutes=1440).count() == 3
    assert ReminderDelivery.objects.filter(offset_minutes=60).count() == 3
    # Each went out at its time: the 24 h one between 24 h and 1 h before, the 1 h one in the last hour.
    deliveries = ReminderDelivery.objects.all()
    for delivery in deliveries:
        lead = starts_at - delivery.created_at
        if delivery.offset_minutes == 1440:
            assert timedelta(hours=23, minutes=55) <= lead <= timedelta(hours=24)
        else:
            assert timedelta(minutes=55) <= lead <= timedelta(hours=1)


def test_reminder_carries_date_time_place_and_an_ics(resident, django_capture_on_commit_callbacks):
    starts_at = local(2026, 6, 10, 18, 30)
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=starts_at, mode=Meeting.Mode.HYBRID, online_url="https://meet.example.org/x")
        rsvp = rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(local(2026, 6, 9, 19, 0), tick=False):
        tasks.send_due_reminders.delay()
    (message,) = mail.outbox
    assert "Wednesday, June 10, 2026" in message.body
    assert "6:30 PM" in message.body and "CDT" in message.body
    assert "12 Mill Lane, Riverton" in message.body
    assert "https://meet.example.org/x" in message.body
    assert "openstreetmap.org/search" in message.body
    assert rsvp.code in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == (f"{meeting.slug}.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == starts_at


def test_no_reminders_after_cancellation(resident, other_resident, officer, django_capture_on_commit_callbacks):
    starts_at = local(2026, 6, 10, 18, 0)
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=starts_at)
        rsvp_create(meeting=meeting, user=resident)
        rsvp_create(meeting=meeting, user=other_resident)
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 9, 17, 0), local(2026, 6, 9, 20, 0))
    assert len(reminders(mail.outbox)) == 2  # the 24 h reminders
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(local(2026, 6, 9, 21, 0), tick=False):
        meeting_cancel(meeting=meeting, actor=officer, reason="The hall flooded.")
    cancelled = list(mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 9, 21, 0), local(2026, 6, 10, 19, 0))
    assert sorted(message.to[0] for message in cancelled) == sorted([resident.email, other_resident.email])
    assert all("Cancelled" in message.subject and "The hall flooded." in message.body for message in cancelled)
    assert reminders(mail.outbox) == []


def test_no_reminder_for_a_cancelled_rsvp(resident, other_resident, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=local(2026, 6, 10, 18, 0))
        rsvp_create(meeting=meeting, user=resident)
        rsvp_create(meeting=meeting, user=other_resident)
        rsvp_cancel(meeting=meeting, user=other_resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 9, 17, 0), local(2026, 6, 10, 19, 0))
    assert sorted(message.to[0] for message in reminders(mail.outbox)) == [resident.email, resident.email]


def test_reschedule_notifies_at_once_and_never_sends_the_old_times_reminders(
    resident, officer, django_capture_on_commit_callbacks
):
    old_start, new_start = local(2026, 6, 10, 18, 0), local(2026, 6, 12, 10, 0)
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=old_start)
        rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 9, 17, 0), local(2026, 6, 9, 19, 0))  # the 24 h reminder for the old time
    assert len(reminders(mail.outbox)) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(local(2026, 6, 9, 20, 0), tick=False):
        meeting.starts_at, meeting.ends_at = new_start, new_start + timedelta(hours=2)
        meeting_save(meeting=meeting, actor=officer)
    (update,) = mail.outbox
    assert update.to == [resident.email]
    assert "Changed" in update.subject and "Friday, June 12, 2026" in update.body and "10:00 AM" in update.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Across the old time and on to the new one.
        run_beat(local(2026, 6, 9, 20, 0), local(2026, 6, 12, 11, 0), every=timedelta(minutes=30))
    sent = reminders(mail.outbox)
    assert len(sent) == 2
    assert all("June 12" in message.subject for message in sent)
    assert not ReminderDelivery.objects.filter(starts_at=old_start, offset_minutes=60).exists()
    assert set(ReminderDelivery.objects.filter(starts_at=new_start).values_list("offset_minutes", flat=True)) == {
        1440,
        60,
    }


def test_changing_the_place_notifies_everyone_going(
    resident, other_resident, officer, django_capture_on_commit_callbacks
):
    meeting = make_meeting()
    rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.address = "City Hall, Room 2"
        meeting_save(meeting=meeting, actor=officer)
    (update,) = mail.outbox
    assert update.to == [resident.email] and "City Hall, Room 2" in update.body
    meeting.refresh_from_db()
    assert meeting.revision == 1


def test_editing_the_description_sends_no_update(resident, officer, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.description = "Now with coffee."
        meeting_save(meeting=meeting, actor=officer)
    assert mail.outbox == []


def test_custom_offsets_per_meeting(resident, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=local(2026, 6, 10, 18, 0), reminder_offsets=[2880, 30])
        rsvp_create(meeting=meeting, user=resident)
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 8, 12, 0), local(2026, 6, 10, 18, 30), every=timedelta(minutes=30))
    assert sorted(ReminderDelivery.objects.values_list("offset_minutes", flat=True)) == [30, 2880]


def test_late_registration_gets_only_the_current_reminder(resident, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=local(2026, 6, 10, 18, 0))
    with time_machine.travel(local(2026, 6, 10, 15, 0), tick=False):
        rsvp_create(meeting=meeting, user=resident)
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 6, 10, 15, 0), local(2026, 6, 10, 18, 0))
    assert sorted(ReminderDelivery.objects.values_list("offset_minutes", flat=True)) == [60, 1440]
    # The "24 h" one went out at once (three hours ahead), the 1 h one an hour ahead: never both at once.
    created = dict(ReminderDelivery.objects.values_list("offset_minutes", "created_at"))
    assert created[60] - created[1440] >= timedelta(hours=1, minutes=55)


def test_meeting_after_the_dst_change_has_right_times_and_reminders(resident, django_capture_on_commit_callbacks):
    # Clocks go back at 2:00 on 1 November 2026 in Chicago: CDT (UTC-5) becomes CST (UTC-6).
    starts_at = local(2026, 11, 1, 18, 0)
    assert starts_at.utcoffset() == timedelta(hours=-6)
    with time_machine.travel(local(2026, 10, 25, 9, 0), tick=False):
        meeting = make_meeting(starts_at=starts_at)
        rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_beat(local(2026, 10, 31, 18, 0), local(2026, 11, 1, 18, 0), every=timedelta(minutes=5))
    sent = reminders(mail.outbox)
    assert len(sent) == 2
    for message in sent:
        assert "Sunday, November 1, 2026" in message.body
        assert "6:00 PM" in message.body and "CST" in message.body
        event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
        assert event.decoded("dtstart") == starts_at
        assert str(event["dtstart"].params["TZID"]) == "America/Chicago"
    created = dict(ReminderDelivery.objects.values_list("offset_minutes", "created_at"))
    # 24 elapsed hours before 18:00 CST is 19:00 CDT on the Saturday, before the clocks changed.
    assert timedelta(0) <= created[1440] - local(2026, 10, 31, 19, 0) < timedelta(minutes=5)
    assert timedelta(0) <= created[60] - local(2026, 11, 1, 17, 0) < timedelta(minutes=5)


def test_meeting_spanning_the_dst_change_keeps_its_real_length(db):
    # 00:30 CDT to 02:30 CST is three hours of real time.
    meeting = make_meeting(starts_at=local(2026, 11, 1, 0, 30), ends_at=local(2026, 11, 1, 2, 30))
    meeting.refresh_from_db()
    assert meeting.duration == timedelta(hours=3)


@pytest.mark.parametrize("change", ["reschedule", "cancel meeting", "cancel rsvp"])
def test_a_reminder_still_waiting_for_a_worker_is_withdrawn_when_it_no_longer_holds(resident, officer, change):
    from outbox.models import Email
    from outbox.services import email_deliver_batch

    starts_at = local(2026, 6, 10, 18, 0)
    with time_machine.travel(local(2026, 6, 1, 9, 0), tick=False):
        meeting = make_meeting(starts_at=starts_at)
        rsvp_create(meeting=meeting, user=resident)
    # The beat queues the 24 h reminder, but no worker has sent it yet (no commit hook ran).
    with time_machine.travel(local(2026, 6, 9, 18, 5), tick=False):
        tasks.send_due_reminders.delay()
        reminder = Email.objects.get(template="meetings/emails/reminder")
        if change == "reschedule":
            meeting.starts_at += timedelta(days=1)
            meeting.ends_at += timedelta(days=1)
            meeting_save(meeting=meeting, actor=officer)
        elif change == "cancel meeting":
            meeting_cancel(meeting=meeting, actor=officer)
        else:
            rsvp_cancel(meeting=meeting, user=resident)
    mail.outbox.clear()

    email_deliver_batch(email_ids=[reminder.pk])

    reminder.refresh_from_db()
    assert reminder.status == Email.Status.WITHDRAWN
    assert reminders(mail.outbox) == []

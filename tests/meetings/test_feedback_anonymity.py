"""Anonymous meeting feedback cannot be tied to its author: not by ids, row order, times or transaction ids."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from meetings.models import Feedback, FeedbackReceipt, PendingFeedback, Rsvp
from meetings.services import feedback_release_due, feedback_submit, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

PEOPLE = 8


def answers(number: int) -> dict:
    return {
        "rating_information": 1 + number % 5,
        "rating_listening": 5,
        "rating_organisation": 3,
        "rating_overall": 4,
        "concern_addressed": "yes",
        "comment": f"answer {number}",
    }


def ended_meeting_with(people):
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        meeting = make_meeting(starts_at=timezone.now() + timedelta(days=1))
        for person in people:
            rsvp_create(meeting=meeting, user=person)
    return meeting


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def column_types(table: str) -> dict[str, str]:
    return dict(
        rows(f"SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '{table}'")  # noqa: S608
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nothing_in_the_database_pairs_a_receipt_with_its_anonymous_feedback(settings):
    settings.MEETINGS_FEEDBACK_BATCH_SIZE = PEOPLE
    people = [make_user(f"attendee{number}@example.com") for number in range(PEOPLE)]
    meeting = ended_meeting_with(people)
    for number, person in enumerate(people):
        # Each in its own committed transaction, as from the web.
        feedback_submit(meeting=meeting, user=person, anonymous=True, **answers(number))
        if number < PEOPLE - 1:
            assert not Feedback.objects.exists(), "an answer was shown before its batch was full"

    assert not PendingFeedback.objects.exists()
    released = rows("SELECT comment, xmin::text, id FROM meetings_feedback ORDER BY ctid")
    receipts = rows("SELECT user_id, xmin::text FROM meetings_feedbackreceipt ORDER BY ctid")
    assert sorted(comment for comment, _xmin, _id in released) == sorted(f"answer {n}" for n in range(PEOPLE))
    assert len(receipts) == PEOPLE
    # Transaction ids: no feedback row was written by a transaction that wrote a receipt.
    assert not {xmin for _comment, xmin, _id in released} & {xmin for _user, xmin in receipts}
    # Row order (what ORDER BY ctid or a pg_dump shows) is not the order people answered in.
    assert [comment for comment, _xmin, _id in released] != [f"answer {n}" for n in range(PEOPLE)]
    # Ids: random UUIDs, nothing sequential to line up with the receipts' ids.
    assert all(isinstance(row_id, uuid.UUID) and row_id.version == 4 for _comment, _xmin, row_id in released)
    # Times: the feedback carries none, the receipt only the day.
    assert not {"date", "time without time zone", "timestamp with time zone", "timestamp without time zone"} & set(
        column_types("meetings_feedback").values()
    )
    receipt_columns = column_types("meetings_feedbackreceipt")
    receipt_times = {name: kind for name, kind in receipt_columns.items() if "time" in kind or kind == "date"}
    assert receipt_times == {"responded_on": "date"}
    assert not rows("SELECT 1 FROM meetings_feedback WHERE user_id IS NOT NULL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_waiting_pool_holds_no_user_and_no_time(settings):
    settings.MEETINGS_FEEDBACK_BATCH_SIZE = PEOPLE
    person = make_user("attendee@example.com")
    meeting = ended_meeting_with([person])
    feedback_submit(meeting=meeting, user=person, anonymous=True, **answers(1))
    columns = column_types("meetings_pendingfeedback")
    assert not any("user" in name for name in columns)
    assert not any("time" in kind or kind == "date" for kind in columns.values())
    assert rows("SELECT comment FROM meetings_pendingfeedback") == [("answer 1",)]


@pytest.mark.django_db
def test_a_batch_is_released_once_full_and_the_rest_when_feedback_closes(settings, django_capture_on_commit_callbacks):
    settings.MEETINGS_FEEDBACK_BATCH_SIZE = 3
    people = [make_user(f"attendee{number}@example.com") for number in range(4)]
    meeting = ended_meeting_with(people)
    for number, person in enumerate(people):
        with django_capture_on_commit_callbacks(execute=True):
            feedback_submit(meeting=meeting, user=person, anonymous=True, **answers(number))
    assert Feedback.objects.filter(meeting=meeting).count() == 3
    assert PendingFeedback.objects.filter(meeting=meeting).count() == 1
    # Before feedback closes the last answer keeps waiting…
    assert feedback_release_due() == 0
    # …and is released when it closes, however few are waiting.
    closed = meeting.ends_at + timedelta(days=settings.MEETINGS_FEEDBACK_WINDOW_DAYS, minutes=1)
    assert feedback_release_due(now=closed) == 1
    assert Feedback.objects.filter(meeting=meeting, user=None).count() == 4
    assert not PendingFeedback.objects.exists()


@pytest.mark.django_db
def test_feedback_closes_after_the_window(settings):
    person = make_user("late@example.com")
    meeting = ended_meeting_with([person])
    Rsvp.objects.filter(meeting=meeting).update(status=Rsvp.Status.GOING)
    with time_machine.travel(meeting.ends_at + timedelta(days=settings.MEETINGS_FEEDBACK_WINDOW_DAYS, seconds=1)):
        from meetings.services import MeetingError

        with pytest.raises(MeetingError, match="has closed"):
            feedback_submit(meeting=meeting, user=person, anonymous=True, **answers(1))
    assert not FeedbackReceipt.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_feedback_written_the_old_way_beside_its_receipts():
    import importlib

    from django.apps import apps
    from django.db import transaction

    people = [make_user(f"attendee{number}@example.com") for number in range(PEOPLE)]
    meeting = ended_meeting_with(people)
    # The old way: receipt and anonymous feedback in one transaction, in order.
    for number, person in enumerate(people):
        with transaction.atomic():
            FeedbackReceipt.objects.create(meeting=meeting, user=person)
            Feedback.objects.create(meeting=meeting, user=None, **answers(number))
    named = Feedback.objects.create(meeting=meeting, user=people[0], **answers(99))
    receipt_xmins = {xmin for (xmin,) in rows("SELECT xmin::text FROM meetings_feedbackreceipt")}
    assert receipt_xmins & {xmin for (xmin,) in rows("SELECT xmin::text FROM meetings_feedback")}

    migration = importlib.import_module("meetings.migrations.0002_feedback_released_in_shuffled_batches")
    with transaction.atomic():
        migration.rewrite_anonymous_feedback_shuffled(apps, None)

    released = rows("SELECT comment, xmin::text FROM meetings_feedback WHERE user_id IS NULL ORDER BY ctid")
    assert sorted(comment for comment, _xmin in released) == sorted(f"answer {n}" for n in range(PEOPLE))
    assert not {xmin for _comment, xmin in released} & receipt_xmins
    assert [comment for comment, _xmin in released] != [f"answer {n}" for n in range(PEOPLE)]
    # Named feedback is the person's own and stays as it was.
    assert Feedback.objects.get(user=people[0]).pk == named.pk


@pytest.mark.django_db
def test_with_the_broker_down_a_full_batch_is_released_by_the_hourly_sweep(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from meetings import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.release_feedback, "apply_async", broker_down)
    settings.MEETINGS_FEEDBACK_BATCH_SIZE = 2
    people = [make_user(f"attendee{number}@example.com") for number in range(2)]
    meeting = ended_meeting_with(people)
    for number, person in enumerate(people):
        with django_capture_on_commit_callbacks(execute=True):
            feedback_submit(meeting=meeting, user=person, anonymous=True, **answers(number))
    assert FeedbackReceipt.objects.count() == 2 and not Feedback.objects.exists()
    assert tasks.release_closed_feedback() == 2
    assert Feedback.objects.filter(meeting=meeting).count() == 2

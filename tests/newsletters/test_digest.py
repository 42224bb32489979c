from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from meetings.models import Meeting
from newsletters import digest
from newsletters.models import DigestDelivery, Newsletter, Subscription
from newsletters.tasks import send_weekly_digests
from programs.models import Program
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
WEDNESDAY_NOON = datetime(2026, 12, 2, 12, 0, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _wednesday(time_machine):
    time_machine.move_to(WEDNESDAY_NOON, tick=False)


def make_meeting(title, neighbourhood=None, *, in_days=3, **fields):
    starts_at = WEDNESDAY_NOON + timedelta(days=in_days)
    return Meeting.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        neighbourhood=neighbourhood,
        **{"is_published": True, **fields},
    )


def make_program(title, neighbourhood=None, *, open_now=True):
    opens = WEDNESDAY_NOON - timedelta(days=2)
    closes = WEDNESDAY_NOON + (timedelta(days=5) if open_now else -timedelta(days=1))
    return Program.objects.create(
        kind=Program.Kind.ACADEMY,
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary="Evenings behind the scenes.",
        capacity=10,
        applications_open_at=opens,
        applications_close_at=closes,
        status=Program.Status.PUBLISHED,
        neighbourhood=neighbourhood,
    )


def run_digest(captured):
    with captured(execute=True):
        return send_weekly_digests.delay().get()


def test_a_subscriber_gets_their_neighbourhoods_news_and_not_anothers(
    neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("riverside@example.com", neighbourhoods=[neighbourhood])
    make_meeting("Riverside town hall", neighbourhood)
    make_meeting("Old Town forum", other_neighbourhood)
    make_meeting("City budget hearing")  # city-wide
    make_meeting("Far future forum", neighbourhood, in_days=30)
    make_meeting("Draft meeting", neighbourhood, is_published=False)
    make_program("Riverside academy", neighbourhood)
    make_program("Old Town academy", other_neighbourhood)
    make_program("Closed academy", neighbourhood, open_now=False)
    Newsletter.objects.create(
        subject="November newsletter",
        body="Hello",
        status=Newsletter.Status.SENT,
        started_at=WEDNESDAY_NOON - timedelta(days=1),
    )

    assert run_digest(django_capture_on_commit_callbacks) == 1

    [message] = mail.outbox
    assert message.to == ["riverside@example.com"]
    body = message.body
    for wanted in ("Riverside town hall", "City budget hearing", "Riverside academy", "November newsletter"):
        assert wanted in body
    for unwanted in ("Old Town forum", "Old Town academy", "Closed academy", "Far future forum", "Draft meeting"):
        assert unwanted not in body
    assert "http://127.0.0.1:8000/meetings/riverside-town-hall/" in body
    assert "Riverside town hall" in message.alternatives[0][0]
    assert "weekly digest" in body  # why it was sent
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert DigestDelivery.objects.get().week == "2026-W49"


def test_running_twice_in_a_week_sends_one_digest_and_next_week_another(
    neighbourhood, django_capture_on_commit_callbacks, time_machine
):
    make_subscription("riverside@example.com", neighbourhoods=[neighbourhood])
    make_meeting("Riverside town hall", neighbourhood)

    run_digest(django_capture_on_commit_callbacks)
    time_machine.move_to(WEDNESDAY_NOON + timedelta(days=2))
    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1

    make_meeting("Riverside walkabout", neighbourhood, in_days=8)
    time_machine.move_to(WEDNESDAY_NOON + timedelta(days=5))  # Monday 12:00, the next ISO week
    run_digest(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert "Riverside walkabout" in mail.outbox[1].body


def test_nothing_new_sends_nothing(neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks):
    make_subscription("riverside@example.com", neighbourhoods=[neighbourhood])
    make_meeting("Old Town forum", other_neighbourhood)

    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


def test_topics_frequency_and_status_are_respected(neighbourhood, django_capture_on_commit_callbacks):
    make_subscription("no-meetings@example.com", wants_meetings=False)
    make_subscription("no-digest@example.com", digest_frequency=Subscription.DigestFrequency.NONE)
    make_subscription("gone@example.com", status=Subscription.Status.UNSUBSCRIBED)
    make_subscription("pending@example.com", status=Subscription.Status.PENDING)
    make_subscription("everything@example.com")
    make_meeting("Riverside town hall", neighbourhood)

    run_digest(django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [["everything@example.com"]]


def test_a_digest_run_that_crashes_half_way_and_runs_again_sends_each_one_digest(
    neighbourhood, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(5):
        make_subscription(f"reader{n}@example.com")
    make_meeting("Riverside town hall", neighbourhood)
    real_queue_many = digest.email_queue_many
    calls = {"n": 0}

    def dies_on_the_second_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_queue_many(**kwargs)

    monkeypatch.setattr(digest, "BATCH_SIZE", 2)
    monkeypatch.setattr(digest, "email_queue_many", dies_on_the_second_batch)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        digest.digests_send()
    assert len(mail.outbox) == 2

    monkeypatch.setattr(digest, "email_queue_many", real_queue_many)
    run_digest(django_capture_on_commit_callbacks)
    run_digest(django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == [f"reader{n}@example.com" for n in range(5)]
    assert DigestDelivery.objects.count() == 5


def test_nothing_goes_out_before_monday_eight_in_the_morning(
    neighbourhood, django_capture_on_commit_callbacks, time_machine
):
    make_subscription("riverside@example.com")
    make_meeting("Riverside town hall", neighbourhood, in_days=7)
    time_machine.move_to(datetime(2026, 12, 7, 7, 30, tzinfo=CHICAGO))

    assert run_digest(django_capture_on_commit_callbacks) == 0
    time_machine.move_to(datetime(2026, 12, 7, 8, 30, tzinfo=CHICAGO))
    assert run_digest(django_capture_on_commit_callbacks) == 1

"""The weekly digest lists the actions that moved that week, for the subscriber's neighbourhoods."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from actions import services
from newsletters.tasks import send_weekly_digests
from tests.actions.conftest import make_action
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
WEDNESDAY_NOON = datetime(2026, 12, 2, 12, 0, tzinfo=CHICAGO)


def test_actions_changed_this_week_are_in_the_digest(
    time_machine, officer, neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("riverside@example.com", neighbourhoods=[neighbourhood])
    time_machine.move_to(WEDNESDAY_NOON - timedelta(days=20), tick=False)
    stale = make_action(officer, title="Untouched for weeks", neighbourhood=neighbourhood)
    moved = make_action(officer, title="Repaint the underpass", neighbourhood=neighbourhood)
    time_machine.move_to(WEDNESDAY_NOON - timedelta(days=2), tick=False)
    services.change_status(moved, by=officer, status="in_progress")
    make_action(officer, title="Old Town benches", neighbourhood=other_neighbourhood)
    make_action(officer, title="City-wide street lighting review")
    time_machine.move_to(WEDNESDAY_NOON, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests.delay().get() == 1

    [message] = mail.outbox
    assert "You said, we did" in message.body
    assert "Repaint the underpass (In progress)" in message.body
    assert "City-wide street lighting review (Proposed)" in message.body
    assert stale.title not in message.body and "Old Town benches" not in message.body
    assert moved.get_absolute_url() in message.body
    assert "Repaint the underpass" in message.alternatives[0][0]


def test_subscribers_who_do_not_follow_meetings_do_not_get_the_actions(
    time_machine, officer, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("alerts-only@example.com", wants_meetings=False)
    time_machine.move_to(WEDNESDAY_NOON - timedelta(days=1), tick=False)
    make_action(officer, title="Repaint the underpass", neighbourhood=neighbourhood)
    time_machine.move_to(WEDNESDAY_NOON, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests.delay().get() == 0

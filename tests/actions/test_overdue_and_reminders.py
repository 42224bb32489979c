"""Overdue and due-soon come from the database and the city's clock, across midnight and DST."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from actions import services, tasks
from actions.models import ActionItem
from actions.selectors import public_actions
from outbox.models import Email
from tests.actions.conftest import make_action
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def overdue(action) -> bool:
    return public_actions().get(pk=action.pk).is_overdue


def test_an_item_is_overdue_from_the_city_s_next_midnight_not_utc_s(officer):
    action = make_action(officer, due_date=date(2026, 11, 30))

    # 21:00 in Chicago on the due date is already December 1 in UTC: not late yet.
    with time_machine.travel(datetime(2026, 11, 30, 21, 0, tzinfo=CHICAGO), tick=False):
        assert not overdue(action)
    with time_machine.travel(datetime(2026, 11, 30, 23, 59, tzinfo=CHICAGO), tick=False):
        assert not overdue(action)
    with time_machine.travel(datetime(2026, 12, 1, 0, 1, tzinfo=CHICAGO), tick=False):
        assert overdue(action)


def test_the_night_clocks_fall_back_counts_once(officer):
    # 2026-11-01: 01:00-02:00 happens twice in Chicago; the day still ends at local midnight.
    action = make_action(officer, due_date=date(2026, 11, 1))
    with time_machine.travel(datetime(2026, 11, 1, 23, 30, tzinfo=CHICAGO), tick=False):
        assert not overdue(action)
    with time_machine.travel(datetime(2026, 11, 2, 0, 30, tzinfo=CHICAGO), tick=False):
        assert overdue(action)


def test_done_and_not_possible_items_are_never_overdue(officer):
    done = make_action(officer, due_date=date(2026, 3, 1))
    services.change_status(done, by=officer, status=ActionItem.Status.DONE)
    refused = make_action(officer, due_date=date(2026, 3, 1))
    services.change_status(refused, by=officer, status=ActionItem.Status.NOT_POSSIBLE, reason="No budget.")
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=CHICAGO), tick=False):
        assert not overdue(done) and not overdue(refused)


def reminders():
    return Email.objects.filter(template="actions/emails/officer_reminder")


def test_officers_are_reminded_once_a_day_of_due_soon_and_overdue_items(officer):
    other_officer = make_user("officer.erin@example.com", is_staff=True)
    make_action(officer, title="Due in a week", due_date=date(2026, 3, 15), owner_officer=officer)
    make_action(officer, title="Late", due_date=date(2026, 3, 1), owner_officer=officer)
    make_action(officer, title="Far off", due_date=date(2026, 4, 30), owner_officer=officer)
    make_action(officer, title="Someone else's", due_date=date(2026, 3, 10), owner_officer=other_officer)

    # 2026-03-08 is the night clocks spring forward; 23:30 local is already the 9th in UTC.
    with time_machine.travel(datetime(2026, 3, 8, 23, 30, tzinfo=CHICAGO), tick=False):
        assert tasks.send_officer_reminders.apply().get() == 2
        assert tasks.send_officer_reminders.apply().get() == 2  # a second tick the same day
    assert reminders().count() == 2
    mine = reminders().get(to=officer.email)
    titles = [item["title"] for item in mine.context["items"]]
    assert titles == ["Late", "Due in a week"]
    assert [item["overdue"] for item in mine.context["items"]] == [True, False]

    # Just after local midnight: a new day, a new reminder.
    with time_machine.travel(datetime(2026, 3, 9, 0, 5, tzinfo=CHICAGO), tick=False):
        services.officer_reminders_send()
    assert reminders().filter(to=officer.email).count() == 2


def test_an_item_nobody_owns_reminds_every_officer_and_closed_items_remind_no_one(officer):
    make_action(officer, title="Unowned", due_date=date(2026, 3, 12))
    closed = make_action(officer, title="Closed", due_date=date(2026, 3, 1), owner_officer=officer)
    services.change_status(closed, by=officer, status=ActionItem.Status.DONE)

    with time_machine.travel(datetime(2026, 3, 9, 9, tzinfo=CHICAGO), tick=False):
        services.officer_reminders_send()

    assert [[item["title"] for item in email.context["items"]] for email in reminders()] == [["Unowned"]]

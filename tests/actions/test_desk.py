"""The officers' desk lists open actions due within a week or overdue, and links to exactly those."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from actions import services
from tests.actions.conftest import make_action

pytestmark = pytest.mark.django_db


def test_the_desk_counts_due_soon_and_overdue_actions_and_links_to_them(desk_client, officer):
    make_action(officer, title="Late", due_date=date(2026, 11, 20))
    make_action(officer, title="This week", due_date=date(2026, 12, 5))
    make_action(officer, title="Next month", due_date=date(2027, 1, 20))
    done = make_action(officer, title="Finished", due_date=date(2026, 11, 1))
    services.change_status(done, by=officer, status="done")

    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("America/Chicago")), tick=False):
        desk = desk_client.get("/admin/")
        queue = next(q for q in desk.context["desk"]["queues"] if q["key"] == "actions.due_soon_or_overdue")
        listed = desk_client.get(queue["url"])

    assert queue["count"] == 2
    assert [action.title for action in listed.context["cl"].result_list] == ["This week", "Late"]

"""Action items: by status, on-time rate and overdue count, against a hand count."""

from datetime import date
from decimal import Decimal

import pytest

from tests.transparency.conftest import local, make_actions, make_area
from transparency.periods import parse_period
from transparency.selectors import period_figures
from transparency.services import figures_compute

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 12)


def test_action_figures_match_the_hand_count(time_machine):
    time_machine.move_to(NOW, tick=False)
    riverside = make_area("riverside")
    # Created in November in Riverside: 6 proposed, 5 planned; city-wide: 5 in progress.
    make_actions(6, created_at=local(2026, 11, 2, 9), neighbourhood=riverside)
    make_actions(5, created_at=local(2026, 11, 3, 9), neighbourhood=riverside, status="planned")
    make_actions(5, created_at=local(2026, 11, 4, 9), status="in_progress", due_date=date(2026, 11, 10))
    # Done in November with a due date: 6 on time (one on the day itself), 5 late. Created in October.
    make_actions(
        5, created_at=local(2026, 10, 1, 9), status="done", due_date=date(2026, 11, 15), done_on=date(2026, 11, 5)
    )
    make_actions(
        1, created_at=local(2026, 10, 1, 9), status="done", due_date=date(2026, 11, 15), done_on=date(2026, 11, 15)
    )
    make_actions(
        5, created_at=local(2026, 10, 1, 9), status="done", due_date=date(2026, 11, 1), done_on=date(2026, 11, 9)
    )
    # Not possible, though due long ago: never overdue.
    make_actions(5, created_at=local(2026, 10, 1, 9), status="not_possible", due_date=date(2026, 10, 2))
    figures_compute(now=NOW)

    november = period_figures(parse_period("2026-11", today=NOW.date()))
    assert november.value("actions", "riverside", "actions", "proposed") == 6
    assert november.value("actions", "riverside", "actions", "planned") == 5
    assert november.value("actions", "riverside", "actions") == 11
    assert november.value("actions", "city", "actions", "in_progress") == 5
    assert november.value("actions", "city", "actions") == 16
    assert november.value("actions", "city", "done_with_due_date") == 11
    assert november.value("actions", "city", "done_on_time") == 6
    assert november.value("actions", "city", "on_time_share") == Decimal("54.5")
    # Overdue now (November 20th): the 5 in progress due on the 10th.
    assert november.value("actions", "city", "overdue") == 5
    october = period_figures(parse_period("2026-10", today=NOW.date()))
    # On October 31st the 5 due on November 1st were not overdue yet; 16 were created, by present status.
    assert october.value("actions", "city", "overdue") == 0
    assert october.value("actions", "city", "actions", "done") == 11
    assert october.value("actions", "city", "actions", "not_possible") == 5

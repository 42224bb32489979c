"""Each figure against a fixture worked out by hand, with period boundaries in the city's time zone
(America/Chicago in the tests), across both DST changes."""

from decimal import Decimal

import pytest

from meetings.models import Feedback
from tests.transparency.conftest import (
    ask,
    check_in,
    give_feedback,
    local,
    make_area,
    make_held_meetings,
    make_tips,
    make_users,
    tip_category,
)
from tips.models import Tip
from transparency.models import Figure, FigureSet
from transparency.periods import parse_period
from transparency.selectors import period_figures
from transparency.services import figures_compute

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 12)
YES, PARTLY, NO, NONE = (Feedback.Concern.YES, Feedback.Concern.PARTLY, Feedback.Concern.NO, Feedback.Concern.NONE)


def figures(key: str):
    return period_figures(parse_period(key, today=NOW.date()))


def test_meetings_are_counted_in_the_month_of_their_local_start_across_both_dst_changes(time_machine):
    # No neighbourhood: every meeting is city-wide, so the city's figures are all published.
    time_machine.move_to(NOW, tick=False)
    make_held_meetings(5, starts_at=local(2026, 3, 31, 23, 30))  # CDT, already April 1 in UTC
    make_held_meetings(7, starts_at=local(2026, 4, 1, 0, 30))
    make_held_meetings(5, starts_at=local(2026, 10, 20, 23, 30))  # the day before the 30-day window
    make_held_meetings(5, starts_at=local(2026, 10, 21, 0, 30))  # its first half hour (CDT)
    make_held_meetings(5, starts_at=local(2026, 10, 31, 23, 30))  # CDT, already November 1 in UTC
    make_held_meetings(6, starts_at=local(2026, 11, 1, 0, 30))  # CDT; DST ends at 2:00 that night
    make_held_meetings(5, starts_at=local(2026, 11, 20, 0, 30))  # today (CST): not in the last 30 days
    assert figures_compute(now=NOW) > 0

    expected = {
        "2026-03": 5,
        "2026-04": 7,
        "2026-10": 15,
        "2026-11": 11,
        "2026-Q1": 5,
        "2026-Q2": 7,
        "2026-Q4": 26,
        "2026": 38,
        "2026-03--2026-04": 12,
        "last-30-days": 16,
    }
    for key, held in expected.items():
        assert figures(key).value("meetings", "city", "meetings_held") == held, key
    window = figures("last-30-days")
    assert (window.starts_on.isoformat(), window.ends_on.isoformat()) == ("2026-10-21", "2026-11-19")
    stored = FigureSet.objects.get(period="last-30-days")
    assert stored.starts_at == local(2026, 10, 21) and stored.ends_at == local(2026, 11, 20)
    # 30 days and one hour: the window crosses the end of DST.
    assert (stored.ends_at - stored.starts_at).total_seconds() == 30 * 86400 + 3600


def test_each_figure_of_a_month_matches_the_hand_count(time_machine):
    time_machine.move_to(NOW, tick=False)
    riverside, old_town = make_area("riverside"), make_area("old-town")
    people = make_users(40)
    # Meetings: Riverside 6, Old Town 5, city-wide 5 (16); attendance 16 + 8 + 5 = 29.
    r = make_held_meetings(6, starts_at=local(2026, 11, 3, 18), neighbourhood=riverside)
    o = make_held_meetings(5, starts_at=local(2026, 11, 10, 18), neighbourhood=old_town)
    n = make_held_meetings(5, starts_at=local(2026, 11, 12, 18))
    check_in(r[0], people[:10])
    check_in(r[1], people[10:16])
    check_in(o[0], people[:8])
    check_in(n[0], people[:5])
    # Questions: 12 (6 answered), 10 (5), 10 (5): 32 sent, 16 answered, 50.0 %.
    ask(r[0], people[:12], answered=6)
    ask(o[0], people[:10], answered=5)
    ask(n[0], people[:10], answered=5)
    # Feedback: Riverside 5×5, 5×4, 5×3 = 4.00, concerns 5 yes 5 no 5 none (raised 10, yes 50.0 %);
    # Old Town 20×4, 10 yes 5 partly 5 none (raised 15, yes 66.7 %); city-wide 15×2, 5 yes 5 no 5 none.
    give_feedback(r[0], [5] * 5 + [4] * 5 + [3] * 5, [YES] * 5 + [NO] * 5 + [NONE] * 5)
    give_feedback(o[0], [4] * 20, [YES] * 10 + [PARTLY] * 5 + [NONE] * 5)
    give_feedback(n[0], [2] * 15, [YES] * 5 + [NO] * 5 + [NONE] * 5)
    # Tips of October (the month is over): 7 theft (5 closed, 2 spam), 6 drugs (new); none of November.
    theft, drugs = tip_category("theft"), tip_category("drugs")
    make_tips(5, category=theft, received_at=local(2026, 10, 5, 14), status=Tip.Status.CLOSED)
    make_tips(2, category=theft, received_at=local(2026, 10, 31, 23), status=Tip.Status.SPAM)
    make_tips(6, category=drugs, received_at=local(2026, 10, 12, 9), neighbourhood=riverside)
    make_tips(9, category=drugs, received_at=local(2026, 11, 2, 9))
    # Computed on December 1st: the feedback of every November meeting has closed (14 days after),
    # and November's tips are not out yet (a month's tips wait one day after it ends).
    figures_compute(now=local(2026, 12, 1, 12))

    november = figures("2026-11")
    expected = {
        ("meetings", "riverside", "meetings_held"): 6,
        ("meetings", "old-town", "meetings_held"): 5,
        ("meetings", "none", "meetings_held"): 5,
        ("meetings", "city", "meetings_held"): 16,
        ("meetings", "riverside", "attendance"): 16,
        ("meetings", "old-town", "attendance"): 8,
        ("meetings", "none", "attendance"): 5,
        ("meetings", "city", "attendance"): 29,
        ("meetings", "city", "questions_sent"): 32,
        ("meetings", "city", "questions_answered"): 16,
        ("meetings", "city", "questions_answered_share"): Decimal("50.0"),
        ("meetings", "riverside", "questions_answered_share"): Decimal("50.0"),
        ("feedback", "riverside", "responses"): 15,
        ("feedback", "riverside", "rating_overall_avg"): Decimal("4.00"),
        ("feedback", "riverside", "concern_addressed_yes_share"): Decimal("50.0"),
        ("feedback", "old-town", "concerns_raised"): 15,
        ("feedback", "old-town", "concern_addressed_yes_share"): Decimal("66.7"),
        ("feedback", "city", "responses"): 50,
        ("feedback", "city", "rating_overall_avg"): Decimal("3.40"),
        ("feedback", "city", "rating_listening_avg"): Decimal("3.40"),
        ("feedback", "city", "concerns_raised"): 35,
        ("feedback", "city", "concern_addressed_yes"): 20,
        ("feedback", "city", "concern_addressed_yes_share"): Decimal("57.1"),
    }
    for (dataset, area, measure), value in expected.items():
        assert november.value(dataset, area, measure) == value, (dataset, area, measure)
    # Nothing ran a program: a zero points at no one and is published.
    assert november.value("programs", "city", "programs_started") == 0
    # No tips for November yet, and never by neighbourhood.
    assert not november.has("tips")
    assert not Figure.objects.filter(dataset="tips").exclude(area="city").exists()

    october = figures("2026-10")
    assert october.value("tips", "city", "received", "drugs") == 6
    assert october.value("tips", "city", "received") == 13
    assert october.value("tips", "city", "outcome_open", "drugs") == 6
    # Theft: 5 closed and 2 spam; 2 is hidden, so 5 is too (7 minus 5 would give it), and then 7.
    assert october.value("tips", "city", "outcome_spam", "theft") is None
    assert october.value("tips", "city", "outcome_closed", "theft") is None
    # The quarter so far adds up October (November's tips are not published yet).
    assert figures("2026-Q4").value("tips", "city", "received", "drugs") == 6

    # On November 20th, Old Town's feedback (meeting of the 10th) was still open: not counted yet.
    figures_compute(now=NOW)
    assert figures("2026-11").value("feedback", "riverside", "responses") == 15
    assert figures("2026-11").value("feedback", "old-town", "responses") == 0


def test_recomputing_is_idempotent_and_replaces_a_period_whole(time_machine):
    time_machine.move_to(NOW, tick=False)
    make_held_meetings(5, starts_at=local(2026, 11, 3, 18))
    figures_compute(now=NOW)
    first = sorted(Figure.objects.values_list("figure_set__period", "dataset", "area", "category", "measure", "value"))
    figures_compute(now=NOW)
    assert (
        sorted(Figure.objects.values_list("figure_set__period", "dataset", "area", "category", "measure", "value"))
        == first
    )
    make_held_meetings(1, starts_at=local(2026, 11, 4, 18))
    time_machine.move_to(local(2026, 11, 20, 13), tick=False)
    figures_compute()
    assert figures("2026-11").value("meetings", "city", "meetings_held") == 6
    assert FigureSet.objects.get(period="2026-11").computed_at == local(2026, 11, 20, 13)


def test_the_beat_schedule_runs_the_task(settings):
    from transparency.tasks import compute_figures

    entry = settings.CELERY_BEAT_SCHEDULE["transparency-compute"]
    assert entry["task"] == compute_figures.name
    assert compute_figures.delay() is not None
    assert FigureSet.objects.filter(period="last-30-days").exists()

"""Privacy by construction: neighbourhoods with 3, 4 and 12 tips and items, and no page, chart, CSV
or JSON, alone or combined (a total minus its published parts), reveals a count under 5."""

import csv
import io
import re

import pytest

from tests.transparency.conftest import (
    check_in,
    local,
    make_actions,
    make_area,
    make_held_meetings,
    make_tips,
    make_users,
    tip_category,
)
from transparency.compute import TIP_OUTCOMES
from transparency.datasets import COUNT, DATASETS, STOCK
from transparency.models import FigureSet
from transparency.services import figures_compute
from transparency.suppression import suppressed_cells

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 12)
MINIMUM = 5
PERIODS = ["last-30-days", "2026-10", "2026-11", "2026-Q3", "2026-Q4", "2026", "2025", "2026-09--2026-11"]


def test_a_small_cell_is_hidden_with_a_complement_so_the_total_gives_nothing_away():
    counts = {"city": 19, "a": 3, "b": 4, "c": 12}
    assert suppressed_cells(counts, [("city", ["a", "b", "c"])], MINIMUM) == {"a", "b"}
    # One small part: a second one goes, the smallest that helps.
    counts = {"city": 25, "a": 3, "b": 10, "c": 12}
    assert suppressed_cells(counts, [("city", ["a", "b", "c"])], MINIMUM) == {"a", "b"}
    # Two small parts adding up to under 5: a third one goes.
    counts = {"city": 26, "a": 1, "b": 2, "c": 11, "d": 12}
    assert suppressed_cells(counts, [("city", ["a", "b", "c", "d"])], MINIMUM) == {"a", "b", "c"}
    # Zeros are published, and never hidden as complements (their own group would show them).
    assert suppressed_cells({"city": 12, "a": 3, "b": 9, "c": 0}, [("city", ["a", "b", "c"])], MINIMUM) == {"a", "b"}
    assert suppressed_cells({"total": 7, "a": 2, "z": 0, "b": 5}, [("total", ["a", "z", "b"])], MINIMUM) == {"a", "b"}
    # A part hidden as a complement, with only zeros beside it elsewhere: that total goes instead.
    counts = {"t1": 12, "a": 3, "b": 9, "t2": 9, "z": 0}
    groups = [("t1", ["a", "b"]), ("t2", ["b", "z"])]
    assert suppressed_cells(counts, groups, MINIMUM) == {"a", "b", "t2"}
    # With zeros hidden like any small count, as a setting allows.
    hidden = suppressed_cells({"city": 12, "a": 12, "z": 0}, [("city", ["a", "z"])], MINIMUM, publish_zeros=False)
    assert hidden == {"a", "z"}
    # The same figure twice (a quarter's stock is its last month's): both or neither.
    assert suppressed_cells({"q": 7, "m": 7, "x": 3}, [("q", ["m"]), ("m", ["x", "q"])], MINIMUM) >= {"q", "m"}


def test_a_total_hidden_as_a_complement_never_has_all_its_parts_published():
    # A year of quarters, a quarter of months: Q1 (3) is small, Q2 goes as its complement. Were
    # April, May and June all published, Q2 would be their sum, and Q1 the year minus the rest.
    counts = {"year": 33, "q1": 3, "q2": 15, "q3": 15, "apr": 5, "may": 5, "jun": 5, "jul": 15}
    groups = [("year", ["q1", "q2", "q3"]), ("q2", ["apr", "may", "jun"]), ("q3", ["jul"])]
    hidden = suppressed_cells(counts, groups, MINIMUM)
    assert {"q1", "q2"} <= hidden
    assert hidden & {"apr", "may", "jun"}
    for total, parts in groups:
        if total in hidden:
            assert hidden & set(parts), total


def _download(client, dataset: str, period: str, extension: str):
    response = client.get(f"/transparency/data/{dataset}/{period}.{extension}")
    return response


def _published(client) -> dict:
    """Every published figure of every data set and period, from the JSON files, and the same
    from the CSV files (checked equal): {(period, dataset, area, category, measure): value or None}."""
    cells = {}
    for dataset in DATASETS:
        for period in PERIODS:
            response = _download(client, dataset.slug, period, "json")
            if response.status_code == 404:
                assert not dataset.rolling and period == "last-30-days"
                continue
            assert response.status_code == 200, (dataset.slug, period)
            from_json = {}
            for record in response.json()["records"]:
                key = (period, dataset.slug, record["area"], record["category"], record["measure"])
                from_json[key] = record["value"]
                assert record["suppressed"] is (record["value"] is None)
                if record["value"] is None:
                    assert record["display"] == "fewer than 5"
            rows = csv.DictReader(io.StringIO(_download(client, dataset.slug, period, "csv").content.decode()))
            from_csv = {
                (period, dataset.slug, row["area"], row["category"], row["measure"]): row["value"] for row in rows
            }
            assert {key: "" if value is None else str(value) for key, value in from_json.items()} == from_csv
            cells.update(from_json)
    return cells


def _check_group(cells, total_key, part_keys, what):
    """Published total minus published parts: nothing, or at least 5 spread over two or more hidden parts."""
    total = cells.get(total_key)
    parts = [cells[key] for key in part_keys if key in cells]
    if not parts:
        return
    if total is None:
        # A hidden total is not the sum of published parts.
        assert None in parts or total_key not in cells, (what, parts)
        return
    hidden = [value for value in parts if value is None]
    if not hidden:
        assert total == sum(parts), what
        return
    difference = total - sum(value for value in parts if value is not None)
    assert len(hidden) >= 2 and difference >= MINIMUM, (what, total, parts)


def test_no_page_chart_csv_or_json_reveals_a_count_under_5(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    small, smaller, large = make_area("ashgrove"), make_area("birchwood"), make_area("cedarfield")
    people = make_users(12)
    # Tips: 3 from Ashgrove, 4 from Birchwood, 12 from Cedarfield, all in October.
    theft, drugs = tip_category("theft"), tip_category("drugs")
    make_tips(3, category=theft, received_at=local(2026, 10, 5, 14), neighbourhood=small)
    make_tips(4, category=drugs, received_at=local(2026, 10, 6, 14), neighbourhood=smaller)
    make_tips(12, category=drugs, received_at=local(2026, 10, 7, 14), neighbourhood=large)
    # Meetings in November: 3, 4 and 12, each with one person checked in.
    for area, count in ((small, 3), (smaller, 4), (large, 12)):
        for index, meeting in enumerate(
            make_held_meetings(count, starts_at=local(2026, 11, 3, 18), neighbourhood=area)
        ):
            check_in(meeting, [people[index]])
    # Action items created in November: 3, 4 and 12.
    for area, count in ((small, 3), (smaller, 4), (large, 12)):
        make_actions(count, created_at=local(2026, 11, 4, 9), neighbourhood=area)
    figures_compute(now=NOW)

    cells = _published(client)
    assert cells, "nothing was published"
    # Alone: no published count is 1 to 4.
    for key, value in cells.items():
        dataset = next(d for d in DATASETS if d.slug == key[1])
        if dataset.measure(key[4]).kind in (COUNT, STOCK) and value is not None:
            assert value == 0 or value >= MINIMUM, key
    # Tips: never by neighbourhood.
    assert not [key for key in cells if key[1] == "tips" and key[2] != "city"]

    # Combined: city minus neighbourhoods, total minus categories, category minus outcomes,
    # quarter minus months, year minus quarters.
    areas = ["ashgrove", "birchwood", "cedarfield", "none"]
    for dataset in DATASETS:
        if not dataset.additive_areas:
            continue
        for measure in dataset.measures:
            if measure.kind != COUNT:
                continue
            for period in PERIODS:
                for category in {key[3] for key in cells if key[1] == dataset.slug}:
                    _check_group(
                        cells,
                        (period, dataset.slug, "city", category, measure.name),
                        [(period, dataset.slug, area, category, measure.name) for area in areas],
                        ("areas", period, dataset.slug, category, measure.name),
                    )
    categories = ["theft", "drugs", *{key[3] for key in cells if key[1] == "tips" and key[3]}]
    for period in PERIODS:
        for measure in ("received", *TIP_OUTCOMES):
            _check_group(
                cells,
                (period, "tips", "city", "", measure),
                [(period, "tips", "city", category, measure) for category in set(categories)],
                ("categories", period, measure),
            )
        for category in ["", *set(categories)]:
            _check_group(
                cells,
                (period, "tips", "city", category, "received"),
                [(period, "tips", "city", category, outcome) for outcome in TIP_OUTCOMES],
                ("outcomes", period, category),
            )
    time_groups = {"2026-Q4": ["2026-10", "2026-11"], "2026": ["2026-Q3", "2026-Q4"]}
    for (period, dataset, area, category, measure), _value in list(cells.items()):
        if period != "2026-Q4":
            continue
        for total_period, part_periods in time_groups.items():
            key = (dataset, area, category, measure)
            kind = next(d for d in DATASETS if d.slug == dataset).measure(measure).kind
            if kind != COUNT:
                continue
            # The year's other quarters are empty (published zeros) in this fixture.
            _check_group(cells, (total_period, *key), [(p, *key) for p in part_periods], ("time", total_period, key))

    # The figures of the two small neighbourhoods read "fewer than 5" on the page, in its table
    # and its chart, and the chart draws no bar for them.
    for area in ("ashgrove", "birchwood"):
        page = client.get(f"/transparency/?area={area}&period=2026-11").content.decode()
        held = re.search(r"Meetings held</th><td class=\"number\">([^<]*)</td>", page)
        assert held and held.group(1) == "fewer than 5"
    page = client.get("/transparency/?area=city&period=2026-11").content.decode()
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-compare-title.*?</svg>', page, re.S).group(0)
    for name in ("Ashgrove", "Birchwood"):
        row = re.search(rf">{name}</text>(<[^>]*>[^<]*</[a-z]+>)", chart).group(1)
        assert "<rect" not in row and "fewer than 5" in row
    assert ">Cedarfield</text><rect" in chart
    actions = re.search(r'<svg[^>]*aria-labelledby="chart-actions-title.*?</svg>', page, re.S).group(0)
    assert ">Proposed</text><rect" in actions  # 19 in the city
    small_page = client.get("/transparency/?area=ashgrove&period=2026-11").content.decode()
    actions = re.search(r'<svg[^>]*aria-labelledby="chart-actions-title.*?</svg>', small_page, re.S).group(0)
    assert ">Proposed</text><text" in actions and "fewer than 5" in actions
    # The tips section names no neighbourhood.
    tips_section = page[page.index('id="tips-heading"') :]
    for name in ("Ashgrove", "Birchwood", "Cedarfield"):
        assert name not in tips_section


@pytest.mark.parametrize(
    ("now", "month"),
    [(local(2026, 12, 1, 12), "2026-11"), (local(2026, 12, 31, 0, 30), "2026-12")],
    ids=["the day after a 30-day month", "the 31st"],
)
def test_the_last_30_days_that_are_a_month_hide_what_that_month_hides(time_machine, now, month):
    # On 1 December the last 30 days are November; on 31 December, December so far. That month's
    # 6 meetings are hidden as the complement of October's 3 in the quarter: published in the
    # rolling window, they would give October away as the quarter minus the rest.
    time_machine.move_to(now, tick=False)
    area = make_area("ashgrove")
    make_held_meetings(3, starts_at=local(2026, 10, 6, 18), neighbourhood=area)
    make_held_meetings(6, starts_at=local(2026, int(month[-2:]), 6, 18), neighbourhood=area)
    figures_compute(now=now)

    def held(period):
        return (
            FigureSet.objects.get(period=period)
            .figures.get(dataset="meetings", area="ashgrove", category="", measure="meetings_held")
            .value
        )

    assert held("2026-Q4") == 9
    assert held(month) is None
    assert held("last-30-days") is None
    fields = ("dataset", "area", "category", "measure", "value")
    month = {row[:4]: row[4] for row in FigureSet.objects.get(period=month).figures.values_list(*fields)}
    for row in FigureSet.objects.get(period="last-30-days").figures.values_list(*fields):
        assert row[4] == month[row[:4]], row

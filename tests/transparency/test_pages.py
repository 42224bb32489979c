"""The "How we're doing" page: charts, tables, when figures were computed, bad input, query budget."""

import re
import xml.etree.ElementTree as ET

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
from tips.models import Tip
from transparency.services import figures_compute

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 12)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def computed(time_machine):
    time_machine.move_to(NOW, tick=False)
    riverside, old_town = make_area("riverside"), make_area("old-town")
    for area, count in ((riverside, 6), (old_town, 5)):
        for meeting in make_held_meetings(count, starts_at=local(2026, 11, 3, 18), neighbourhood=area):
            check_in(meeting, make_users(5))
    make_tips(6, category=tip_category("theft"), received_at=local(2026, 10, 5, 14))
    figures_compute(now=NOW)


def test_every_chart_is_valid_svg_with_a_title_a_description_and_a_table_beside_it(client, computed):
    page = client.get("/transparency/?area=city&period=2026-Q4").content.decode()
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 5
    for chart in charts:
        root = ET.fromstring(chart)  # noqa: S314 - the portal's own output; raises if ill-formed
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        # The table of the same figures follows the chart.
        after = page[page.index(chart) + len(chart) :]
        assert after.lstrip().startswith("<table>")
    compare = next(chart for chart in charts if "chart-compare" in chart)
    assert ">Riverside</text><rect" in compare and ">30</text>" in compare


def test_the_page_says_when_the_figures_were_computed_and_links_the_open_data(client, computed):
    page = client.get("/transparency/").content.decode()
    assert "Figures last computed on Friday, November 20, 2026, 12:00 PM CST." in page
    assert "/transparency/data/meetings/last-30-days.csv" in page
    assert 'href="/transparency/data/"' in page


def test_a_neighbourhood_page_shows_its_figures_and_no_tips(client, computed):
    page = client.get("/transparency/?area=riverside&period=2026-11").content.decode()
    assert re.search(r"Meetings held</th><td class=\"number\">6</td>", page)
    assert re.search(r"Attendance</th><td class=\"number\">30</td>", page)
    assert "See the tips for the whole city" in page
    assert "Tips received and where they stand" not in page


def test_tips_are_shown_by_whole_month_for_the_city(client, computed):
    page = client.get("/transparency/?area=city&period=last-30-days").content.decode()
    tips = page[page.index('id="tips-heading"') :]
    assert "October 2026" in tips
    assert re.search(r"Theft</th><td class=\"number\">6</td>", tips)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=custom&start=2026-05", "Choose the last month of the custom period."),
        ("?period=custom&start=2026-09&end=2026-03", "The first month must not come after the last."),
        ("?period=custom&start=2026-13&end=2026-14", "Enter a month as year and month"),
        ("?period=2031-Q1", "That period has not started yet."),
        ("?period=someday", "Unknown period."),
        ("?area=atlantis", "Select a valid choice."),
    ],
)
def test_bad_choices_are_explained_and_the_default_figures_shown(client, computed, query, message):
    response = client.get(f"/transparency/{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "the last 30 days" in page


def test_a_custom_run_of_months_is_offered(client, computed):
    response = client.get("/transparency/?area=city&period=custom&start=2026-10&end=2026-11")
    assert response.status_code == 200
    assert "2026-10 to 2026-11" in response.content.decode()


def test_before_the_first_computation_the_page_says_so(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    page = client.get("/transparency/").content.decode()
    assert "have not been computed yet" in page


def test_navigation_and_footer_link_the_page(client, computed):
    page = client.get("/").content.decode()
    nav = page[page.index('class="site-nav"') : page.index("</nav>", page.index('class="site-nav"'))]
    assert 'href="/transparency/"' in nav
    footer = page[page.index('class="site-footer"') :]
    assert 'href="/transparency/"' in footer and 'href="/transparency/data/"' in footer


@pytest.mark.parametrize("rows", [10, 10_000])
def test_pages_answer_from_stored_figures_whatever_the_number_of_rows(
    client, time_machine, django_assert_max_num_queries, rows
):
    time_machine.move_to(NOW, tick=False)
    area = make_area("riverside")
    make_held_meetings(rows, starts_at=local(2026, 11, 3, 18), neighbourhood=area)
    make_tips(rows, category=tip_category("theft"), received_at=local(2026, 10, 5, 14), status=Tip.Status.CLOSED)
    make_actions(rows, created_at=local(2026, 11, 4, 9), neighbourhood=area)
    figures_compute(now=NOW)
    with django_assert_max_num_queries(8):
        page = client.get("/transparency/?area=city&period=2026-Q4")
    assert f"{rows:,}" in page.content.decode()
    with django_assert_max_num_queries(5):
        assert client.get("/transparency/data/tips/2026-10.json").json()["records"]
    with django_assert_max_num_queries(5):
        assert client.get("/transparency/data/meetings/2026-01--2026-11.csv").status_code == 200

"""The "How we're doing" and open data pages in a real browser, in English and Spanish: axe finds
no serious or critical problem, and the charts are read as images with their names."""

import pytest

from tests.helpers import assert_accessible
from tests.transparency.conftest import (
    check_in,
    local,
    make_area,
    make_held_meetings,
    make_tips,
    make_users,
    tip_category,
)
from transparency.services import figures_compute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(transactional_db):
    riverside, old_town = make_area("riverside"), make_area("old-town")
    now = local(2026, 11, 20, 12)
    for area, count in ((riverside, 6), (old_town, 3)):
        for meeting in make_held_meetings(count, starts_at=local(2026, 11, 3, 18), neighbourhood=area):
            check_in(meeting, make_users(5))
    make_tips(6, category=tip_category("theft"), received_at=local(2026, 10, 5, 14))
    figures_compute(now=now)


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_dashboard_and_open_data_pages_are_accessible(browser, live_server, figures, locale):
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/transparency/?area=city&period=2026-Q4")
        assert page.locator("html").get_attribute("lang") == locale[:2]
        charts = page.get_by_role("img")
        assert charts.filter(has_text="Riverside").count() >= 1
        assert page.locator("svg[role=img] title").count() == 5
        assert_accessible(page)
        page.goto("/transparency/?area=old-town&period=2026-11")
        assert_accessible(page)
        page.goto("/transparency/data/")
        assert_accessible(page)
    finally:
        context.close()

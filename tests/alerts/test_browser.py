"""A resident sees the alert banner for their neighbourhood, opens the alert, joins a watch group and
reads the liaison officer's announcement, in a real browser, with axe checking each page."""

import pytest
from django.core.cache import cache

from accounts.selectors import profile_for
from alerts.services import alert_publish
from tests.alerts.conftest import make_alert
from tests.conftest import make_user
from tests.helpers import assert_accessible, log_in_in_browser
from watch.services import post_create, watch_group_approve, watch_group_propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_banner_alert_page_watch_group_and_liaison_post(page, officer, neighbourhood, other_neighbourhood):
    resident = make_user("maria@example.com")
    profile = profile_for(resident)
    profile.home_neighbourhood = neighbourhood
    profile.save()
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline="Car break-ins near the park")
    alert_publish(actor=officer, alert=alert)
    elsewhere = make_alert(created_by=officer, neighbourhoods=[other_neighbourhood], headline="Old Town road closure")
    alert_publish(actor=officer, alert=elsewhere)
    coordinator = make_user("rosa@example.com")
    group = watch_group_propose(
        user=coordinator, neighbourhood=neighbourhood, name="Park Lane Watch", description="Park Lane and Elm Street."
    )
    watch_group_approve(officer=officer, group=group)
    post_create(author=officer, group=group, title="Lock your cars", body="Three cars were opened on Park Lane.")
    cache.clear()

    log_in_in_browser(page, resident)

    # The home page lists alerts in its own section; every other page has the banner.
    page.goto("/programs/")
    banner = page.get_by_role("complementary", name="Safety alerts")
    banner.wait_for()
    assert "Car break-ins near the park" in banner.inner_text()
    assert "Old Town road closure" not in banner.inner_text()
    assert_accessible(page)

    banner.get_by_role("link", name="Car break-ins near the park").click()
    page.get_by_role("heading", name="Car break-ins near the park", level=1).wait_for()
    page.get_by_text("Lock doors and windows").wait_for()
    assert_accessible(page)

    page.goto("/watch/")
    assert_accessible(page)
    page.get_by_role("link", name="Park Lane Watch").click()
    page.get_by_role("heading", name="Park Lane Watch", level=1).wait_for()
    assert page.get_by_text("Three cars were opened on Park Lane.").count() == 0  # members only
    page.get_by_role("button", name="Join this group").click()
    page.get_by_text("Welcome to the group.").wait_for()
    page.get_by_role("heading", name="Lock your cars").wait_for()
    page.get_by_text("Three cars were opened on Park Lane.").wait_for()
    assert "Liaison officer" in page.locator("aside.panel").inner_text()
    assert_accessible(page)

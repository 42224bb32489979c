"""In a real browser, at phone and desktop widths, in English and Spanish: a visitor switches to
Spanish from the header; a resident finds alerts, watch groups and the subscription from the home
page; axe finds no serious or critical violation on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.selectors import profile_for
from alerts.models import Alert
from neighbourhoods.models import Neighbourhood
from tests.alerts.conftest import make_alert
from tests.conftest import make_user
from tests.helpers import assert_accessible, log_in_in_browser
from tests.meetings.conftest import make_meeting
from watch.models import WatchGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 1280]


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_switches_to_spanish_from_the_header(page, width):
    Neighbourhood.objects.create(name="Riverside", slug="riverside")
    make_meeting(title="Riverside town hall")
    page.set_viewport_size({"width": width, "height": 800})

    page.goto("/meetings/")
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.get_by_role("navigation", name="Main")
    for section in ("Programs", "Meetings", "Alerts", "Neighbourhood Watch", "Send a tip", "Subscribe"):
        assert nav.get_by_role("link", name=section).is_visible()
    assert nav.get_by_role("link", name="Meetings").get_attribute("aria-current") == "page"
    _no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="Español").click()
    page.wait_for_function("document.documentElement.lang === 'es'")
    assert page.url.endswith("/meetings/")
    _no_horizontal_scroll(page)
    assert_accessible(page)

    # Remembered: the next page, the subscription form's default, the calendar on a phone.
    page.goto("/newsletters/subscribe/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("select[name=language]").input_value() == "es"
    assert_accessible(page)
    page.goto("/meetings/calendar/")
    _no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_resident_finds_alerts_watch_groups_and_subscribe_from_the_home_page(page, width, language):
    riverside = Neighbourhood.objects.create(name="Riverside", slug="riverside")
    officer = make_user("officer.rivera@example.com", is_staff=True, is_superuser=True)
    profile = profile_for(officer)
    profile.display_name = "Sgt. Rivera"
    profile.save()
    alert = make_alert(created_by=officer, headline="Burglaries on Elm Street", neighbourhoods=[riverside])
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.PUBLISHED, last_sent_at=timezone.now())
    WatchGroup.objects.create(
        name="Elm Street Watch",
        slug="elm-street-watch",
        neighbourhood=riverside,
        status=WatchGroup.Status.APPROVED,
        liaison=officer,
        approved_at=timezone.now() - timedelta(days=1),
    )
    resident = make_user("maria@example.com")
    profile = profile_for(resident)
    profile.home_neighbourhood = riverside
    profile.preferred_language = language
    profile.save()
    page.set_viewport_size({"width": width, "height": 800})

    log_in_in_browser(page, resident)

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language  # the profile's language, from log-in on
    assert page.locator("select[name=neighbourhood]").input_value() == "riverside"
    assert page.locator('a[href^="tel:"]').count() >= 2
    _no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("link", name="Burglaries on Elm Street").click()
    page.get_by_role("heading", name="Burglaries on Elm Street", level=1).wait_for()
    page.go_back()
    page.get_by_role("link", name="Elm Street Watch").click()
    page.get_by_role("heading", name="Elm Street Watch", level=1).wait_for()
    assert_accessible(page)
    page.go_back()
    page.locator('.site-nav a[href="/newsletters/subscribe/"]').click()
    # A resident's "Subscribe" is their own e-mail preferences page.
    page.wait_for_url(lambda url: "/newsletters/preferences/" in url)
    _no_horizontal_scroll(page)
    assert_accessible(page)

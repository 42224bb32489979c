"""A failed form submit moves the focus to the error summary, with no script, in English and Spanish,
on a phone and a desktop screen; the page passes axe."""

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_accessible
from tests.tips.conftest import theft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 320, "height": 640}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page(language: str, screen: str):
        context = browser.new_context(base_url=live_server.url, locale=language, viewport=SCREENS[screen])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def focused(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " text: document.activeElement.textContent.trim()})"
    )


def assert_focus_on_the_summary(page, *, screen: str) -> None:
    # The browser applies autofocus at its next rendering step, not at parse time: wait for it.
    expect(page.locator(".error-summary h2")).to_be_focused()
    assert page.title().startswith("Error:")
    now = focused(page)
    assert now["tag"] == "H2" and now["id"].endswith("error-summary-title"), now
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREENS[screen]["width"], f"the page scrolls sideways: {width}px"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", ["en-US", "es-ES"])
def test_a_failed_sign_up_moves_the_focus_to_the_summary(open_page, language, screen):
    page = open_page(language, screen)
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == language[:2]
    page.locator("input[name=email]").fill("new.resident@example.com")
    page.locator("input[name=password1]").fill("short")
    page.locator("input[name=password2]").fill("short")
    page.locator("form").filter(has=page.locator("input[name=password1]")).locator("button[type=submit]").click()
    assert_focus_on_the_summary(page, screen=screen)
    # The summary's link takes the person to the field to fix.
    page.locator(".error-summary a").first.click()
    assert focused(page)["id"] == "id_password1"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", ["en-US", "es-ES"])
def test_a_failed_tip_moves_the_focus_to_the_summary_with_javascript_off(browser, live_server, language, screen):
    theft()
    context = browser.new_context(
        base_url=live_server.url, locale=language, viewport=SCREENS[screen], java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/tips/")
        page.locator("form.tip-form button[type=submit]").click()
        page.locator(".error-summary h2").wait_for()
        assert page.title().startswith("Error:")
        # autofocus is HTML: the focus moves though the page runs no script at all.
        assert page.locator(".error-summary h2:focus").count() == 1
        assert page.locator(".error-summary a").count() >= 1
    finally:
        context.close()

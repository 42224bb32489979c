"""In a real browser: a new resident signs up, finds the confirmation e-mail at /dev/emails/ and
confirms the address in one click from the message page; axe finds nothing serious on either page."""

import pytest

from tests.conftest import PASSWORD
from tests.helpers import assert_accessible
from tests.portal.test_dev_mailbox import debug_urls, mailbox, send  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [320, 1280])
def test_a_new_resident_confirms_the_address_from_the_development_mailbox(page, live_server, settings, mailbox, width):  # noqa: F811
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/signup/")
    page.locator("input[name=email]").fill("newcomer@example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/confirm-email/")

    page.goto("/dev/emails/")
    row = page.get_by_role("row").filter(has_text="newcomer@example.com")
    assert row.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)

    row.get_by_role("link").click()
    page.wait_for_url("**/dev/emails/*/")
    assert page.get_by_role("heading", level=1).inner_text()
    html_part = page.frame_locator("iframe")
    assert html_part.get_by_role("link").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)

    text_part = page.locator("pre")
    text_part.get_by_role("link", name="/accounts/confirm-email/").first.click()
    page.wait_for_url("**/accounts/confirm-email/*/")
    assert page.get_by_role("button", name="Confirm").is_visible()


def test_on_a_phone_the_sending_date_breaks_between_words_only(page, mailbox):  # noqa: F811
    send("Seguridad en Riverton: bajan los robos de bicicletas, nueva academia", to="maria.lopez@example.com")
    send("New announcement in “Riverside River Road Watch”", to="coordinator@precinct.example")
    page.set_viewport_size({"width": 320, "height": 900})

    page.goto("/dev/emails/?lang=es")

    date = page.locator("table.dev-emails tbody td").first
    assert " de " in date.inner_text()
    # The cell is at least as wide as its longest word: no word is cut in two.
    longest_word, cell_width = date.evaluate(
        """cell => {
            const context = document.createElement("canvas").getContext("2d");
            context.font = getComputedStyle(cell).font;
            const widths = cell.innerText.split(/\\s+/).map(word => context.measureText(word).width);
            const style = getComputedStyle(cell);
            const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
            return [Math.max(...widths), cell.clientWidth - padding];
        }"""
    )
    assert longest_word <= cell_width + 0.5, (longest_word, cell_width)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

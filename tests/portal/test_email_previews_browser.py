"""In a real browser: a developer opens the e-mail previews from /dev/emails/ and reads one in
Spanish, text beside HTML; no sideways scrolling on a phone, axe finds nothing serious."""

import pytest

from tests.helpers import assert_accessible
from tests.portal.test_dev_mailbox import debug_urls, mailbox  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [320, 1280])
def test_a_developer_previews_the_rsvp_confirmation_in_spanish(page, mailbox, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/dev/emails/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)

    page.get_by_role("link", name="meetings/emails/rsvp_confirmed: Spanish").click()
    page.wait_for_url("**/dev/emails/preview/es/meetings/emails/rsvp_confirmed/")
    assert "K7P2QX" in page.locator("pre").inner_text()
    html_part = page.frame_locator("iframe")
    assert html_part.get_by_role("img").get_attribute("src").startswith("data:image/png")
    assert html_part.get_by_role("link").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)

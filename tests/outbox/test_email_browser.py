"""Every e-mail's HTML part in a real browser at 320 px and 600 px: no sideways scrolling, and axe
finds no serious or critical violation. The templates come from the template folders."""

import pytest

from portal.email_previews import render_preview
from tests.helpers import assert_accessible
from tests.newsletters.test_every_email import project_email_templates

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def email_page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("template", project_email_templates())
def test_the_html_part_reads_on_a_phone_and_a_desktop_client(email_page, template, language):
    [(html, _)] = render_preview(template, language).alternatives
    # The QR code is an attachment the client shows; here it is a blank image of its size.
    html = html.replace('src="cid:registration-code"', 'src="data:image/gif;base64,R0lGODlhAQABAAAAACw="')
    for width in (320, 600):
        email_page.set_viewport_size({"width": width, "height": 800})
        email_page.set_content(html)
        overflow = email_page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert overflow[0] <= overflow[1], f"{template} ({language}) scrolls sideways at {width} px: {overflow}"
        assert_accessible(email_page)
    # Mail clients in dark mode apply the template's dark colours: they keep their contrast too.
    email_page.emulate_media(color_scheme="dark")
    try:
        assert_accessible(email_page)
    finally:
        email_page.emulate_media(color_scheme="light")

"""A visitor reads a sent newsletter on the web from the e-mail's link, in English and Spanish, on a
phone and a desktop screen; the archive and the web copy pass axe."""

import pytest
from django.core import mail

from newsletters import services
from newsletters.models import Newsletter
from tests.conftest import make_user
from tests.helpers import assert_accessible
from tests.newsletters.helpers import link_in, make_subscription
from tests.portal.test_error_summary_browser import SCREENS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", ["en-US", "es-ES"])
def test_read_a_newsletter_from_the_email_and_find_the_archive(browser, live_server, language, screen):
    officer = make_user("officer.ana@example.com", is_staff=True)
    make_subscription("reader@example.com")
    newsletter = Newsletter.objects.create(
        subject="Spring safety", body="## Bikes\n\nLock your **bikes** at night.", created_by=officer
    )
    services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=officer)
    (message,) = [message for message in mail.outbox if message.subject == "Spring safety"]
    web_path = link_in(message.body, "/newsletters/archive/")

    context = browser.new_context(base_url=live_server.url, locale=language, viewport=SCREENS[screen])
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(web_path)
        page.get_by_role("heading", name="Spring safety", level=1).wait_for()
        assert page.locator("article strong").inner_text() == "bikes"
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
        page.locator("a[href='/newsletters/archive/']").click()
        page.get_by_role("link", name="Spring safety").wait_for()
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
    finally:
        context.close()

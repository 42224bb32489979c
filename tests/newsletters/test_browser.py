"""A resident changes their e-mail preferences, then unsubscribes from a link in a newsletter, in a real browser."""

import pytest
from django.core import mail

from neighbourhoods.models import Neighbourhood
from newsletters.models import Subscription
from outbox.models import Email
from outbox.services import email_queue
from tests.conftest import make_user
from tests.helpers import assert_accessible, log_in_in_browser
from tests.newsletters.helpers import link_in, make_subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_preferences_then_unsubscribe_from_a_link(page):
    resident = make_user("maria@example.com")
    riverside = Neighbourhood.objects.create(name="Riverside", slug="riverside")
    Neighbourhood.objects.create(name="Old Town", slug="old-town")
    make_subscription("maria@example.com", user=resident, neighbourhoods=[riverside])

    log_in_in_browser(page, resident)

    page.goto("/me/profile/")
    page.get_by_role("link", name="E-mail preferences").click()
    page.get_by_role("heading", name="E-mail preferences", level=1).wait_for()
    assert_accessible(page)
    page.get_by_label("Programs").uncheck()
    page.get_by_label("Old Town").check()
    page.get_by_label("Never").check()
    page.get_by_label("Language of our e-mails").select_option(label="Español")
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Your e-mail preferences were saved.").wait_for()
    assert_accessible(page)

    subscription = Subscription.objects.get()
    assert subscription.topics == ["newsletter", "meetings", "safety_alerts"]
    assert sorted(n.slug for n in subscription.neighbourhoods.all()) == ["old-town", "riverside"]
    assert subscription.digest_frequency == "none"
    assert subscription.language == "es"

    email_queue(
        to="maria@example.com",
        template="newsletters/emails/newsletter",
        context={"subject": "Spring news", "body_html": "<p>Hello</p>", "body_text": "Hello"},
        kind=Email.Kind.BULK,
        idempotency_key="browser:newsletter",
    )
    [message] = mail.outbox
    # One language per resident: choosing Spanish for the e-mails made the site Spanish too.
    assert page.locator("html").get_attribute("lang") == "es"
    # The link is opened from the mail program, in a browser without the portal's cookies.
    page.context.clear_cookies()
    page.goto(link_in(message.body, "/newsletters/unsubscribe/"))
    page.get_by_role("heading", name="Unsubscribe", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert_accessible(page)

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED

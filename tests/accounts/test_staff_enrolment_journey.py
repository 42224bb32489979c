"""In a real browser: a new staff member finds the desk closed until they open their enrolment link,
then sets up the authenticator app; axe-core checks every page."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts import services
from tests.conftest import PASSWORD
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_officer_enrols_through_the_emailed_link(page, tip_reviewer):
    url = services.staff_enrolment_issue(user=tip_reviewer)
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(tip_reviewer.email)
    page.get_by_label("Password (required)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("heading", name="Your enrolment link is needed").wait_for()
    assert_accessible(page)

    page.goto("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert_accessible(page)
    page.get_by_role("button", name="Set up my authenticator app").click()
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    assert tip_reviewer.authenticator_set.filter(type="totp").exists()

"""A resident signs up, verifies the address from the e-mail, logs in, edits the profile and
logs out, in a real browser, with axe-core checking every page."""

import re

import pytest
from django.core import mail

from accounts.models import Profile
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lantern-harbour-granite-9"


def test_sign_up_verify_log_in_edit_profile_log_out(page, neighbourhood):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").click()

    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password (required)", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Sign Up").click()

    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    assert_accessible(page)
    [message] = [m for m in mail.outbox if m.to == ["maria@example.com"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    page.goto(path)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    # Confirming logs the resident in; log out and back in as they would on another day.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password (required)", exact=True).fill(PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Sign In").click()

    page.goto("/me/profile/")
    page.get_by_label("Display name").fill("Maria G.")
    page.get_by_label("Home neighbourhood").select_option(label=neighbourhood.name)
    assert_accessible(page)
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile was saved.").wait_for()
    assert_accessible(page)

    profile = Profile.objects.get(user__email="maria@example.com")
    assert profile.display_name == "Maria G."
    assert profile.home_neighbourhood == neighbourhood

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").wait_for()
    page.goto("/me/profile/")
    assert "/accounts/login/" in page.url

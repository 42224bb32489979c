"""In a real browser, on a phone and on a desktop screen, with axe on every page: a resident opens
My activity, downloads their data (giving their password again) and deletes their account."""

import json

import pytest
from django.contrib.auth import get_user_model

from tests.accounts.activity import fill_activity
from tests.conftest import PASSWORD, make_user
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [320, 1280])
def test_open_my_activity_download_my_data_and_delete_my_account(page, neighbourhood, width):
    resident = make_user("maria@example.com", first_name="Maria")
    fill_activity(resident, count=2, neighbourhood=neighbourhood)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password (required)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/me/profile/")
    page.get_by_role("main").get_by_role("link", name="My activity").click()

    page.get_by_role("heading", name="My activity", level=1).wait_for()
    page.get_by_text("Registration code:").first.wait_for()
    assert_accessible(page)

    page.get_by_role("button", name="Download my data").click()
    page.get_by_role("button", name="Confirm").wait_for()  # the password is asked again
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    download = download_info.value
    assert download.suggested_filename.startswith("precinct-my-data-")
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["account"]["email"] == "maria@example.com" and len(data["rsvps"]) == 2

    page.goto("/me/activity/")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_role("heading", name="What is kept, without your name").wait_for()
    assert_accessible(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account for good").click()
    page.get_by_role("link", name="Your password: That is not your password. Your account was not deleted.").wait_for()
    assert_accessible(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()

    page.get_by_role("heading", name="Your account was deleted").wait_for()
    assert_accessible(page)
    assert not get_user_model().objects.filter(email="maria@example.com").exists()
    page.goto("/me/activity/")
    assert "/accounts/login/" in page.url

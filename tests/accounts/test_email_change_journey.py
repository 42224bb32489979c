"""In a real browser: a resident changes their address (the password is asked again, the old address
hears of it, the new one must be confirmed) and cannot take an address another account lists;
axe-core checks every page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from outbox.models import Email
from tests.conftest import PASSWORD
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password (required)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/me/profile/")


def add_address(page, email):
    page.get_by_label("Change to").fill(email)
    page.get_by_role("button", name="Change Email").click()
    page.wait_for_load_state()


def confirm_password(page):
    page.get_by_role("heading", name="Confirm Access").wait_for()
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def test_changing_the_address_asks_for_the_password_and_tells_the_old_address(page, resident, other_resident):
    log_in(page, resident.email)
    page.get_by_role("link", name="E-mail addresses").click()
    assert_accessible(page)

    # Someone else's address: the password first (a stolen session learns nothing), then refused.
    add_address(page, other_resident.email)
    confirm_password(page)
    # The error summary lists it and links to the field; the field repeats it.
    page.get_by_role("link", name="Email: A user is already registered with this email address.").wait_for()
    assert_accessible(page)
    assert not EmailAddress.objects.filter(user=resident, email=other_resident.email).exists()

    page.goto("/accounts/email/")
    add_address(page, "alice.new@example.com")
    page.get_by_text("Your email address is still pending verification.").wait_for()
    assert EmailAddress.objects.filter(user=resident, email="alice.new@example.com", verified=False).exists()
    assert_accessible(page)

    # The current address heard of the request; the new one got the confirmation link.
    sent = {(m.to[0], m.subject) for m in mail.outbox}
    assert any(to == resident.email and "change of your" in subject for to, subject in sent), sent
    assert Email.objects.filter(template="account/email/email_confirmation", to="alice.new@example.com").exists()
    assert EmailAddress.objects.get_primary_email(resident) == resident.email

    # Confirming the new address completes the change; the old address is told it happened.
    [confirmation] = [m for m in mail.outbox if m.to == ["alice.new@example.com"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
    page.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/confirm-email/" not in url)
    assert list(resident.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("alice.new@example.com", True, True)
    ]
    [changed] = [m for m in mail.outbox if m.to == [resident.email] and "was changed" in m.subject]
    assert "alice.new@example.com" in changed.body

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import Profile
from accounts.roles import OFFICERS, ROLE_PERMISSIONS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email="new.resident@example.com", password="a-long-pass-phrase-42"):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def test_sign_up_sends_a_verification_email_through_the_outbox_and_blocks_log_in_until_verified(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email="new.resident@example.com")
    assert Profile.objects.filter(user=user).exists()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)

    # Not verified yet: logging in only resends the confirmation.
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": user.email, "password": "a-long-pass-phrase-42"})
    assert "_auth_user_id" not in client.session

    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{path}")
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified


def test_weak_passwords_are_refused_with_a_reason(client):
    response = sign_up(client, password="short")
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    response = sign_up(client, password="1qaz2wsx3edc")
    assert "too common" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_log_out_needs_a_post(resident_client):
    resident_client.get("/accounts/logout/")
    assert "_auth_user_id" in resident_client.session
    resident_client.post("/accounts/logout/")
    assert "_auth_user_id" not in resident_client.session


def test_password_reset_mails_a_link_and_password_change_works(client, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": resident.email})
    [message] = mail.outbox
    assert "/accounts/password/reset/key/" in message.body

    client.force_login(resident)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-long-phrase-77", "password2": "another-long-phrase-77"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("another-long-phrase-77")


def test_profile_page_needs_log_in(client):
    response = client.get("/me/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_resident_edits_their_profile(resident_client, resident, neighbourhood):
    response = resident_client.post(
        "/me/profile/",
        {
            "display_name": "Alice A.",
            "phone": "555-123-4567",
            "home_neighbourhood": neighbourhood.pk,
            "preferred_language": "es",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=resident)
    assert (profile.display_name, profile.phone, profile.home_neighbourhood, profile.preferred_language) == (
        "Alice A.",
        "555-123-4567",
        neighbourhood,
        "es",
    )


def test_the_profile_says_what_no_home_neighbourhood_means(resident_client, neighbourhood):
    """Not Django's bare "---------": leaving it unset means news from the whole city."""
    page = resident_client.get("/me/profile/").content.decode()
    assert '<option value="" selected>None (all of the city)</option>' in page
    assert "---------" not in page


@pytest.mark.parametrize("phone", ["call me", "12-34", "555-CALL-NOW"])
def test_a_bad_phone_number_is_refused_and_nothing_is_saved(resident_client, resident, phone):
    response = resident_client.post(
        "/me/profile/", {"display_name": "Alice", "phone": phone, "preferred_language": "en"}
    )
    assert response.status_code == 200
    assert "at least 7 digits" in response.content.decode()
    assert not Profile.objects.filter(user=resident, display_name="Alice").exists()


def test_officers_group_has_exactly_the_permissions_in_the_roles_table():
    group = Group.objects.get(name=OFFICERS)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    expected = {
        f"{app}.{action}_{model}"
        for app, models in ROLE_PERMISSIONS[OFFICERS].items()
        for model, actions in models.items()
        for action in actions
    }
    assert granted == expected
    assert not any(perm.startswith("tips.") for perm in granted)


def test_the_admin_index_is_branded_and_groups_apps_by_concept(rf, officer):
    from django.contrib import admin

    # The index view itself, past the middleware that makes staff enrol two-factor authentication.
    request = rf.get("/admin/")
    request.user = officer
    response = admin.site.index(request)
    response.render()
    content = response.content.decode()
    assert "Precinct administration" in content
    assert "Officers&#x27; desk" in content or "Officers' desk" in content
    for section in ["Neighbourhoods", "Audit log", "E-mail outbox"]:
        assert section in content


def test_the_language_chosen_in_the_profile_is_the_sites_language_from_then_on(resident_client, resident):
    resident_client.post("/me/profile/", {"display_name": "Alice", "phone": "", "preferred_language": "es"})

    page = resident_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page


def test_logging_in_brings_back_the_residents_language(client, resident):
    from accounts.models import Profile

    Profile.objects.create(user=resident, preferred_language="es")
    client.post("/accounts/login/", {"login": resident.email, "password": PASSWORD})

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page

"""Officers' accounts: a second factor before the admin, allauth's log-in with its rate limits,
strong passwords, and shorter sessions."""

import re
import time
from urllib.parse import quote

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import services
from tests.conftest import PASSWORD, enrol_totp, make_user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, email: str, password: str = PASSWORD, next_url: str = "/admin/"):
    return client.post(f"{reverse('account_login')}?next={quote(next_url)}", {"login": email, "password": password})


@pytest.fixture
def officer_with_totp(officer):
    officer.totp_secret = enrol_totp(officer)
    return officer


@pytest.mark.django_db
def test_staff_without_a_second_factor_are_told_how_to_get_their_enrolment_link(officer_client):
    response = officer_client.get("/admin/", follow=True)
    assert response.redirect_chain[0] == (reverse("accounts:staff-enrolment-needed"), 302)
    assert "open the enrolment link we e-mailed" in response.content.decode()
    # Every admin page is closed, not just the index, and so is setting up a factor with the password alone.
    assert officer_client.get("/admin/outbox/email/").url == reverse("accounts:staff-enrolment-needed")
    assert officer_client.get(reverse("mfa_activate_totp")).url == reverse("accounts:staff-enrolment-needed")


@pytest.mark.django_db
def test_residents_pages_stay_open_to_staff_without_an_authenticator_app(officer_client):
    assert officer_client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_logs_in_with_a_code_and_gets_into_the_admin(client, officer_with_totp):
    response = log_in(client, officer_with_totp.email)
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_authenticate"))
    # The password alone does not open the admin.
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(officer_with_totp.totp_secret)})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_activating_totp_creates_recovery_codes_and_opens_the_admin(client, officer):
    assert log_in(client, officer.email).url == "/admin/"
    token = services.staff_enrolment_issue(user=officer).rsplit("/", 2)[-2]
    client.post(reverse("accounts:staff-enrolment", args=[token]))
    assert client.get("/admin/").url == reverse("mfa_activate_totp")
    # allauth asks for the password once more before a second factor is added.
    reauthenticate = client.get(reverse("mfa_activate_totp"))
    assert reauthenticate.url.startswith(reverse("account_reauthenticate"))
    assert client.post(reauthenticate.url, {"password": PASSWORD}).url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=officer).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_recovery_code_stands_in_for_the_authenticator_app(client, officer_with_totp):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(officer_with_totp).get_unused_codes()
    log_in(client, officer_with_totp.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_an_officer_can_add_a_security_key_beside_the_authenticator_app(client, officer_with_totp):
    log_in(client, officer_with_totp.email)
    client.post(reverse("mfa_authenticate"), {"code": current_code(officer_with_totp.totp_secret)})
    # Re-authenticating asks for the second factor again, not the password (accounts/adapters.py);
    # the next step's code, as the current one was just used.
    reauthenticate = client.get(reverse("mfa_add_webauthn"))
    assert reauthenticate.url.startswith(reverse("mfa_reauthenticate"))
    next_code = format_hotp_value(hotp_value(officer_with_totp.totp_secret, int(time.time()) // 30 + 1))
    assert client.post(reauthenticate.url, {"code": next_code}).url == reverse("mfa_add_webauthn")
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    html = page.content.decode()
    # allauth's WebAuthn code is a static file plus JSON data: the page's CSP lets it run.
    assert "mfa/js/webauthn.js" in html
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert not re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html)


@pytest.mark.django_db
def test_the_admin_login_page_hands_over_to_allauth(client):
    response = client.get("/admin/")
    assert response.url == "/admin/login/?next=/admin/"
    response = client.get(response.url)
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_the_admin_login_form_cannot_be_posted_to(client, officer_with_totp):
    response = client.post("/admin/login/", {"username": officer_with_totp.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_admin_login_handover_ignores_foreign_next_addresses(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_a_resident_asking_for_the_admin_login_is_refused(resident_client):
    assert resident_client.get("/admin/login/").status_code == 403


@pytest.mark.django_db
def test_repeated_failed_logins_are_refused_even_with_the_right_password(client, settings):
    # Counted per address and per account in the cache (Redis in production).
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/m/ip,3/300s/key"}
    officer = make_user(f"officer.{time.time_ns()}@example.com", is_staff=True)
    for _ in range(3):
        response = log_in(client, officer.email, password="not-the-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    response = log_in(client, officer.email)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_default_rate_limit_allows_five_failures_per_account():
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["login_failed"] == "10/m/ip,5/300s/key"


@pytest.mark.django_db
def test_staff_sessions_end_sooner_than_residents(client, officer_with_totp, resident):
    log_in(client, officer_with_totp.email)
    client.post(reverse("mfa_authenticate"), {"code": current_code(officer_with_totp.totp_secret)})
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_AGE

    resident_client = type(client)()
    log_in(resident_client, resident.email, next_url="/")
    assert resident_client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.STAFF_SESSION_AGE < settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_an_idle_staff_session_is_gone_after_its_age(client, officer_with_totp):
    with time_machine.travel(time.time(), tick=False) as traveller:
        log_in(client, officer_with_totp.email)
        client.post(reverse("mfa_authenticate"), {"code": current_code(officer_with_totp.totp_secret)})
        assert client.get("/admin/").status_code == 200
        traveller.shift(settings.STAFF_SESSION_AGE + 60)
        assert client.get("/admin/").status_code == 302
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_busy_staff_session_still_ends_at_its_fixed_time(client, officer_with_totp):
    with time_machine.travel(time.time(), tick=False) as traveller:
        log_in(client, officer_with_totp.email)
        client.post(reverse("mfa_authenticate"), {"code": current_code(officer_with_totp.totp_secret)})
        # Activity that saves the session would slide a cookie-based expiry; the fixed end does not move.
        for _ in range(5):
            traveller.shift(settings.STAFF_SESSION_AGE / 5 - 60)
            session = client.session
            session["touched"] = time.time()
            session.save()
            assert client.get("/admin/").status_code == 200
        traveller.shift(400)
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("account_login"))
        assert "Your officer session has ended" in response.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_resident_session_is_not_shortened(resident_client):
    with time_machine.travel(time.time() + settings.STAFF_SESSION_AGE + 60):
        assert resident_client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("Short1pass!", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012", "entirely numeric"),
    ],
)
def test_sign_up_refuses_weak_passwords(client, password, error):
    response = client.post(
        reverse("account_signup"), {"email": "new@example.com", "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not get_user_model().objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_sign_up_accepts_a_long_uncommon_password(client):
    password = "lantern-orchard-quietly-42"
    response = client.post(
        reverse("account_signup"), {"email": "new@example.com", "password1": password, "password2": password}
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="new@example.com").exists()

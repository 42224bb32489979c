"""A staff member's first second factor needs the enrolment link e-mailed to their confirmed address:
whoever holds only their password cannot enrol an authenticator and reach the officers' desk."""

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import StaffEnrolment
from audit.models import AuditEntry
from outbox.models import Email
from tests.conftest import PASSWORD, desk_client_for, make_user

pytestmark = pytest.mark.django_db


def log_in(client, email):
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    return client


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def enrol_with_the_app(client) -> None:
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302


@pytest.fixture
def superuser_desk(db):
    return desk_client_for(make_user("chief@example.com", is_staff=True, is_superuser=True))


def test_the_password_alone_cannot_enrol_a_second_factor(client, tip_reviewer):
    # An attacker holding a freshly promoted reviewer's password logs in...
    log_in(client, tip_reviewer.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    # ...but no second-factor page opens, so neither does the desk.
    for url in [reverse("mfa_activate_totp"), reverse("mfa_add_webauthn"), reverse("mfa_index"), "/admin/tips/tip/"]:
        assert client.get(url).url == reverse("accounts:staff-enrolment-needed"), url
    assert client.post(reverse("mfa_activate_totp"), {"code": "123456"}).url == reverse(
        "accounts:staff-enrolment-needed"
    )
    assert not Authenticator.objects.filter(user=tip_reviewer).exists()


def test_making_someone_staff_in_the_admin_emails_them_a_link_stored_only_hashed(superuser_desk, resident):
    response = superuser_desk.post(
        reverse("admin:auth_user_change", args=[resident.pk]),
        {
            "username": resident.username,
            "email": resident.email,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [email] = Email.objects.filter(template="account/email/staff_enrolment")
    assert email.to == resident.email
    url = email.context["enrolment_url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    enrolment = StaffEnrolment.objects.get(user=resident)
    assert token not in enrolment.token_hash and len(enrolment.token_hash) == 64
    assert AuditEntry.objects.filter(action="accounts.staff_enrolment_issued").count() == 1


def test_the_link_opens_enrolment_once_for_its_own_account(client, officer, tip_reviewer):
    url = services.staff_enrolment_issue(user=tip_reviewer)

    # Another staff member's session cannot use it.
    other = desk_client_for(officer)
    assert other.post(path_of(url)).status_code == 400

    log_in(client, tip_reviewer.email)
    # GET only shows a button: a link scanner does not spend the link.
    assert client.get(path_of(url)).status_code == 200
    assert client.post(path_of(url)).url == reverse("mfa_activate_totp")
    enrol_with_the_app(client)
    assert client.get("/admin/").status_code == 200

    # Single use.
    again = client.post(path_of(url))
    assert again.status_code == 400
    assert "was used already or has expired" in again.content.decode()


def test_an_expired_or_replaced_link_is_refused(client, tip_reviewer, settings):
    old = services.staff_enrolment_issue(user=tip_reviewer)
    new = services.staff_enrolment_issue(user=tip_reviewer)
    log_in(client, tip_reviewer.email)
    assert client.post(path_of(old)).status_code == 400
    # A link lives STAFF_ENROLMENT_LINK_HOURS; this one's time is up.
    enrolment = StaffEnrolment.objects.get(used_at=None, expires_at__gt=timezone.now())
    lifetime = enrolment.expires_at - enrolment.created_at
    assert abs(lifetime - timedelta(hours=settings.STAFF_ENROLMENT_LINK_HOURS)) < timedelta(seconds=1)
    StaffEnrolment.objects.filter(pk=enrolment.pk).update(expires_at=timezone.now())
    assert client.post(path_of(new)).status_code == 400
    assert client.get(reverse("mfa_activate_totp")).url == reverse("accounts:staff-enrolment-needed")


def test_the_enrolment_window_closes(client, tip_reviewer, settings):
    url = services.staff_enrolment_issue(user=tip_reviewer)
    log_in(client, tip_reviewer.email)
    client.post(path_of(url))
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.STAFF_ENROLMENT_WINDOW_SECONDS + 1)):
        assert client.get(reverse("mfa_activate_totp")).url == reverse("accounts:staff-enrolment-needed")


def test_only_superusers_may_send_a_new_link_from_the_admin(superuser_desk, desk_client, tip_reviewer):
    changelist = reverse("admin:auth_user_changelist")
    data = {"action": "send_staff_enrolment_link", "_selected_action": [tip_reviewer.pk]}
    assert desk_client.post(changelist, data).status_code == 403
    assert not StaffEnrolment.objects.exists()
    superuser_desk.post(changelist, data)
    assert StaffEnrolment.objects.filter(user=tip_reviewer).count() == 1


def test_a_first_superuser_gets_a_link_from_the_command_line(capsys):
    from django.contrib.auth import get_user_model

    chief = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    call_command("staff_enrolment_link", "root@example.com")
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("http") and "/me/officer-enrolment/" in printed
    assert StaffEnrolment.objects.get(user=chief).used_at is None


@pytest.mark.parametrize("path", ["/admin/auth/user/", "/admin/auth/group/", "/admin/mfa/authenticator/"])
def test_officers_still_cannot_open_users_groups_or_second_factors(desk_client, path):
    assert desk_client.get(path).status_code == 403


def test_a_staff_password_alone_cannot_redirect_the_enrolment_link_elsewhere(client, tip_reviewer, superuser_desk):
    log_in(client, tip_reviewer.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("account_email"), {"email": "attacker@evil.example", "action_add": ""})
    assert response.status_code == 200
    assert "Staff set up their second factor before changing their e-mail address" in response.content.decode()
    superuser_desk.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_staff_enrolment_link", "_selected_action": [tip_reviewer.pk]},
    )
    assert [e.to for e in Email.objects.filter(template="account/email/staff_enrolment")] == [tip_reviewer.email]

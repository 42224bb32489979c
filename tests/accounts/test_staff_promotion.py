"""A second factor set up while an account was a resident's was set up with a password alone: it does
not carry over when the account is made staff, so the enrolment link stays the only way in."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from audit.models import AuditEntry
from outbox.models import Email
from tests.accounts.test_staff_enrolment import enrol_with_the_app, log_in
from tests.conftest import desk_client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_desk(db):
    return desk_client_for(make_user("chief@example.com", is_staff=True, is_superuser=True))


def promote(superuser_desk, user):
    response = superuser_desk.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_authenticator_planted_before_promotion_does_not_open_the_desk(client, superuser_desk, resident):
    # Someone holding only a resident's password enrols their own authenticator app: residents may.
    log_in(client, resident.email)
    enrol_with_the_app(client)
    assert Authenticator.objects.filter(user=resident, type=Authenticator.Type.TOTP).exists()

    promote(superuser_desk, resident)

    # The planted factor is gone, recovery codes with it, and the desk waits for the enrolment link.
    assert not Authenticator.objects.filter(user=resident).exists()
    assert client.get("/admin/").url == reverse("accounts:staff-enrolment-needed")
    assert client.get(reverse("mfa_index")).url == reverse("accounts:staff-enrolment-needed")
    assert Email.objects.filter(template="account/email/staff_enrolment", to=resident.email).count() == 1
    assert AuditEntry.objects.filter(action="accounts.second_factors_reset_on_promotion").count() == 1


def test_a_demoted_officer_promoted_again_enrols_through_a_new_link(client, superuser_desk, resident):
    promote(superuser_desk, resident)
    resident.refresh_from_db()
    resident.is_staff = False
    resident.save(update_fields=["is_staff"])
    # As a resident again, their password alone sets up a factor...
    log_in(client, resident.email)
    enrol_with_the_app(client)
    # ...which the next promotion does not trust.
    promote(superuser_desk, resident)
    assert not Authenticator.objects.filter(user=resident).exists()
    assert Email.objects.filter(template="account/email/staff_enrolment", to=resident.email).count() == 2


def test_a_staff_members_own_factor_survives_other_edits(superuser_desk, tip_reviewer, client):
    from accounts import services
    from tests.accounts.test_staff_enrolment import path_of

    url = services.staff_enrolment_issue(user=tip_reviewer)
    log_in(client, tip_reviewer.email)
    client.post(path_of(url))
    enrol_with_the_app(client)
    promote(superuser_desk, tip_reviewer)  # Saved again, staff already: not a promotion.
    assert Authenticator.objects.filter(user=tip_reviewer, type=Authenticator.Type.TOTP).exists()


def test_the_planted_factor_goes_even_when_no_link_can_be_sent(client, superuser_desk):
    newcomer = make_user("newcomer@example.com")
    log_in(client, newcomer.email)
    enrol_with_the_app(client)
    newcomer.emailaddress_set.update(verified=False)  # No confirmed address to send a link to.
    promote(superuser_desk, newcomer)
    assert not Authenticator.objects.filter(user=newcomer).exists()
    assert not Email.objects.filter(template="account/email/staff_enrolment").exists()

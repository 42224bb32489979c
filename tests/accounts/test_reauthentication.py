"""Whoever has a second factor re-authenticates with it, not with the password: a stolen session
and a password cannot mint recovery codes, remove the authenticator app or swap it for their own."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.conftest import PASSWORD, enrol_totp, make_user

pytestmark = pytest.mark.django_db

GUARDED = ["mfa_generate_recovery_codes", "mfa_deactivate_totp", "mfa_add_webauthn"]


def test_a_stolen_officer_session_and_the_password_do_not_reach_the_second_factor(client, officer):
    secret = enrol_totp(officer)
    client.force_login(officer)  # A session that is in the wrong hands, with the password beside it.

    answer = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert answer.status_code == 302 and answer.url.startswith(reverse("mfa_reauthenticate"))
    for name in GUARDED:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("mfa_reauthenticate")), name
    changed = client.post(reverse("account_email"), {"email": "thief@evil.example", "action_add": ""})
    assert changed.status_code == 302 and changed.url.startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_generate_recovery_codes"))
    assert not Authenticator.objects.filter(user=officer, type=Authenticator.Type.RECOVERY_CODES).exists()

    # The owner, with the code from their app, gets through.
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post(reverse("mfa_reauthenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200


def test_a_resident_with_an_authenticator_app_confirms_changes_with_it_too(client):
    resident = make_user("careful@example.com")
    enrol_totp(resident)
    client.force_login(resident)
    answer = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert answer.url.startswith(reverse("mfa_reauthenticate"))


def test_without_a_second_factor_the_password_re_authenticates(resident_client):
    answer = resident_client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert answer.status_code == 302 and not answer.url.startswith(reverse("mfa_reauthenticate"))
    assert resident_client.get(reverse("account_email")).status_code == 200

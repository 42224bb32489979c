"""Authenticator apps' keys and recovery-code seeds are sealed at rest: the table, a dump or a backup
does not yield an officer's codes."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.db import connection
from django.urls import reverse

from accounts import services
from tests.accounts.test_staff_enrolment import log_in, path_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def stored_data(authenticator) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return str(cursor.fetchone()[0])


def test_the_authenticator_key_and_recovery_seed_are_not_stored_in_the_clear(client, tip_reviewer):
    url = services.staff_enrolment_issue(user=tip_reviewer)
    log_in(client, tip_reviewer.email)
    client.post(path_of(url))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302

    totp = Authenticator.objects.get(user=tip_reviewer, type=Authenticator.Type.TOTP)
    assert secret not in stored_data(totp)
    recovery = Authenticator.objects.get(user=tip_reviewer, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(recovery).get_unused_codes()
    seed = RecoveryCodes(recovery).instance.data["seed"]
    assert len(codes) == 10 and seed.startswith("gAAAAA")
    # Still the officer's codes: the key opens at log-in.
    next_code = format_hotp_value(hotp_value(secret, int(time.time()) // 30 + 1))
    assert TOTP(totp).validate_code(next_code)
    assert RecoveryCodes(recovery).validate_code(codes[0])


def test_secrets_stored_before_sealing_are_sealed_by_the_migration(tip_reviewer):
    from importlib import import_module

    from django.apps import apps

    totp = Authenticator.objects.create(user=tip_reviewer, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    import_module("accounts.migrations.0003_seal_second_factor_secrets").seal_stored_secrets(apps, None)
    assert "JBSWY3DPEHPK3PXP" not in stored_data(totp)
    totp.refresh_from_db()
    code = format_hotp_value(hotp_value("JBSWY3DPEHPK3PXP", int(time.time()) // 30))
    assert TOTP(totp).validate_code(code)


def test_rotating_the_key_keeps_every_officers_codes(tip_reviewer, settings):
    from django.core.management import call_command

    secret = "JBSWY3DPEHPK3PXP"
    settings.MFA_KEYS = ["old-key-" + "x" * 50]
    totp = TOTP.activate(tip_reviewer, secret).instance
    settings.MFA_KEYS = ["new-key-" + "y" * 50, "old-key-" + "x" * 50]
    call_command("rotate_mfa_keys")
    settings.MFA_KEYS = ["new-key-" + "y" * 50]  # The old key is gone: the codes still work.
    totp.refresh_from_db()
    assert TOTP(totp).validate_code(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))

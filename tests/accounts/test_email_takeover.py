"""A stolen session or a parked address does not take an account over: changing the address needs
the password again, nobody can add an address another account lists, password resets only go to
confirmed addresses, and the owner hears of every address, password and second-factor change."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from outbox.models import Email
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quarry-lantern-orchid-31"


def log_in(client, email, password=PASSWORD):
    """Log in through allauth's form and confirm the password again, as the address page asks."""
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert "_auth_user_id" in client.session, response
    client.post(reverse("account_reauthenticate"), {"password": password})
    return client


def add_address(client, email):
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def queued(template, to=None):
    rows = Email.objects.filter(template=template)
    if to:
        rows = rows.filter(to=to)
    return list(rows)


def first_link(body: str) -> str:
    link = re.search(r"https?://\S+", body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize("address", ["attacker@evil.example", "bob@example.com"], ids=["free", "taken"])
def test_adding_an_address_from_a_session_alone_asks_for_the_password_first(
    resident_client, resident, other_resident, address
):
    # A session taken from a browser (force_login: no recent password) cannot change the address,
    # nor learn whether an address has an account: both answers are the same password prompt.
    response = add_address(resident_client, address)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(user=resident, email=address).exists()
    assert not queued("account/email/email_confirmation")


def test_after_the_password_the_change_waits_for_confirmation_and_the_owner_is_told(client, resident):
    log_in(client, resident.email)
    response = add_address(client, "alice.new@example.com")
    assert response.status_code == 302

    pending = EmailAddress.objects.get(email="alice.new@example.com")
    assert pending.user == resident and not pending.verified
    # The old address stays the account's until the new one is confirmed, and hears of the request.
    assert EmailAddress.objects.get_primary_email(resident) == resident.email
    [notice] = queued("account/email/email_change_requested", to=resident.email)
    assert notice.context["new_email"] == "alice.new@example.com"

    [confirmation] = queued("account/email/email_confirmation", to="alice.new@example.com")
    key_path = reverse("account_confirm_email", args=[confirmation.context["key"]])
    client.post(key_path)
    assert list(resident.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("alice.new@example.com", True, True)
    ]
    [changed] = queued("account/email/email_changed", to=resident.email)
    assert (changed.context["from_email"], changed.context["to_email"]) == (resident.email, "alice.new@example.com")


@pytest.mark.parametrize("verified", [True, False], ids=["confirmed", "unconfirmed"])
def test_an_address_another_account_lists_cannot_be_added(client, resident, verified):
    make_user("officer.erin@example.com", verified=verified, is_staff=True)
    log_in(client, resident.email)

    response = add_address(client, "OFFICER.Erin@example.com")

    assert response.status_code == 200
    assert "already registered with this email address" in response.content.decode()
    assert not EmailAddress.objects.filter(user=resident, email__iexact="officer.erin@example.com").exists()


def test_a_password_reset_for_an_unconfirmed_address_sends_no_link(
    client, resident, django_capture_on_commit_callbacks
):
    EmailAddress.objects.create(user=resident, email="parked@example.com", verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "parked@example.com"})

    [message] = mail.outbox
    assert message.to == ["parked@example.com"]
    assert "there is no account with it" in message.body
    assert "/accounts/password/reset/key/" not in message.body
    assert not queued("account/email/password_reset_key")


def test_a_parked_address_never_blocks_its_owner_and_never_lets_the_squatter_in(
    client, django_capture_on_commit_callbacks
):
    # The squatter parked Carol's address (unconfirmed) before Carol had an account.
    squatter = make_user("squatter@example.com")
    EmailAddress.objects.create(user=squatter, email="carol@example.com", verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/", {"email": "carol@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response.status_code == 302
    carol = get_user_model().objects.exclude(pk=squatter.pk).get(email="carol@example.com")
    [message] = [m for m in mail.outbox if m.to == ["carol@example.com"]]
    client.post(first_link(message.body))

    assert EmailAddress.objects.get(email="carol@example.com").user == carol
    assert EmailAddress.objects.get(email="carol@example.com").verified
    # The squatter's claim is gone: a reset for Carol's address now reaches Carol's account only.
    assert not squatter.emailaddress_set.filter(email="carol@example.com").exists()
    mail.outbox.clear()
    client.post(reverse("account_logout"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "carol@example.com"})
    [reset] = mail.outbox
    client.get(first_link(reset.body), follow=True)
    uid = first_link(reset.body).split("/key/", 1)[1].split("-", 1)[0]
    assert int(uid, 36) == carol.pk


def test_a_signup_for_a_confirmed_address_creates_nothing_and_tells_the_owner(
    client, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/", {"email": resident.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert get_user_model().objects.filter(email=resident.email).count() == 1
    [message] = mail.outbox
    assert "already has an account" in message.body


def test_the_owner_is_told_when_the_password_changes(client, resident, django_capture_on_commit_callbacks):
    log_in(client, resident.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    [message] = mail.outbox
    assert message.to == [resident.email]
    assert message.subject.endswith("password was changed")
    assert "reset it now" in message.body


def test_the_owner_is_told_when_a_second_factor_is_added(client, resident, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value

    log_in(client, resident.email)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": code})
    assert resident.authenticator_set.exists()
    notices = [m for m in mail.outbox if "authenticator app was set up" in m.body]
    assert [m.to for m in notices] == [[resident.email]]


@pytest.mark.parametrize(
    "template",
    [
        "account/email/email_change_requested",
        "account/email/email_changed",
        "account/email/email_deleted",
        "account/email/password_changed",
        "account/email/password_set",
        "account/email/password_reset",
        "mfa/email/totp_activated",
        "mfa/email/totp_deactivated",
        "mfa/email/recovery_codes_generated",
        "mfa/email/webauthn_added",
        "mfa/email/webauthn_removed",
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_security_notice_has_the_portals_own_template(resident, template, language):
    from outbox.services import email_render

    email = Email.objects.create(
        to=resident.email,
        template=template,
        language=language,
        idempotency_key=f"test:{template}:{language}",
        context={
            "from_email": "old@example.com",
            "to_email": "new@example.com",
            "deleted_email": "gone@example.com",
            "new_email": "new@example.com",
            "user_display": "Alice",
        },
    )
    message = email_render(email)
    body = message.body
    # Ours, not allauth's (which would speak of an IP address and a browser we do not store).
    assert "security notice" in body or "aviso de seguridad" in body
    assert "IP" not in body
    assert message.subject

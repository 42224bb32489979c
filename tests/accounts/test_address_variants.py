"""An address written another way is the same mailbox: Django accepts ``alice@ｅxample.com`` (a
full-width "ｅ") and delivers it to alice@example.com. Compared as typed, each variant was a new
address: a fresh per-recipient limit, no opt-out, no account holding it, a guardian who is the minor."""

import contextlib

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.mail.message import sanitize_address
from django.urls import reverse

from outbox.models import Email
from portal.text import email_canonical
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FULL_WIDTH_E = "\uff45"  # "ｅ", which IDNA folds to "e"


def variant(address: str) -> str:
    """``address`` with the next plain "e" of its domain written full-width."""
    local, domain = address.split("@")
    return f"{local}@{domain.replace('e', FULL_WIDTH_E, 1)}"


def test_a_variant_is_delivered_to_the_same_mailbox_and_has_one_spelling():
    assert sanitize_address(variant("alice@example.com"), "utf-8") == "alice@example.com"
    assert email_canonical(variant(" Alice@Example.com ")) == "alice@example.com"
    assert email_canonical("pat@bücher.example") == "pat@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "address",
    [
        " Alice@Example.COM ",
        "a@b..example",  # an empty label: IDNA refuses it, so it stays as typed
        "a@" + "x" * 64 + ".example",  # a label over 63 characters: likewise
        "a@.example",
        "a@example.",
        "a@",
        "@example.com",
        "no-at-sign",
        "a@xn--bcher-kva.example",
        "a@EXAMPLE.com\t",
    ],
)
def test_an_ascii_domain_is_spelt_as_the_idna_codec_would_spell_it(address):
    # The ASCII domains skip the codec: the spelling must be the one it would give (or keep).
    local, at, domain = address.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    expected = f"{local}@{domain}".lower() if at else address.strip().lower()
    assert email_canonical(address) == expected


def test_password_reset_mails_to_one_mailbox_share_one_limit(client, resident, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "100/m/ip,2/m/key"}
    url = reverse("account_reset_password")
    for address in [resident.email, variant(resident.email)]:
        assert client.post(url, {"email": address}).status_code == 302
    assert client.post(url, {"email": variant(variant(resident.email))}).status_code == 429
    assert Email.objects.count() == 2


def test_signing_up_with_a_variant_of_a_taken_address_makes_no_second_account(client, resident):
    response = client.post(
        reverse("account_signup"), {"email": variant(resident.email), "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert get_user_model().objects.count() == 1
    assert not EmailAddress.objects.exclude(user=resident).exists()


def test_a_variant_of_another_accounts_address_cannot_be_added(resident_client, other_resident):
    resident_client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    resident_client.post(reverse("account_email"), {"email": variant(other_resident.email), "action_add": ""})
    assert not EmailAddress.objects.filter(user__email="alice@example.com").exclude(email="alice@example.com")

"""While Redis is unreachable the site stays up for reading, and the security checks built on
the cache (allauth's rate limits, "this code was already used") refuse instead of letting through."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD, enrol_totp

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "portal.cache_backend.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers, refused at once
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_unreachable():
    with override_settings(CACHES=UNREACHABLE_CACHE):
        yield


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_add_answers_false_when_redis_cannot_be_reached(redis_unreachable):
    from django.core.cache import cache

    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y") is False


def test_a_correct_password_is_refused_by_the_log_in_limit_while_redis_is_down(client, resident, redis_unreachable):
    response = client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "security checks are briefly unavailable" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_totp_code_is_refused_while_redis_cannot_record_it_as_used(officer, redis_unreachable):
    secret = enrol_totp(officer)
    totp = TOTP(Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP))

    # Without Redis, nobody can tell whether this valid code was already used: it is refused.
    assert totp.validate_code(current_code(secret)) is False


def test_a_totp_code_is_accepted_once_when_redis_is_up(officer):
    secret = enrol_totp(officer)
    totp = TOTP(Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP))
    code = current_code(secret)

    assert totp.validate_code(code) is True
    assert totp.validate_code(code) is False


@pytest.mark.parametrize("url", ["/", "/alerts/", "/alerts/feed/", "/meetings/", "/accounts/login/"])
def test_public_pages_are_still_served_while_redis_is_down(client, redis_unreachable, url):
    assert client.get(url).status_code == 200


def test_a_signed_in_residents_pages_are_still_served_while_redis_is_down(client, resident, redis_unreachable):
    client.force_login(resident)
    assert client.get("/me/profile/").status_code == 200

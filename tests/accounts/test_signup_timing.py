"""A sign-up's answer time does not tell whether the address has an account: with the production
password hasher, both paths hash the password."""

import statistics
import time

import pytest
from django.conf import settings as django_settings

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "harbour-lantern-granite-77"


def timed_sign_up(client, email) -> float:
    client.cookies.clear()
    started = time.perf_counter()
    response = client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    return elapsed


def test_signing_up_with_a_taken_address_costs_what_a_new_one_costs(client, settings):
    # Production hashers (tests use MD5 for speed, which would hide the difference).
    from portal import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    settings.ACCOUNT_RATE_LIMITS = {**django_settings.ACCOUNT_RATE_LIMITS, "signup": False}
    make_user("taken@example.com")

    taken, new = [], []
    for n in range(12):
        # Interleaved, so a burst of load on the machine hits both series alike.
        taken.append(timed_sign_up(client, "taken@example.com"))
        new.append(timed_sign_up(client, f"new.{n}@example.com"))

    taken_median, new_median = statistics.median(taken), statistics.median(new)
    # Before, the taken address answered ~10x faster (no password hash). The same work now: the
    # medians are within a factor of 1.6 of each other, and the ranges overlap.
    assert 1 / 1.6 < taken_median / new_median < 1.6, (taken, new)
    assert min(taken) < max(new) and min(new) < max(taken), (taken, new)

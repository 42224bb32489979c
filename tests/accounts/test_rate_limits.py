"""Password changes are rate-limited wherever they are offered, e-mails to one address are limited by
the hour too, and a limit answers with a clear, translated page saying when to try again."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, desk_client_for

pytestmark = pytest.mark.django_db


def test_the_admins_password_change_is_allauths_rate_limited_page(officer):
    desk = desk_client_for(officer)
    response = desk.get("/admin/password_change/")
    assert response.status_code == 302
    assert response.url == reverse("account_change_password")
    # Guessing the current password through the admin's form is no longer possible.
    response = desk.post(
        "/admin/password_change/", {"old_password": "guess", "new_password1": "x", "new_password2": "x"}
    )
    assert response.status_code == 302 and response.url == reverse("account_change_password")


def test_wrong_current_passwords_are_stopped_with_a_translated_message(resident_client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "change_password": "5/m/user"}
    url = reverse("account_change_password")
    answers = [
        resident_client.post(url, {"oldpassword": f"wrong-{n}", "password1": "x" * 14, "password2": "x" * 14})
        for n in range(6)
    ]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[5].status_code == 429
    assert "Please try again in a minute." in answers[5].content.decode()
    # Even the right password waits out the limit.
    right = resident_client.post(url, {"oldpassword": PASSWORD, "password1": "x" * 14, "password2": "x" * 14})
    assert right.status_code == 429

    resident_client.cookies["django_language"] = "es"
    spanish = resident_client.post(url, {"oldpassword": "wrong", "password1": "x", "password2": "x"})
    assert spanish.status_code == 429
    assert 'lang="es"' in spanish.content.decode()


def test_password_reset_requests_cannot_flood_an_inbox(client, resident):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from outbox.models import Email

    url = reverse("account_reset_password")
    start = timezone.now()
    # One request every two minutes, well inside the per-minute limit, for an hour and more.
    for step in range(12):
        with time_machine.travel(start + timedelta(minutes=2 * step), tick=False):
            client.post(url, {"email": resident.email}, REMOTE_ADDR=f"198.51.100.{step + 1}")
    assert Email.objects.filter(to=resident.email).count() == 10


def test_sign_ups_for_a_taken_address_cannot_flood_its_inbox(client, resident):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from outbox.models import Email

    start = timezone.now()
    for step in range(8):
        with time_machine.travel(start + timedelta(minutes=4 * step), tick=False):
            client.post(
                reverse("account_signup"),
                {"email": resident.email, "password1": PASSWORD, "password2": PASSWORD},
                REMOTE_ADDR=f"198.51.100.{step + 1}",
            )
    assert Email.objects.filter(to=resident.email).count() == 5

"""An officer's suppression stops bulk mail only; a bounce or a complaint still stops everything."""

import json

import pytest
from django.core import mail
from django.test import Client

from newsletters.models import Suppression
from outbox.models import Email
from outbox.services import email_queue
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def queue_newsletter_copy(to: str, key: str) -> Email:
    return email_queue(
        to=to,
        template="newsletters/emails/newsletter",
        context={"subject": "Spring news", "body_text": "Open day on Saturday.", "body_html": "<p>Open day.</p>"},
        kind=Email.Kind.BULK,
        idempotency_key=key,
    )


def test_an_officers_suppression_cannot_stop_a_superusers_password_reset(
    desk_client, django_capture_on_commit_callbacks
):
    chief = make_user("chief@example.com", is_staff=True, is_superuser=True)
    # Even asking for a "hard bounce" through the form only records an officer's suppression.
    response = desk_client.post(
        "/admin/newsletters/suppression/add/", {"email": "Chief@Example.com", "reason": "hard_bounce", "detail": "x"}
    )
    assert response.status_code == 302
    assert Suppression.objects.get().reason == Suppression.Reason.MANUAL

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": chief.email})
        queue_newsletter_copy(chief.email, "newsletter-copy-for-chief")

    assert [message.subject for message in mail.outbox if "password" in message.subject.lower()]
    reset = Email.objects.get(template="account/email/password_reset_key")
    assert reset.status == Email.Status.SENT
    newsletter_copy = Email.objects.get(idempotency_key="newsletter-copy-for-chief")
    assert newsletter_copy.status == Email.Status.FAILED
    assert newsletter_copy.last_error == "Suppressed: Added by an officer"


def test_the_add_form_offers_no_reason_to_choose(desk_client):
    page = desk_client.get("/admin/newsletters/suppression/add/").content.decode()
    assert 'name="email"' in page
    assert 'name="reason"' not in page


def test_a_bounce_after_an_officers_suppression_stops_every_email(
    settings, desk_client, django_capture_on_commit_callbacks
):
    settings.BOUNCE_WEBHOOK_SECRET = "provider-secret"
    desk_client.post("/admin/newsletters/suppression/add/", {"email": "gone@example.com", "detail": "Asked by phone"})
    Client().post(
        "/newsletters/bounces/",
        data=json.dumps({"events": [{"type": "hard_bounce", "email": "gone@example.com", "detail": "550 unknown"}]}),
        content_type="application/json",
        headers={"X-Precinct-Secret": "provider-secret"},
    )
    assert Suppression.objects.get().reason == Suppression.Reason.HARD_BOUNCE

    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to="gone@example.com",
            template="account/email/password_reset_key",
            context={"password_reset_url": "https://precinct.example/r/"},
            idempotency_key="reset-after-bounce",
        )
    email.refresh_from_db()
    assert (email.status, email.last_error) == (Email.Status.FAILED, "Suppressed: Hard bounce")
    assert mail.outbox == []

import json

import pytest
from django.core import mail
from django.test import Client

from newsletters.models import ConsentRecord, Subscription, Suppression
from outbox.models import Email
from outbox.services import email_queue
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db
SECRET = "s3cret-shared-with-the-mail-provider"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.BOUNCE_WEBHOOK_SECRET = SECRET


def report(events, *, secret=SECRET, body=None):
    client = Client(enforce_csrf_checks=True)  # the provider has no session and no CSRF token
    headers = {"X-Precinct-Secret": secret} if secret is not None else {}
    data = body if body is not None else json.dumps({"events": events})
    return client.post("/newsletters/bounces/", data=data, content_type="application/json", headers=headers)


def test_a_hard_bounce_suppresses_the_address_and_the_outbox_skips_it(django_capture_on_commit_callbacks):
    response = report([{"type": "hard_bounce", "email": "Gone@Example.com", "detail": "550 5.1.1 user unknown"}])

    assert response.status_code == 200
    assert response.json() == {"suppressed": 1, "ignored": 0}
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason) == ("gone@example.com", Suppression.Reason.HARD_BOUNCE)
    assert "user unknown" in suppression.detail

    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to="gone@example.com",
            template="account/email/password_reset_key",
            context={"password_reset_url": "https://precinct.example/r/"},
            idempotency_key="test:after-bounce",
        )
    assert mail.outbox == []
    email = Email.objects.get()
    assert email.status == Email.Status.FAILED
    assert email.last_error == "Suppressed: Hard bounce"


def test_a_complaint_suppresses_and_unsubscribes_with_a_consent_record():
    subscription = make_subscription("angry@example.com")

    assert report([{"type": "complaint", "email": "angry@example.com"}]).status_code == 200

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.consent_records.get().source == ConsentRecord.Source.BOUNCE
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT


def test_soft_bounces_are_counted_and_ignored_and_repeats_are_harmless():
    events = [
        {"type": "soft_bounce", "email": "full@example.com"},
        {"type": "hard_bounce", "email": "gone@example.com"},
        {"type": "hard_bounce", "email": "gone@example.com"},
    ]

    assert report(events).json() == {"suppressed": 2, "ignored": 1}
    assert list(Suppression.objects.values_list("email", flat=True)) == ["gone@example.com"]


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"secret": None}, 403, "X-Precinct-Secret"),
        ({"secret": "wrong"}, 403, "X-Precinct-Secret"),
        ({"body": "not json"}, 400, "not valid JSON"),
        ({"body": json.dumps([1, 2])}, 400, "events"),
        ({"body": json.dumps({"events": [{"type": "bounced", "email": "a@example.com"}]})}, 400, "type must be"),
        ({"body": json.dumps({"events": [{"type": "complaint", "email": "nope"}]})}, 400, "not a valid address"),
    ],
)
def test_bad_reports_are_refused_with_a_reason_and_change_nothing(kwargs, status, message):
    response = report([{"type": "hard_bounce", "email": "a@example.com"}], **kwargs)

    assert response.status_code == status
    assert message in response.json()["error"]
    assert not Suppression.objects.exists()


def test_intake_is_off_without_a_configured_secret(settings):
    settings.BOUNCE_WEBHOOK_SECRET = ""

    response = report([{"type": "hard_bounce", "email": "a@example.com"}], secret="")

    assert response.status_code == 503
    assert not Suppression.objects.exists()


def test_only_post_is_accepted(anonymous_client):
    assert anonymous_client.get("/newsletters/bounces/").status_code == 405

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newsletters.models import ConsentRecord, Subscription
from outbox.models import Email
from tests.newsletters.helpers import link_in, make_subscription

pytestmark = pytest.mark.django_db


def subscribe(client, captured, email="visitor@example.com", **extra):
    data = {"email": email, "topics": ["newsletter", "meetings"], "language": "en", **extra}
    with captured(execute=True):
        return client.post("/newsletters/subscribe/", data)


def test_a_visitor_subscribes_confirms_by_link_and_the_change_is_recorded(
    anonymous_client, neighbourhood, django_capture_on_commit_callbacks
):
    response = subscribe(
        anonymous_client, django_capture_on_commit_callbacks, email="Visitor@Example.com",
        neighbourhoods=[neighbourhood.pk],
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/newsletters/subscribe/sent/"

    subscription = Subscription.objects.get()
    assert subscription.email == "visitor@example.com"
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.topics == ["newsletter", "meetings"]
    assert list(subscription.neighbourhoods.all()) == [neighbourhood]
    [message] = mail.outbox
    assert message.to == ["visitor@example.com"]
    assert "someone entered this address on our subscription form" in message.body

    confirm_path = link_in(message.body, "/newsletters/confirm/")
    page = anonymous_client.get(confirm_path)
    assert page.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING, "opening the link alone (a scanner) confirms nothing"

    response = anonymous_client.post(confirm_path)
    assert response.status_code == 302
    assert "/newsletters/preferences/" in response["Location"]
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.confirmed_at is not None
    sources = list(subscription.consent_records.order_by("id").values_list("source", flat=True))
    assert sources == [ConsentRecord.Source.WEB, ConsentRecord.Source.CONFIRMATION]
    assert subscription.consent_records.order_by("id").last().changes["status"] == ["pending", "active"]


def test_a_tampered_or_expired_confirmation_link_is_refused(
    anonymous_client, django_capture_on_commit_callbacks, time_machine
):
    subscribe(anonymous_client, django_capture_on_commit_callbacks)
    confirm_path = link_in(mail.outbox[0].body, "/newsletters/confirm/")

    assert anonymous_client.post(confirm_path.replace("/confirm/", "/confirm/x")).status_code == 400
    time_machine.move_to(timezone.now() + timedelta(days=8))
    response = anonymous_client.post(confirm_path)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.PENDING


def test_subscribing_an_active_address_again_changes_nothing_and_sends_nothing(
    anonymous_client, django_capture_on_commit_callbacks
):
    subscription = make_subscription("active@example.com", wants_meetings=False)

    response = subscribe(anonymous_client, django_capture_on_commit_callbacks, email="active@example.com")

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.wants_meetings is False
    assert mail.outbox == []


def test_asking_twice_within_the_hour_sends_one_confirmation(anonymous_client, django_capture_on_commit_callbacks):
    subscribe(anonymous_client, django_capture_on_commit_callbacks)
    subscribe(anonymous_client, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert Email.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "not-an-address", "topics": ["newsletter"], "language": "en"}, "Enter a valid email address."),
        ({"email": "a@example.com", "language": "en"}, "Choose at least one topic"),
        ({"email": "a@example.com", "topics": ["gossip"], "language": "en"}, "Select a valid choice"),
    ],
)
def test_bad_subscription_requests_are_answered_with_a_clear_message(anonymous_client, data, error):
    response = anonymous_client.post("/newsletters/subscribe/", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_logged_in_resident_is_sent_to_their_preferences(resident_client):
    response = resident_client.get("/newsletters/subscribe/")

    assert response.status_code == 302
    assert response["Location"] == "/newsletters/preferences/"

import pytest
from django.core import mail

from newsletters import links
from newsletters.models import ConsentRecord, Subscription
from outbox.services import email_queue
from tests.newsletters.helpers import link_in, make_subscription

pytestmark = pytest.mark.django_db


def preferences_data(**overrides):
    data = {
        "subscribed": "on",
        "topics": ["newsletter", "safety_alerts"],
        "digest_frequency": "weekly",
        "language": "es",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_preferences_page_needs_a_log_in(anonymous_client):
    response = anonymous_client.get("/newsletters/preferences/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_resident_chooses_topics_neighbourhoods_digest_and_language(resident, resident_client, neighbourhood):
    page = resident_client.get("/newsletters/preferences/")
    assert page.status_code == 200
    assert "alice@example.com" in page.content.decode()

    response = resident_client.post(
        "/newsletters/preferences/", preferences_data(neighbourhoods=[neighbourhood.pk], digest_frequency="none")
    )

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.email == "alice@example.com"
    assert subscription.user == resident
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.topics == ["newsletter", "safety_alerts"]
    assert list(subscription.neighbourhoods.all()) == [neighbourhood]
    assert subscription.digest_frequency == "none"
    assert subscription.language == "es"
    record = subscription.consent_records.get()
    assert record.source == ConsentRecord.Source.PREFERENCES
    assert record.actor == resident


def test_each_change_is_recorded_with_what_changed(resident_client, resident):
    make_subscription("alice@example.com", user=resident)

    resident_client.post("/newsletters/preferences/", preferences_data(language="en"))
    resident_client.post("/newsletters/preferences/", preferences_data(language="en"))  # nothing changed
    resident_client.post("/newsletters/preferences/", preferences_data(language="en", subscribed=None))

    records = list(ConsentRecord.objects.order_by("id"))
    assert len(records) == 2
    assert records[0].changes["topics"] == [
        ["meetings", "newsletter", "programs", "safety_alerts"],
        ["newsletter", "safety_alerts"],
    ]
    assert records[1].changes == {"status": ["active", "unsubscribed"]}


def test_every_email_links_to_a_preferences_page_that_works_without_logging_in(
    anonymous_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to="Carol@Example.com",
            template="account/email/password_reset_key",
            context={"password_reset_url": "https://precinct.example/reset/x/"},
            idempotency_key="test:reset",
        )
    path = link_in(mail.outbox[0].body, "/newsletters/preferences/")

    page = anonymous_client.get(path)
    assert page.status_code == 200
    assert "carol@example.com" in page.content.decode()
    response = anonymous_client.post(path, preferences_data())
    assert response.status_code == 302
    subscription = Subscription.objects.get(email="carol@example.com")
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.user is None


def test_a_tampered_preferences_token_is_refused(anonymous_client):
    token = links.address_token("carol@example.com", salt=links.PREFERENCES_SALT)
    forged = links.address_token("mallory@example.com", salt=links.UNSUBSCRIBE_SALT)  # right form, wrong purpose

    assert anonymous_client.get(f"/newsletters/preferences/{token[:-2]}xx/").status_code == 400
    assert anonymous_client.post(f"/newsletters/preferences/{forged}/", preferences_data()).status_code == 400
    assert not Subscription.objects.exists()


def test_invalid_preferences_are_refused_with_a_message(resident_client):
    response = resident_client.post("/newsletters/preferences/", preferences_data(digest_frequency="daily"))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Subscription.objects.exists()

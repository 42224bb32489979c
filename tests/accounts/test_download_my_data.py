"""A resident downloads everything the portal holds about them: after giving their password again,
a limited number of times, audited, and never anything about anyone else or anonymous feedback."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.selectors import profile_for
from audit.models import AuditEntry
from meetings.models import Rsvp
from newsletters.models import ConsentRecord, Subscription
from tests.accounts.activity import ANONYMOUS_COMMENT, fill_activity
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DOWNLOAD = reverse("accounts:data-download")


def reauthenticate(client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def record(resident, other_resident, officer, neighbourhood):
    profile = profile_for(resident)
    profile.display_name, profile.phone, profile.home_neighbourhood = "Alice L.", "555-867-5309", neighbourhood
    profile.save()
    fill_activity(resident, count=2, neighbourhood=neighbourhood, other=other_resident)
    subscription = Subscription.objects.get(user=resident)
    ConsentRecord.objects.create(
        subscription=subscription,
        source=ConsentRecord.Source.ADMIN,
        actor=officer,
        changes={"wants_programs": [True, False]},
    )
    return resident


def download(client) -> dict:
    response = client.post(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="precinct-my-data-')
    return json.loads(response.content)


def test_the_file_holds_the_residents_whole_record(resident_client, record):
    reauthenticate(resident_client)

    data = download(resident_client)

    assert data["account"]["email"] == "alice@example.com" and data["account"]["first_name"] == "Alice"
    assert data["addresses"] == [{"email": "alice@example.com", "verified": True, "primary": True}]
    assert data["profile"] == {
        "display_name": "Alice L.",
        "phone": "555-867-5309",
        "home_neighbourhood": "Riverside",
        "preferred_language": "en",
    }
    codes = set(Rsvp.objects.filter(user=record).values_list("code", flat=True))
    assert {rsvp["registration_code"] for rsvp in data["rsvps"]} == codes
    answers = [answer["answer"] for application in data["applications"] for answer in application["answers"]]
    assert len(answers) == 2 and all(answer.startswith("My reason ") for answer in answers)
    assert all(application["status"] == "pending" for application in data["applications"])
    assert len(data["questions"]) == 2
    assert all(question["text"].startswith("My question ") for question in data["questions"])
    assert all(question["answer"].startswith("The answer ") for question in data["questions"])
    assert len(data["feedback_given"]) == 2  # one named, one anonymous: that each was given
    [named] = data["feedback_with_name"]
    assert named["comment"].startswith("Named ") and named["rating_overall"] == 4
    assert len(data["watch_groups"]) == 2 and [group["coordinator"] for group in data["watch_groups"]] == [True, False]
    assert len(data["watch_posts"]) == 2 and len(data["watch_concerns"]) == 2
    subscription = data["newsletter_subscription"]
    assert subscription["status"] == "active" and subscription["neighbourhoods"] == ["Riverside"]
    assert sorted(record["changed_by"] or "" for record in subscription["consent_records"]) == ["", "an officer"]
    assert len(data["emails_sent_to_you"]) == 2
    assert set(data["emails_sent_to_you"][0]) == {"to", "kind", "template", "status", "queued_at", "sent_at"}


def test_the_file_says_nothing_about_anyone_else_nor_anonymous_feedback(resident_client, record):
    reauthenticate(resident_client)

    text = json.dumps(download(resident_client))

    assert ANONYMOUS_COMMENT not in text
    assert "bob" not in text.lower()  # a fellow member's name or address
    assert "officer" not in text.replace("an officer", "")  # the officer who changed the subscription
    assert "sealed" not in text


def test_the_password_is_asked_first_and_the_download_then_resumes(resident_client, record):
    response = resident_client.post(DOWNLOAD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEntry.objects.filter(action="export").exists()

    resumed = resident_client.post(response["Location"], {"password": PASSWORD})

    assert resumed.status_code == 200
    assert json.loads(resumed.content)["account"]["email"] == "alice@example.com"


def test_each_download_is_audited(resident_client, record):
    reauthenticate(resident_client)
    download(resident_client)

    [entry] = AuditEntry.objects.filter(action="export")
    assert entry.actor == record
    assert entry.target_id == str(record.pk) and "alice" not in entry.target_repr
    assert entry.detail["filename"].startswith("precinct-my-data-")


def test_downloads_are_limited(resident_client, record, settings):
    settings.ACCOUNTS_DATA_DOWNLOAD_LIMIT = 2
    reauthenticate(resident_client)
    download(resident_client)
    download(resident_client)

    response = resident_client.post(DOWNLOAD)

    assert response.status_code == 429
    assert "try again" in response.content.decode()
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_get_and_visitors_get_nothing(resident_client, record):
    assert resident_client.get(DOWNLOAD).status_code == 405
    response = Client().post(DOWNLOAD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def someone_elses_records_at(address: str, neighbourhood, officer) -> None:
    """A visitor's newsletter subscription, suppression, alert and e-mail, all at ``address``."""
    from alerts.models import AlertRecipient
    from newsletters.models import Suppression
    from outbox.models import Email
    from tests.alerts.conftest import make_alert

    subscription = Subscription.objects.create(email=address, status=Subscription.Status.ACTIVE)
    subscription.neighbourhoods.add(neighbourhood)
    Suppression.objects.create(email=address, reason=Suppression.Reason.COMPLAINT)
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood])
    AlertRecipient.objects.create(alert=alert, email=address)
    Email.objects.create(to=address, template="newsletters/emails/confirm", idempotency_key="test:carol", sealed="")


def test_an_address_typed_but_never_confirmed_brings_nothing_kept_for_it(
    resident_client, resident, officer, neighbourhood
):
    from allauth.account.models import EmailAddress

    someone_elses_records_at("carol@example.com", neighbourhood, officer)
    # Anyone may type another person's address as their pending new one.
    EmailAddress.objects.create(user=resident, email="carol@example.com", verified=False, primary=False)
    reauthenticate(resident_client)

    data = download(resident_client)

    assert {"email": "carol@example.com", "verified": False, "primary": False} in data["addresses"]
    assert data["newsletter_subscription"] is None
    assert data["suppressed_address"] is None
    assert data["alerts_received"] == []
    assert all(email["to"] != "carol@example.com" for email in data["emails_sent_to_you"])

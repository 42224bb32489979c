"""Officers compose, preview, test, send, schedule and cancel newsletters in the admin, with their group's rights."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.models import ConsentRecord, Newsletter, Subscription, Suppression
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/newsletters/newsletter/"


@pytest.fixture
def officer_client(client, officer):
    """The officer with the second factor the officers' desk requires."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=officer, type=Authenticator.Type.TOTP, defaults={"data": {}})
    client.force_login(officer)
    return client


def compose(officer_client, **overrides):
    data = {
        "subject": "Bike thefts are down",
        "body": "Lock your **bike**.\n\n<img src=x onerror=alert(1)>",
        "audience": "all",
        "topic": "",
        "scheduled_for_0": "",
        "scheduled_for_1": "",
        **overrides,
    }
    response = officer_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Newsletter.objects.latest("id")


def act(officer_client, action, newsletter, **extra):
    data = {"action": action, "_selected_action": [newsletter.pk], **extra}
    return officer_client.post(CHANGELIST, data, follow=True)


def test_an_officer_composes_previews_and_sends_a_test_to_themself(
    officer, officer_client, django_capture_on_commit_callbacks
):
    make_subscription("reader@example.com")
    newsletter = compose(officer_client)
    assert newsletter.created_by == officer

    preview = officer_client.get(f"{CHANGELIST}{newsletter.pk}/preview/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "<strong>bike</strong>" in html
    assert "onerror" not in html

    with django_capture_on_commit_callbacks(execute=True):
        response = act(officer_client, "send_test", newsletter)
    assert "test copy(ies) sent" in response.content.decode()
    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == "[Test] Bike thefts are down"
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT


def test_send_now_from_the_admin_and_progress_in_the_list(officer_client, django_capture_on_commit_callbacks):
    for n in range(3):
        make_subscription(f"reader{n}@example.com")
    newsletter = compose(officer_client)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(officer_client, "send_now", newsletter, confirm="yes")

    assert "are being sent" in response.content.decode()
    assert len(mail.outbox) == 3
    from newsletters.services import newsletters_resume

    newsletters_resume()
    page = officer_client.get(CHANGELIST).content.decode()
    assert "Sent" in page
    newsletter.refresh_from_db()
    assert (newsletter.sent_count, newsletter.queued_count) == (3, 0)
    # A sent newsletter is read-only and cannot be cancelled.
    response = act(officer_client, "cancel", newsletter)
    assert "Only a scheduled newsletter can be cancelled" in response.content.decode()


def test_schedule_needs_a_future_time_and_cancel_stops_it(officer_client):
    newsletter = compose(officer_client)
    response = act(officer_client, "schedule", newsletter)
    assert "Set a future “send at” time" in response.content.decode()

    Newsletter.objects.filter(pk=newsletter.pk).update(scheduled_for=timezone.now() + timedelta(days=1))
    act(officer_client, "schedule", newsletter)
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SCHEDULED

    response = act(officer_client, "cancel", newsletter)
    assert "1 newsletter(s) cancelled." in response.content.decode()
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.CANCELLED


def test_residents_cannot_reach_the_preview(resident_client, officer):
    newsletter = Newsletter.objects.create(subject="Internal draft", body="Not yet", created_by=officer)

    response = resident_client.get(f"{CHANGELIST}{newsletter.pk}/preview/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_officer_changes_a_subscription_and_it_is_recorded_as_admin_consent(officer, officer_client, neighbourhood):
    subscription = make_subscription("reader@example.com")
    url = f"/admin/newsletters/subscription/{subscription.pk}/change/"
    assert officer_client.get(url).status_code == 200

    response = officer_client.post(
        url,
        {
            "wants_newsletter": "on",
            "neighbourhoods": [neighbourhood.pk],
            "digest_frequency": "none",
            "language": "en",
            "consent_records-TOTAL_FORMS": "0",
            "consent_records-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.topics == ["newsletter"]
    assert subscription.digest_frequency == "none"
    record = subscription.consent_records.get()
    assert (record.source, record.actor) == (ConsentRecord.Source.ADMIN, officer)


def test_an_officer_suppresses_an_address_by_hand(officer_client):
    response = officer_client.post(
        "/admin/newsletters/suppression/add/", {"email": "Asked@Example.com", "reason": "manual", "detail": "Phoned"}
    )

    assert response.status_code == 302
    assert Suppression.objects.get().email == "asked@example.com"


def subscription_list_queries(officer_client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get("/admin/newsletters/subscription/?status=active")
    assert response.status_code == 200
    # The session comes from the cache or, when a busy Redis timed out, the database: not the list's doing.
    return [query["sql"] for query in queries.captured_queries if "django_session" not in query["sql"]]


def test_the_subscriber_list_counts_nothing_and_its_queries_do_not_grow_with_rows(officer_client):
    for n in range(5):
        make_subscription(f"first{n}@example.com")
    subscription_list_queries(officer_client)  # the first request also sets up the session
    few = subscription_list_queries(officer_client)
    Subscription.objects.bulk_create(
        Subscription(email=f"many{n}@example.com", status=Subscription.Status.ACTIVE) for n in range(120)
    )
    many = subscription_list_queries(officer_client)

    assert len(many) == len(few), "\n".join(many)
    counts = [sql for sql in many if "COUNT(" in sql.upper() and "newsletters_subscription" in sql]
    assert counts == [], counts
    page = officer_client.get("/admin/newsletters/subscription/").content.decode()
    assert '<a href="?p=2">Next page</a>' in page  # offered without counting the table
    assert "Page 1: 50 subscriptions" in page
    last = officer_client.get("/admin/newsletters/subscription/?p=3").content.decode()
    assert "Page 3: 25 subscriptions" in last
    assert "Next page" not in last
    assert '<a href="?p=2">Previous page</a>' in last


def newsletter_list_queries(officer_client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get(CHANGELIST)
    assert response.status_code == 200
    # The session comes from the cache or, when a busy Redis timed out, the database: not the list's doing.
    return [query["sql"] for query in queries.captured_queries if "django_session" not in query["sql"]]


def test_the_newsletter_list_shows_progress_without_counting_deliveries(officer, officer_client):
    def add(count):
        Newsletter.objects.bulk_create(
            Newsletter(subject=f"Issue {n}", body="Hi", created_by=officer, sent_count=n) for n in range(count)
        )

    add(5)
    newsletter_list_queries(officer_client)  # the first request also sets up the session
    few = newsletter_list_queries(officer_client)
    add(50)
    many = newsletter_list_queries(officer_client)

    assert len(many) == len(few)
    assert not [sql for sql in many if "newsletters_newsletterdelivery" in sql or "outbox_email" in sql]

"""The acceptance test for delivery: a real Redis broker and a real Celery worker.

A 10,000-recipient newsletter is queued first, then an alert for neighbourhood A is published.
One worker consumes both queues, as `bin/run` starts it (`--queues=high,default`). A's alert
subscribers must each get the alert once, and before the newsletter has finished sending.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from alerts import services as alert_services
from alerts.services import alert_publish
from newsletters.models import Newsletter, Subscription
from newsletters.services import newsletter_fan_out
from outbox.models import Email
from portal.celery import app as celery_app
from tests.alerts.conftest import make_alert, make_subscription

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NEWSLETTER_RECIPIENTS = 10_000


@pytest.fixture
def two_queues(celery_broker, monkeypatch, settings):
    """Real Redis queues, named per test so parallel runs never take each other's tasks."""
    default_queue = f"alerts-test-default-{id(monkeypatch)}"
    high_queue = f"alerts-test-high-{id(monkeypatch)}"
    celery_broker(settings.REDIS_URL, default_queue=default_queue)
    monkeypatch.setattr(alert_services, "ALERT_QUEUE", high_queue)
    yield high_queue, default_queue
    with celery_app.connection_for_write() as connection:
        for queue in (high_queue, default_queue):
            connection.default_channel.queue_purge(queue)


def _wait_for(condition, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_an_alert_overtakes_a_10000_recipient_newsletter(two_queues, officer, neighbourhood, other_neighbourhood):
    high_queue, default_queue = two_queues
    make_subscription("ana@example.com", neighbourhood, newsletter=False)
    make_subscription("ben@example.com", neighbourhood, newsletter=False)
    make_subscription("cho@example.com", other_neighbourhood, newsletter=False)
    Subscription.objects.bulk_create(
        Subscription(
            email=f"reader{n}@example.com",
            status=Subscription.Status.ACTIVE,
            wants_safety_alerts=False,
            confirmed_at=timezone.now(),
        )
        for n in range(NEWSLETTER_RECIPIENTS)
    )
    newsletter = Newsletter.objects.create(
        subject="Spring newsletter", body="News from the department.", status=Newsletter.Status.SENDING
    )
    # The newsletter's fan-out runs first: 10,000 e-mails wait on the default queue.
    assert newsletter_fan_out(newsletter_id=newsletter.pk) == NEWSLETTER_RECIPIENTS
    assert Email.objects.filter(kind=Email.Kind.BULK, status=Email.Status.QUEUED).count() == NEWSLETTER_RECIPIENTS

    # Then the alert: its fan-out and its deliveries go to the high queue.
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood])
    alert_publish(actor=officer, alert=alert)
    subject = "Safety alert: Burglaries on Elm Street"

    def alert_recipients():
        return sorted(message.to[0] for message in mail.outbox if message.subject == subject)

    # Watch the mail as it leaves (the locmem outbox), not the database, which the worker is using.
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[default_queue, high_queue], shutdown_timeout=30
    ):
        delivered = _wait_for(lambda: len(alert_recipients()) >= 2, seconds=60)
        newsletter_sent_meanwhile = sum(1 for message in mail.outbox if message.subject != subject)

    assert delivered, "the alert e-mails were not delivered within a minute"
    # The newsletter had not finished when the alert went out: most of it was still waiting.
    assert newsletter_sent_meanwhile < NEWSLETTER_RECIPIENTS / 2, newsletter_sent_meanwhile
    assert Email.objects.filter(kind=Email.Kind.BULK, status=Email.Status.QUEUED).exists()
    # A's two alert subscribers, once each; nobody in B, nobody among the newsletter's readers.
    assert alert_recipients() == ["ana@example.com", "ben@example.com"]

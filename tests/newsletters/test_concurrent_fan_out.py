"""Two fan-outs of the same newsletter at once (a resumed run racing a slow one) queue one copy each."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from newsletters import services
from newsletters.models import Newsletter, NewsletterDelivery, Subscription
from outbox.models import Email

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_fan_outs_queue_each_recipient_once(monkeypatch):
    Subscription.objects.bulk_create(
        Subscription(email=f"reader{n:03}@example.com", status=Subscription.Status.ACTIVE) for n in range(120)
    )
    newsletter = Newsletter.objects.create(
        subject="Spring news", body="Hello", status=Newsletter.Status.SENDING, started_at=timezone.now()
    )
    monkeypatch.setattr(services, "FANOUT_BATCH_SIZE", 10)
    # Only the rows matter here; delivery is tested elsewhere.
    monkeypatch.setattr("outbox.services.enqueue_delivery", lambda email_ids, **kwargs: True)
    start, errors = threading.Barrier(2), []

    def fan_out():
        try:
            start.wait()
            services.newsletter_fan_out(newsletter_id=newsletter.pk)
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fan_out) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert NewsletterDelivery.objects.filter(newsletter=newsletter).count() == 120
    assert Email.objects.count() == 120
    assert Email.objects.values("to").distinct().count() == 120
    assert not NewsletterDelivery.objects.filter(email__isnull=True).exists()

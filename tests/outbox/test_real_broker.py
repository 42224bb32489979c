"""The outbox against a real Redis broker and a real Celery worker."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from outbox import services
from outbox.models import Email
from portal.celery import app as celery_app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_the_sweep_hands_left_over_rows_to_a_real_worker_which_sends_each_once(celery_broker, settings):
    queue = f"outbox-test-{uuid.uuid4().hex}"
    celery_broker(settings.REDIS_URL, default_queue=queue)
    # As if Redis had been down at commit: the rows are due and no task was ever sent for them.
    emails = Email.objects.bulk_create(
        Email(
            to=f"resident{n}@example.com",
            template="account/email/email_confirmation_signup",
            context={"activate_url": f"https://precinct.example/c/{n}/"},
            idempotency_key=f"sweep-test-{n}",
            next_attempt_at=timezone.now(),
        )
        for n in range(3)
    )

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
        assert services.outbox_sweep() == 3
        services.outbox_sweep()  # a second beat tick before the worker finishes changes nothing
        deadline = time.monotonic() + 60
        while Email.objects.exclude(status=Email.Status.SENT).exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in emails)
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}

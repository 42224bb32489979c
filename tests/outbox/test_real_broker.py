"""The outbox against a real Redis broker and a real Celery worker."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from outbox import services
from outbox.models import Email
from outbox.services import email_queue
from portal.celery import app as celery_app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_broker(monkeypatch, settings):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", settings.REDIS_URL)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", settings.REDIS_BROKER_TRANSPORT_OPTIONS)
    # Each test worker gets its own queue name, so parallel runs never take each other's tasks.
    queue = f"outbox-test-{id(monkeypatch)}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    celery_app._pool = None
    yield queue
    celery_app._pool = None


def test_the_sweep_hands_left_over_rows_to_a_real_worker_which_sends_each_once(redis_broker):
    emails = [
        email_queue(
            to=f"resident{n}@example.com",
            template="account/email/email_confirmation_signup",
            context={"activate_url": f"https://precinct.example/c/{n}/"},
            idempotency_key=f"sweep-test-{n}",
        )
        for n in range(3)
    ]
    # As if Redis had been down at commit: the rows are due and nobody was told.
    Email.objects.update(next_attempt_at=timezone.now())

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[redis_broker], shutdown_timeout=10):
        assert services.outbox_sweep() == 3
        services.outbox_sweep()  # a second beat tick before the worker finishes changes nothing
        for _ in range(100):
            if not Email.objects.filter(status=Email.Status.QUEUED).exists():
                break
            import time

            time.sleep(0.1)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in emails)
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}

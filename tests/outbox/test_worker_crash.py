"""A dead worker costs seconds: a real worker SIGKILLed mid-batch, another one started, every
message counted at an SMTP sink. Its claimed rows come back once its short lease runs out (a live
worker renews it), and the rows it had been handed but not claimed come back after the sweep's grace."""

import os
import signal
import threading
import time
import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.utils import timezone

from outbox import services
from outbox.models import Email
from outbox.services import email_queue_many, outbox_sweep
from portal.celery import app as celery_app
from tests.helpers import StallingSmtpSink, free_port, start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 2
SHORT_LEASE = {"OUTBOX_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS)}


class Beat:
    """The outbox sweep every ``interval`` seconds, as beat runs it (OUTBOX_SWEEP_SECONDS)."""

    def __init__(self, interval: float):
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            while not self.stopped.wait(self.interval):
                outbox_sweep()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(10)


def test_a_killed_workers_messages_are_delivered_by_another_within_seconds_exactly_once(settings, celery_broker):
    settings.OUTBOX_URGENT_SWEEP_GRACE_SECONDS = 3
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 5
    default_queue, high_queue = (f"crash-test-{name}-{uuid.uuid4().hex}" for name in ("default", "high"))
    celery_broker(settings.REDIS_URL, default_queue=default_queue)
    alerts = [f"alert{n:03}@example.com" for n in range(100)]
    bulk = [f"reader{n:03}@example.com" for n in range(100)]
    # In the first batch of 50: 19 claimed rows wait behind it.
    sink = StallingSmtpSink(stall_for=alerts[30], pause=0.01)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    workers = []

    def queue(recipients, *, on):
        email_queue_many(
            messages=[
                {
                    "to": recipient,
                    "template": "account/email/password_reset_key",
                    "context": {"password_reset_url": "https://precinct.example/reset/"},
                    "idempotency_key": f"crash-test:{recipient}",
                }
                for recipient in recipients
            ],
            queue=on,
        )

    try:
        with transaction.atomic():
            queue(alerts, on=high_queue)
            queue(bulk, on=None)
        workers.append(start_worker(queues=[high_queue, default_queue], smtp_port=controller.port, env=SHORT_LEASE))
        wait_for(sink.stalled.is_set, 60, "the first worker never reached the stalling message")
        with Beat(interval=0.5):
            # The live worker renews its lease: however long the SMTP answer takes, nobody takes its rows.
            time.sleep(LEASE_SECONDS * 2)
            stalled = Email.objects.get(to=alerts[30])
            assert (stalled.status, stalled.attempts) == (Email.Status.SENDING, 0)
            assert stalled.next_attempt_at > timezone.now()
            claimed_by_the_dead = Email.objects.filter(status=Email.Status.SENDING).count()
            assert claimed_by_the_dead == 20  # the stalled message and the 19 after it

            os.killpg(workers[0].pid, signal.SIGKILL)
            workers[0].wait(10)
            killed_at = time.monotonic()
            workers.append(start_worker(queues=[high_queue, default_queue], smtp_port=controller.port, env=SHORT_LEASE))
            wait_for(
                lambda: not Email.objects.filter(to__in=alerts).exclude(status=Email.Status.SENT).exists(),
                60,
                "the killed worker's alert messages were not delivered",
            )
            alerts_done = time.monotonic() - killed_at
            wait_for(
                lambda: not Email.objects.exclude(status=Email.Status.SENT).exists(),
                120,
                "the newsletter copies were not all delivered",
            )
            all_done = time.monotonic() - killed_at
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        controller.stop()
        with celery_app.connection_for_write() as broker:
            for name in (high_queue, default_queue):
                broker.default_channel.queue_purge(name)

    # Exactly once at the sink: none lost, none twice (the stalled message was never accepted).
    assert sorted(sink.accepted) == sorted(alerts + bulk)
    # Bounds that include starting a new worker on a busy machine: the high queue's claimed rows
    # within 30 s of the kill, everything within 2 minutes.
    assert alerts_done < 30, alerts_done
    assert all_done < 120, all_done
    # The lease that ran out counted as an attempt for each row the dead worker had claimed.
    assert Email.objects.filter(attempts=2).count() == claimed_by_the_dead


def test_the_sweep_puts_a_dead_workers_rows_back_on_their_own_queue(monkeypatch):
    handed: list[tuple[list[int], str | None]] = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda ids, queue=None: handed.append((ids, queue)) or True)
    with transaction.atomic():
        email_queue_many(
            messages=[{"to": "ana@example.com", "template": "t", "context": {}, "idempotency_key": "alert:ana"}],
            queue="high",
        )
        email_queue_many(
            messages=[{"to": "ben@example.com", "template": "t", "context": {}, "idempotency_key": "news:ben"}]
        )
    handed.clear()
    Email.objects.update(status=Email.Status.SENDING, next_attempt_at=timezone.now() - timedelta(seconds=1))
    ana, ben = Email.objects.get(to="ana@example.com"), Email.objects.get(to="ben@example.com")

    assert outbox_sweep() == 2
    assert handed == [([ana.pk], "high"), ([ben.pk], None)]  # the urgent queue first
    # Handed out again: the next sweep leaves them alone for a grace period.
    handed.clear()
    assert outbox_sweep() == 0
    ana.refresh_from_db()
    assert ana.status == Email.Status.QUEUED and ana.attempts == 1
    assert ana.next_attempt_at > timezone.now() + services.sweep_grace("high") - timedelta(seconds=5)

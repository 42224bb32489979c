"""Claiming a batch: one worker per row, a lease that outlives only a dead worker, nothing sent twice."""

import threading
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.db import connection
from django.utils import timezone

from newsletters.models import Newsletter, NewsletterDelivery, Subscription
from newsletters.selectors import newsletter_progress
from outbox import services
from outbox.models import Email


def queue_rows(count: int, *, prefix: str = "claim") -> list[Email]:
    return [
        services.email_queue(
            to=f"resident{n}@example.com",
            template="account/email/email_confirmation_signup",
            context={"activate_url": f"https://precinct.example/confirm/{n}/"},
            idempotency_key=f"{prefix}:{n}",
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_a_batch_stopped_by_an_error_gives_back_the_rows_it_had_not_sent(monkeypatch):
    rows = queue_rows(4)
    real_render = services.email_render
    rendered = []

    def render_then_stop(email, **kwargs):
        if len(rendered) == 2:
            raise SoftTimeLimitExceeded  # the task's time limit: not an error of this row
        rendered.append(email.to)
        return real_render(email, **kwargs)

    monkeypatch.setattr(services, "email_render", render_then_stop)
    with pytest.raises(SoftTimeLimitExceeded):
        services.email_deliver_batch(email_ids=[row.pk for row in rows])

    statuses = dict(Email.objects.values_list("to", "status"))
    assert [statuses[row.to] for row in rows] == ["sent", "sent", "queued", "queued"]
    monkeypatch.setattr(services, "email_render", real_render)
    assert services.email_deliver_batch(email_ids=[row.pk for row in rows])["sent"] == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(row.to for row in rows)  # once each


@pytest.mark.django_db
def test_rows_claimed_by_a_worker_that_died_are_swept_back_once_the_lease_runs_out(django_capture_on_commit_callbacks):
    [row] = queue_rows(1)
    Email.objects.filter(pk=row.pk).update(
        status=Email.Status.SENDING, next_attempt_at=timezone.now() + services.claim_lease()
    )

    # While the lease holds, the row belongs to its worker: nobody else sends it.
    assert services.email_deliver_batch(email_ids=[row.pk])["skipped"] == 1
    assert services.outbox_sweep() == 0
    lease_over = timezone.now() + services.claim_lease() + timedelta(seconds=1)
    with time_machine.travel(lease_over, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_sweep() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Email.Status.SENT, 2)  # the lost lease counts as an attempt
    assert [message.to for message in mail.outbox] == [[row.to]]


@pytest.mark.django_db
def test_withdrawing_leaves_a_row_a_worker_is_sending():
    [row] = queue_rows(1, prefix="reminder:7")
    Email.objects.filter(pk=row.pk).update(status=Email.Status.SENDING)

    assert services.email_withdraw(key_prefix="reminder:7", reason="The meeting moved.") == 0
    row.refresh_from_db()
    assert row.status == Email.Status.SENDING


@pytest.mark.django_db
def test_a_newsletter_copy_being_sent_counts_as_queued_in_its_progress():
    newsletter = Newsletter.objects.create(subject="News", body="Body", status=Newsletter.Status.SENDING)
    for n, status in enumerate([Email.Status.SENDING, Email.Status.QUEUED, Email.Status.SENT]):
        subscription = Subscription.objects.create(email=f"r{n}@example.com", status=Subscription.Status.ACTIVE)
        email = Email.objects.create(to=subscription.email, template="t", idempotency_key=f"p:{n}", status=status)
        NewsletterDelivery.objects.create(newsletter=newsletter, subscription=subscription, email=email)

    assert newsletter_progress(newsletter_id=newsletter.pk) == {"queued": 2, "sent": 1, "failed": 0, "total": 3}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_rows_at_once_send_each_message_once():
    rows = Email.objects.bulk_create(  # not email_queue: its on-commit delivery would run at once here
        Email(to=f"resident{n}@example.com", template="account/email/password_reset_key", idempotency_key=f"race:{n}")
        for n in range(40)
    )
    ids = [row.pk for row in rows]
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(services.email_deliver_batch(email_ids=ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(result["sent"] for result in results) == 40
    assert sum(result["skipped"] for result in results) == 40
    assert sorted(message.to[0] for message in mail.outbox) == sorted(row.to for row in rows)
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}


@pytest.mark.django_db
def test_a_message_whose_worker_keeps_dying_ends_as_failed(settings, monkeypatch):
    [row] = queue_rows(1)
    settings.OUTBOX_MAX_ATTEMPTS = 2
    monkeypatch.setattr(services, "enqueue_delivery", lambda ids, **kwargs: True)  # the worker "dies" each time
    for attempt in (1, 2):
        Email.objects.filter(pk=row.pk).update(status=Email.Status.SENDING, next_attempt_at=timezone.now())
        services.outbox_sweep()
        row.refresh_from_db()
        assert row.attempts == attempt

    assert row.status == Email.Status.FAILED
    assert "stopped while sending" in row.last_error
    assert mail.outbox == []

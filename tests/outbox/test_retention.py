"""Outbox retention: done rows older than OUTBOX_RETENTION_DAYS are deleted; nothing else is lost."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from newsletters.models import DigestDelivery, Newsletter, NewsletterDelivery, Subscription, Suppression
from newsletters.services import newsletter_progress_refresh
from outbox import services
from outbox.models import Email
from outbox.services import outbox_purge

pytestmark = pytest.mark.django_db


def make_email(name: str, *, status: str, days_old: int) -> Email:
    email = Email.objects.create(
        to=f"{name}@example.com", template="t", idempotency_key=f"retention:{name}", status=status
    )
    # created_at is set on insert (auto_now_add): aged here as a month of real time would.
    Email.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return email


@pytest.fixture
def month_old_and_new(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    old = {status: make_email(f"old-{status}", status=status, days_old=31) for status in Email.Status.values}
    new = {status: make_email(f"new-{status}", status=status, days_old=29) for status in Email.Status.values}
    return old, new


def test_done_rows_past_the_retention_period_are_deleted_and_nothing_else(month_old_and_new):
    old, new = month_old_and_new

    assert outbox_purge() == 3
    kept = set(Email.objects.values_list("pk", flat=True))
    # Sent, failed and withdrawn rows past 30 days are gone; a row still queued or sending is not done.
    assert kept == {old["queued"].pk, old["sending"].pk, *(email.pk for email in new.values())}
    assert outbox_purge() == 0  # running again changes nothing


def test_it_deletes_in_small_batches_until_done(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    for n in range(7):
        make_email(f"sent{n}", status=Email.Status.SENT, days_old=40)

    assert outbox_purge(batch_size=2, duty=1) == 7
    assert not Email.objects.exists()


def test_it_stops_after_its_time_budget_and_the_next_run_goes_on(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    for n in range(5):
        make_email(f"sent{n}", status=Email.Status.SENT, days_old=40)

    assert outbox_purge(batch_size=2, duty=1, max_seconds=0) == 0
    assert outbox_purge(batch_size=2, duty=1) == 5


def test_while_a_worker_is_delivering_it_pauses_longer_between_batches(settings, monkeypatch):
    settings.OUTBOX_RETENTION_DAYS = 30
    pauses = []
    monkeypatch.setattr(services.time, "sleep", pauses.append)
    for n in range(2):
        make_email(f"idle{n}", status=Email.Status.SENT, days_old=40)

    assert outbox_purge(batch_size=1, duty=1, busy_duty=0.01) == 2
    assert pauses == [0.0, 0.0]  # an idle outbox: busy all the time, as asked (duty=1)

    for n in range(2):
        make_email(f"busy{n}", status=Email.Status.SENT, days_old=40)
    make_email("in-flight", status=Email.Status.SENDING, days_old=0)  # claimed by a worker
    pauses.clear()
    assert outbox_purge(batch_size=1, duty=1, busy_duty=0.01) == 2
    assert len(pauses) == 2 and all(pause > 0 for pause in pauses)  # 99 times each batch's own time


def test_what_newsletters_keep_survives_the_purge(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    subscription = Subscription.objects.create(email="ana@example.com", status=Subscription.Status.ACTIVE)
    Suppression.objects.create(email="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    newsletter = Newsletter.objects.create(subject="March news", body="News", status=Newsletter.Status.SENDING)
    copy = make_email("copy", status=Email.Status.SENT, days_old=40)
    digest = make_email("digest", status=Email.Status.SENT, days_old=40)
    NewsletterDelivery.objects.create(newsletter=newsletter, subscription=subscription, email=copy)
    DigestDelivery.objects.create(subscription=subscription, week="2026-W10", email=digest)
    Newsletter.objects.filter(pk=newsletter.pk).update(fanout_completed_at=timezone.now())
    newsletter = newsletter_progress_refresh(newsletter_id=newsletter.pk)  # sent: its counts are stored
    assert (newsletter.status, newsletter.sent_count, newsletter.recipient_count) == (Newsletter.Status.SENT, 1, 1)

    assert outbox_purge() == 2
    newsletter.refresh_from_db()
    assert (newsletter.sent_count, newsletter.failed_count, newsletter.recipient_count) == (1, 0, 1)
    # The one-per-recipient and one-per-week records stay, so nobody gets a second copy; their
    # link to the deleted row is empty.
    assert NewsletterDelivery.objects.get(newsletter=newsletter).email is None
    assert DigestDelivery.objects.get(week="2026-W10").email is None
    assert Suppression.objects.filter(email="bounced@example.com").exists()


def test_the_purge_runs_every_hour_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["outbox-purge"]
    assert entry["task"] == "outbox.tasks.purge_outbox"
    assert entry["schedule"] <= 3600


@pytest.mark.postgres
def test_the_purge_finds_its_rows_through_an_index(settings):
    from django.db import connection

    cutoff = timezone.now() - timedelta(days=30)
    query = (
        Email.objects.filter(created_at__lt=cutoff, status__in=services.DONE_STATUSES)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: ask whether an index serves it
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # On an empty table the planner may pick the status index or the created_at one (its statistics
    # decide); what must hold is that no plan reads the whole table.
    assert "Seq Scan" not in plan, plan
    assert "Index" in plan, plan

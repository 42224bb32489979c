from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry
from newsletters import services
from newsletters.models import Newsletter, NewsletterDelivery, Subscription, Suppression
from outbox import services as outbox_services
from outbox.models import Email
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db

BODY = "## Spring safety\n\nLock your **bikes**. [Map](https://example.org/map)\n\n<script>alert(1)</script>"


def make_newsletter(officer, **fields) -> Newsletter:
    return Newsletter.objects.create(subject="Spring news", body=BODY, created_by=officer, **fields)


def send_now(newsletter, officer, captured):
    with captured(execute=True):
        services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=officer)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_sending_now_mails_each_newsletter_subscriber_once_with_sanitised_html_and_text(
    officer, django_capture_on_commit_callbacks
):
    for n in range(3):
        make_subscription(f"reader{n}@example.com")
    make_subscription("no-news@example.com", wants_newsletter=False)
    make_subscription("pending@example.com", status=Subscription.Status.PENDING)
    make_subscription("gone@example.com", status=Subscription.Status.UNSUBSCRIBED)
    make_subscription("bounced@example.com")
    Suppression.objects.create(email="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    newsletter = make_newsletter(officer)

    send_now(newsletter, officer, django_capture_on_commit_callbacks)

    assert recipients() == ["reader0@example.com", "reader1@example.com", "reader2@example.com"]
    message = mail.outbox[0]
    assert message.subject == "Spring news"
    html = message.alternatives[0][0]
    assert "<strong>bikes</strong>" in html
    assert "<script>" not in html
    assert "Lock your bikes. Map <https://example.org/map>" in message.body
    assert "You received this because you subscribed to this newsletter." in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    newsletter.refresh_from_db()
    assert newsletter.fanout_completed_at is not None
    assert AuditEntry.objects.filter(action="newsletters.newsletter.send", target_id=str(newsletter.pk)).exists()

    services.newsletters_resume()
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT
    assert (newsletter.recipient_count, newsletter.sent_count, newsletter.failed_count) == (3, 3, 0)


def test_a_neighbourhood_audience_reaches_that_neighbourhood_and_whole_city_followers(
    officer, neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("here@example.com", neighbourhoods=[neighbourhood])
    make_subscription("there@example.com", neighbourhoods=[other_neighbourhood])
    make_subscription("everywhere@example.com")
    newsletter = make_newsletter(officer, audience=Newsletter.Audience.NEIGHBOURHOODS)
    newsletter.neighbourhoods.set([neighbourhood])

    send_now(newsletter, officer, django_capture_on_commit_callbacks)

    assert recipients() == ["everywhere@example.com", "here@example.com"]


def test_a_topic_audience_reaches_that_topic_only(officer, django_capture_on_commit_callbacks):
    make_subscription("programs@example.com", wants_newsletter=False)
    make_subscription("no-programs@example.com", wants_programs=False)
    newsletter = make_newsletter(officer, audience=Newsletter.Audience.TOPIC, topic="programs")

    send_now(newsletter, officer, django_capture_on_commit_callbacks)

    assert recipients() == ["programs@example.com"]


def test_an_audience_without_its_choice_is_refused(officer):
    newsletter = make_newsletter(officer, audience=Newsletter.Audience.NEIGHBOURHOODS)

    with pytest.raises(services.NewsletterError, match="at least one neighbourhood"):
        services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=officer)


@pytest.mark.parametrize("bulk_sql", [True, False], ids=["postgresql-unnest", "orm-as-on-sqlite"])
def test_a_fan_out_killed_half_way_and_resumed_sends_everyone_exactly_one_copy(
    officer, monkeypatch, django_capture_on_commit_callbacks, bulk_sql
):
    # Both ways of writing a batch's rows: one statement on PostgreSQL, the ORM on bin/run's SQLite.
    monkeypatch.setattr(outbox_services, "bulk_sql_supported", lambda: bulk_sql)
    monkeypatch.setattr(services, "bulk_sql_supported", lambda: bulk_sql)
    for n in range(23):
        make_subscription(f"reader{n:02}@example.com")
    newsletter = make_newsletter(officer)
    real_queue_many = services.email_queue_many
    calls = {"n": 0}

    def dies_on_the_third_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_queue_many(**kwargs)

    monkeypatch.setattr(services, "FANOUT_BATCH_SIZE", 5)
    monkeypatch.setattr(services, "email_queue_many", dies_on_the_third_batch)
    # The eager task's crash is logged, as a dead worker's would be; the beat task notices it later.
    send_now(newsletter, officer, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 10  # two batches of five were committed and delivered
    assert NewsletterDelivery.objects.count() == 10
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENDING
    assert newsletter.fanout_completed_at is None

    # Later the beat task finds the stalled fan-out and resumes it.
    monkeypatch.setattr(services, "email_queue_many", real_queue_many)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletters_resume()  # heartbeat still fresh: not resumed yet
    assert len(mail.outbox) == 10
    Newsletter.objects.filter(pk=newsletter.pk).update(fanout_heartbeat_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletters_resume()
    # And a second, redundant run of the whole fan-out changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        Newsletter.objects.filter(pk=newsletter.pk).update(fanout_cursor=0, fanout_completed_at=None)
        services.newsletter_fan_out(newsletter_id=newsletter.pk)

    assert recipients() == [f"reader{n:02}@example.com" for n in range(23)]
    assert NewsletterDelivery.objects.count() == 23
    assert Email.objects.filter(kind=Email.Kind.BULK).count() == 23


def test_delivery_killed_half_way_is_finished_by_the_outbox_sweep_without_duplicates(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(12):
        make_subscription(f"reader{n:02}@example.com")
    newsletter = make_newsletter(officer)
    real_deliver_one = outbox_services._deliver_one
    sent = {"n": 0}

    def dies_after_seven(*arguments):
        if sent["n"] == 7:
            raise RuntimeError("worker killed")
        sent["n"] += 1
        return real_deliver_one(*arguments)

    monkeypatch.setattr(outbox_services, "_deliver_one", dies_after_seven)
    send_now(newsletter, officer, django_capture_on_commit_callbacks)  # the crash is logged, the rows stay queued
    assert len(mail.outbox) == 7

    monkeypatch.setattr(outbox_services, "_deliver_one", real_deliver_one)
    Email.objects.update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        outbox_services.outbox_sweep()
        services.newsletter_fan_out(newsletter_id=newsletter.pk)  # a re-run of the fan-out queues nothing new

    assert recipients() == [f"reader{n:02}@example.com" for n in range(12)]


def test_scheduling_then_cancelling(officer, django_capture_on_commit_callbacks, time_machine):
    make_subscription("reader@example.com")
    newsletter = make_newsletter(officer)
    send_at = timezone.now() + timedelta(hours=2)

    services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=send_at, actor=officer)
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SCHEDULED
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletters_resume()
    assert mail.outbox == []  # not due yet

    services.newsletter_cancel(newsletter_id=newsletter.pk, actor=officer)
    time_machine.move_to(send_at + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletters_resume()
    assert mail.outbox == []
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.CANCELLED
    with pytest.raises(services.NewsletterError, match="Only a scheduled newsletter can be cancelled"):
        services.newsletter_cancel(newsletter_id=newsletter.pk, actor=officer)


def test_a_scheduled_newsletter_goes_out_when_due(officer, django_capture_on_commit_callbacks, time_machine):
    make_subscription("reader@example.com")
    newsletter = make_newsletter(officer)
    send_at = timezone.now() + timedelta(hours=2)
    services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=send_at, actor=officer)

    time_machine.move_to(send_at + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletters_resume()
        services.newsletters_resume()

    assert recipients() == ["reader@example.com"]
    with pytest.raises(services.NewsletterError, match="cannot be scheduled again"):
        services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=officer)

"""Who gets an alert by e-mail, in which language, on which queue, and that updates reach the same people."""

from unittest import mock

import pytest
from django.core import mail

from alerts.models import AlertRecipient
from alerts.services import alert_cancel, alert_publish, alert_revision_deliver, alert_update
from outbox.models import Email
from tests.alerts.conftest import make_alert, make_subscription

pytestmark = pytest.mark.django_db


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_publishing_emails_the_areas_alert_subscribers_only_once_each(
    officer, neighbourhood, other_neighbourhood, alert_for_a, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood)
    make_subscription("ben@example.com", neighbourhood, other_neighbourhood)
    make_subscription("cho@example.com", other_neighbourhood)
    make_subscription("dee@example.com", neighbourhood, safety_alerts=False)

    with django_capture_on_commit_callbacks(execute=True):
        revision = alert_publish(actor=officer, alert=alert_for_a)

    assert _recipients() == ["ana@example.com", "ben@example.com"]
    assert mail.outbox[0].subject == "Safety alert: Burglaries on Elm Street"
    assert "Lock doors and windows" in mail.outbox[0].body
    assert alert_for_a.get_absolute_url() in mail.outbox[0].body
    # A second run of the fan-out (a retried task) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        alert_revision_deliver(revision_id=revision.pk)
    assert len(mail.outbox) == 2
    assert Email.objects.filter(idempotency_key__startswith=f"alerts:{revision.identifier}:").count() == 2


def test_each_subscriber_gets_the_alert_in_their_language(
    officer, neighbourhood, alert_for_a, django_capture_on_commit_callbacks
):
    make_subscription("eva@example.com", neighbourhood, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert_for_a)
    assert Email.objects.get(to="eva@example.com").language == "es"


def test_a_city_wide_alert_reaches_every_alert_subscriber(
    officer, neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood)
    make_subscription("cho@example.com", other_neighbourhood)
    alert = make_alert(created_by=officer, city_wide=True)
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)
    assert _recipients() == ["ana@example.com", "cho@example.com"]


def test_updates_and_the_cancellation_reach_the_people_who_got_the_original(
    officer, neighbourhood, alert_for_a, django_capture_on_commit_callbacks
):
    ana = make_subscription("ana@example.com", neighbourhood)
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert_for_a)
    # Ana stops wanting alerts after the first one: she still hears how this one ends.
    ana.wants_safety_alerts = False
    ana.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        alert_update(actor=officer, alert=alert_for_a, changes={"instruction": "Avoid Elm Street tonight."})
    assert _recipients() == ["ana@example.com"]
    assert mail.outbox[0].subject == "Update: Burglaries on Elm Street"
    assert "Avoid Elm Street tonight." in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alert_cancel(actor=officer, alert=alert_for_a, note="The suspect was arrested.")
    assert _recipients() == ["ana@example.com"]
    assert mail.outbox[0].subject == "Cancelled: Burglaries on Elm Street"
    assert "The suspect was arrested." in mail.outbox[0].body
    assert AlertRecipient.objects.filter(alert=alert_for_a).count() == 1


def test_the_fan_out_and_every_delivery_it_enqueues_go_to_the_high_priority_queue(
    officer, neighbourhood, alert_for_a, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood)
    make_subscription("ben@example.com", neighbourhood)
    from alerts.tasks import deliver_alert_revision
    from outbox.tasks import deliver_emails

    with (
        mock.patch.object(deliver_alert_revision, "apply_async", wraps=deliver_alert_revision.apply_async) as fan_out,
        mock.patch.object(deliver_emails, "apply_async", wraps=deliver_emails.apply_async) as deliveries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        alert_publish(actor=officer, alert=alert_for_a)

    assert [call.kwargs["queue"] for call in fan_out.call_args_list] == ["high"]
    assert deliveries.call_args_list
    assert {call.kwargs["queue"] for call in deliveries.call_args_list} == {"high"}
    assert len(mail.outbox) == 2


def test_other_mail_still_goes_to_the_default_queue(django_capture_on_commit_callbacks):
    from outbox.services import email_queue
    from outbox.tasks import deliver_emails

    with (
        mock.patch.object(deliver_emails, "apply_async") as deliveries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        email_queue(to="x@example.com", template="watch/emails/membership_approved", context={}, idempotency_key="k")
    assert "queue" not in deliveries.call_args.kwargs


def test_the_first_e_mails_are_queued_while_the_rest_of_the_area_is_still_being_recorded(
    officer, neighbourhood, alert_for_a, monkeypatch, django_capture_on_commit_callbacks
):
    from alerts import services

    for n in range(12):
        make_subscription(f"resident{n:02}@example.com", neighbourhood)
    monkeypatch.setattr(services, "FANOUT_BATCH_SIZE", 5)
    recorded_when_queued = []
    real_queue_many = services.email_queue_many

    def queue_many(**kwargs):
        recorded_when_queued.append(AlertRecipient.objects.filter(alert=alert_for_a).count())
        return real_queue_many(**kwargs)

    monkeypatch.setattr(services, "email_queue_many", queue_many)
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert_for_a)

    # An area of 20,000 must not wait for all 20,000 to be recorded before the first alert leaves.
    assert recorded_when_queued[0] == 5
    assert sorted(address for message in mail.outbox for address in message.to) == [
        f"resident{n:02}@example.com" for n in range(12)
    ]

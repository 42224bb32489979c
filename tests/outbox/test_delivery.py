import smtplib
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import Email
from outbox.services import email_queue
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def queue_welcome(key="welcome:1", to="alice@example.com"):
    return email_queue(
        to=to,
        template="account/email/email_confirmation_signup",
        context={"activate_url": "https://precinct.example/confirm/abc/"},
        idempotency_key=key,
    )


def test_a_queued_email_is_delivered_after_commit_with_text_and_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_welcome()
        assert mail.outbox == []  # nothing leaves before the transaction commits

    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.attempts == 1
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "Confirm your e-mail address" in message.subject
    assert "https://precinct.example/confirm/abc/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "https://precinct.example/confirm/abc/" in html
    assert "Manage your e-mail preferences" in message.body


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        queue_welcome()
        raise Abort

    assert not Email.objects.exists()
    assert mail.outbox == []


def test_queueing_the_same_idempotency_key_twice_is_a_no_op(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue_welcome()
        second = queue_welcome()

    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert Email.objects.count() == 1
    assert len(mail.outbox) == 1


def test_running_the_delivery_task_twice_for_one_row_sends_one_message():
    email = queue_welcome()

    services.email_deliver_batch(email_ids=[email.pk])
    services.email_deliver_batch(email_ids=[email.pk])

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT and email.attempts == 1


def test_an_smtp_failure_retries_with_backoff_then_fails_with_the_error(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    email = queue_welcome()

    services.email_deliver_batch(email_ids=[email.pk])
    email.refresh_from_db()
    assert email.status == Email.Status.QUEUED
    assert email.attempts == 1
    assert "Connection unexpectedly closed" in email.last_error
    first_retry = email.next_attempt_at
    assert first_retry > timezone.now()

    # Not due yet: the sweep leaves it alone.
    assert services.outbox_sweep() == 0

    with time_machine.travel(first_retry + timedelta(seconds=1)):
        services.email_deliver_batch(email_ids=[email.pk])
    email.refresh_from_db()
    assert email.status == Email.Status.QUEUED and email.attempts == 2
    assert email.next_attempt_at - first_retry > timedelta(minutes=3)  # the delay grows

    services.email_deliver_batch(email_ids=[email.pk])
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.attempts == 3
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at is None


def test_a_template_that_does_not_exist_fails_the_row_at_once():
    email = email_queue(to="alice@example.com", template="nowhere/missing", context={}, idempotency_key="broken")

    services.email_deliver_batch(email_ids=[email.pk])

    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert "Rendering failed" in email.last_error


def test_email_is_rendered_in_the_recipients_language():
    email = email_queue(
        to="ana@example.com",
        template="account/email/email_confirmation_signup",
        context={"activate_url": "https://precinct.example/c/"},
        idempotency_key="es-1",
        language="es",
    )
    message = services.email_render(email)
    assert "List-Unsubscribe" not in message.extra_headers  # a notification, not a list
    assert "https://precinct.example/c/" in message.body


def test_with_the_broker_down_a_request_that_queues_mail_answers_quickly_and_the_sweep_delivers_later(
    client, celery_broker, django_capture_on_commit_callbacks, monkeypatch
):
    celery_broker("redis://127.0.0.1:9/0")  # a closed port
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new.resident@example.com",
                "password1": "a-long-pass-phrase-42",
                "password2": "a-long-pass-phrase-42",
            },
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 2, f"signing up took {elapsed:.1f}s with the broker down"
    email = Email.objects.get(to="new.resident@example.com")
    assert email.status == Email.Status.QUEUED
    assert mail.outbox == []

    # The broker is back (eager mode stands for a worker that receives the task at once).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    with time_machine.travel(timezone.now() + services.sweep_grace("") + timedelta(seconds=1)):
        assert services.outbox_sweep() == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.resident@example.com"]

"""Queueing a fan-out in one statement: each row as email_queue would write it, existing keys left alone."""

import pytest
from django.conf import settings

from outbox import services
from outbox.models import Email

pytestmark = pytest.mark.django_db


def message(n: int, context: dict, **extra) -> dict:
    return {
        "to": f"reader{n}@example.com",
        "template": "newsletters/emails/newsletter",
        "context": context,
        "idempotency_key": f"many:{n}",
        **extra,
    }


def test_each_row_gets_its_own_values_and_the_models_defaults(django_capture_on_commit_callbacks):
    news, other = {"subject": "News"}, {"subject": "Other"}
    with django_capture_on_commit_callbacks():
        ids = services.email_queue_many(
            messages=[
                message(0, news, kind=Email.Kind.BULK, headers={"List-Id": "<newsletter.example>"}),
                message(1, other, language="es"),
                message(2, news, kind=Email.Kind.BULK),
            ],
            queue="high",
        )

    rows = {row.to: row for row in Email.objects.filter(pk__in=ids.values())}
    assert {row.idempotency_key: row.pk for row in rows.values()} == ids
    first, second, third = (rows[f"reader{n}@example.com"] for n in range(3))
    assert first.headers == {"List-Id": "<newsletter.example>"} and third.headers == {}
    assert (first.kind, second.kind, second.language, third.language) == ("bulk", "transactional", "es", "en")
    assert first.context == news and second.context == other and third.context == news
    assert first.sealed == third.sealed != second.sealed  # one sealed token per shared context
    assert all(row.status == Email.Status.QUEUED and (row.attempts, row.last_error) == (0, "") for row in rows.values())
    assert all(row.queue == "high" and not row.forget_recipient and row.sent_at is None for row in rows.values())
    assert all(row.created_at and row.next_attempt_at > row.created_at for row in rows.values())
    assert settings.LANGUAGE_CODE == "en"


def test_keys_queued_before_are_returned_and_not_sent_again(monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        before = services.email_queue_many(messages=[message(0, {"subject": "News"})])
    enqueued = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda ids, *, queue=None: enqueued.extend(ids))

    with django_capture_on_commit_callbacks(execute=True):
        ids = services.email_queue_many(messages=[message(0, {"subject": "Changed"}), message(1, {"subject": "News"})])

    assert ids["many:0"] == before["many:0"]
    assert Email.objects.get(pk=ids["many:0"]).context == {"subject": "News"}  # left alone
    assert enqueued == [ids["many:1"]]

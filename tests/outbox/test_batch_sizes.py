"""A fan-out on the default queue goes out in big batches; urgent mail in small ones, over more processes."""

import pytest

from outbox import services
from outbox.models import Email

pytestmark = pytest.mark.django_db


def queued_batches(monkeypatch, django_capture_on_commit_callbacks, *, count: int, queue: str | None):
    batches = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda ids, *, queue=None: batches.append((len(ids), queue)))
    messages = [
        {
            "to": f"reader{n}@example.com",
            "template": "newsletters/emails/newsletter",
            "context": {"subject": "News", "body_html": "<p>Hi</p>", "body_text": "Hi"},
            "kind": Email.Kind.BULK,
            "idempotency_key": f"size:{queue}:{n}",
        }
        for n in range(count)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.email_queue_many(messages=messages, queue=queue)
    return batches


def test_the_default_queue_gets_batches_of_the_bulk_size(monkeypatch, django_capture_on_commit_callbacks):
    batches = queued_batches(monkeypatch, django_capture_on_commit_callbacks, count=450, queue=None)

    assert batches == [(200, None), (200, None), (50, None)]


def test_an_urgent_queue_gets_small_batches(monkeypatch, django_capture_on_commit_callbacks):
    batches = queued_batches(monkeypatch, django_capture_on_commit_callbacks, count=120, queue="high")

    assert batches == [(50, "high"), (50, "high"), (20, "high")]

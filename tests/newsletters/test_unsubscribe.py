import pytest
from django.core import mail
from django.test import Client

from newsletters.models import ConsentRecord, Subscription
from outbox.models import Email
from outbox.services import email_queue
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db


def send_bulk(captured, to="dora@example.com"):
    with captured(execute=True):
        email_queue(
            to=to,
            template="newsletters/emails/newsletter",
            context={"subject": "Spring news", "body_html": "<p>Hello</p>", "body_text": "Hello"},
            kind=Email.Kind.BULK,
            idempotency_key=f"test:bulk:{to}",
        )
    return mail.outbox[-1] if mail.outbox else None


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    return "/" + header[1:-1].split("/", 3)[3]


def test_bulk_mail_carries_rfc_8058_headers_and_an_unsubscribe_link(django_capture_on_commit_callbacks):
    make_subscription("dora@example.com")
    message = send_bulk(django_capture_on_commit_callbacks)

    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert path.startswith("/newsletters/unsubscribe/")
    assert path in message.body
    assert path in message.alternatives[0][0]
    assert "Unsubscribe" in message.alternatives[0][0]


def test_transactional_mail_has_no_unsubscribe_headers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to="dora@example.com",
            template="account/email/password_reset_key",
            context={"password_reset_url": "https://precinct.example/r/"},
            idempotency_key="test:tx",
        )

    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_one_click_post_without_session_or_csrf_token_unsubscribes(django_capture_on_commit_callbacks):
    subscription = make_subscription("dora@example.com")
    path = unsubscribe_path(send_bulk(django_capture_on_commit_callbacks))
    mail_client = Client(enforce_csrf_checks=True)  # like a mail client: no cookie, no CSRF token

    response = mail_client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    record = subscription.consent_records.get()
    assert record.source == ConsentRecord.Source.UNSUBSCRIBE_LINK
    assert record.changes == {"status": ["active", "unsubscribed"]}
    # Again: still unsubscribed, nothing new recorded.
    assert mail_client.post(path).status_code == 200
    assert subscription.consent_records.count() == 1


def test_get_shows_a_confirmation_page_and_unsubscribes_nobody(anonymous_client, django_capture_on_commit_callbacks):
    subscription = make_subscription("dora@example.com")
    path = unsubscribe_path(send_bulk(django_capture_on_commit_callbacks))

    response = anonymous_client.get(path)

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_tampered_unsubscribe_token_is_refused(anonymous_client, django_capture_on_commit_callbacks):
    subscription = make_subscription("dora@example.com")
    path = unsubscribe_path(send_bulk(django_capture_on_commit_callbacks))
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))

    assert anonymous_client.post(tampered).status_code == 400
    assert anonymous_client.post("/newsletters/unsubscribe/not-a-token/").status_code == 400
    assert anonymous_client.put(path).status_code == 405
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_bulk_mail_queued_before_an_unsubscribe_is_not_sent_after_it(django_capture_on_commit_callbacks):
    make_subscription("dora@example.com", status=Subscription.Status.UNSUBSCRIBED)

    send_bulk(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    email = Email.objects.get()
    assert email.status == Email.Status.FAILED
    assert "not subscribed" in email.last_error

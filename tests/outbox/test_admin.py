import pytest

from outbox.models import Email
from outbox.services import email_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_email():
    email = email_queue(to="alice@example.com", template="nowhere/missing", context={}, idempotency_key="admin-1")
    Email.objects.filter(pk=email.pk).update(status=Email.Status.FAILED, last_error="SMTPServerDisconnected()")
    return email


def test_officers_read_the_outbox_filtered_by_status(desk_client, failed_email):
    email_queue(to="bob@example.com", template="nowhere/other", context={}, idempotency_key="admin-2")

    page = desk_client.get("/admin/outbox/email/?status__exact=failed").content.decode()

    assert "alice@example.com" in page
    assert "bob@example.com" not in page


def test_the_outbox_is_read_only_in_the_admin(desk_client, failed_email):
    url = f"/admin/outbox/email/{failed_email.pk}/change/"
    page = desk_client.get(url)
    assert page.status_code == 200
    assert "SMTPServerDisconnected()" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()

    assert desk_client.post(url, {"to": "mallory@example.com"}).status_code == 403
    assert desk_client.get("/admin/outbox/email/add/").status_code == 403
    assert desk_client.post(f"/admin/outbox/email/{failed_email.pk}/delete/", {"post": "yes"}).status_code == 403
    failed_email.refresh_from_db()
    assert failed_email.to == "alice@example.com"

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
    page = desk_client.get("/admin/outbox/email/")
    assert page.status_code == 200
    assert "SMTPServerDisconnected()" in page.content.decode()  # the list says all there is to say
    assert 'name="_save"' not in page.content.decode()

    url = f"/admin/outbox/email/{failed_email.pk}/change/"
    assert desk_client.post(url, {"to": "mallory@example.com"}).status_code == 404
    assert desk_client.get("/admin/outbox/email/add/").status_code == 404
    assert desk_client.post(f"/admin/outbox/email/{failed_email.pk}/delete/", {"post": "yes"}).status_code == 404
    failed_email.refresh_from_db()
    assert failed_email.to == "alice@example.com"


def test_an_officer_cannot_find_the_ids_of_rows_hidden_from_them(desk_client, tip_reviewer):
    """Rows are numbered in sequence: a hidden row (a reviewer's "new tips" e-mail, a few minutes
    after the hour its tips arrived in) would show as a gap between the ids an officer can see."""
    before = email_queue(to="alice@example.com", template="nowhere/a", context={}, idempotency_key="gap-1")
    hidden = email_queue(to=tip_reviewer.email, template="tips/emails/new_tips", context={}, idempotency_key="gap-2")
    after = email_queue(to="bob@example.com", template="nowhere/b", context={}, idempotency_key="gap-3")

    page = desk_client.get("/admin/outbox/email/").content.decode()
    assert "alice@example.com" in page and "bob@example.com" in page and tip_reviewer.email not in page
    assert "_selected_action" not in page  # no action checkboxes either: their values are ids
    for email in (before, hidden, after):
        assert f"/admin/outbox/email/{email.pk}/" not in page  # no link names a row's id
        for row_page in ("change", "history", "delete"):
            assert desk_client.get(f"/admin/outbox/email/{email.pk}/{row_page}/").status_code == 404
    for lookup in ("id", "pk", "id__gte", "id__in"):
        assert desk_client.get(f"/admin/outbox/email/?{lookup}={before.pk}").status_code == 400

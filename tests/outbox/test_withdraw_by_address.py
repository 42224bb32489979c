"""Queued e-mails can be withdrawn by recipient (a deleted account's), and a row that must forget
its recipient does so however it ends: sent, failed or withdrawn."""

import pytest

from outbox.models import Email
from outbox.services import email_queue, email_withdraw

pytestmark = pytest.mark.django_db


def queue(to: str, key: str, **extra) -> Email:
    return email_queue(to=to, template="account/email/password_changed", context={}, idempotency_key=key, **extra)


def test_withdrawing_by_address_leaves_everyone_else_s_mail(db):
    mine = queue("Alice@Example.com", "one")
    theirs = queue("bob@example.com", "two")
    sent = queue("alice@example.com", "three")
    Email.objects.filter(pk=sent.pk).update(status=Email.Status.SENT)

    assert email_withdraw(to=["alice@example.com"], reason="The account was deleted.") == 1

    statuses = dict(Email.objects.values_list("idempotency_key", "status"))
    assert statuses == {"one": Email.Status.WITHDRAWN, "two": Email.Status.QUEUED, "three": Email.Status.SENT}
    assert Email.objects.get(pk=mine.pk).to == "Alice@Example.com"  # kept: this row did not ask to forget
    assert Email.objects.get(pk=theirs.pk).status == Email.Status.QUEUED


def test_a_withdrawn_row_that_must_forget_its_recipient_does(db):
    email = queue("alice@example.com", "farewell", forget_recipient=True)

    email_withdraw(key_prefix="farewell", reason="test")

    email.refresh_from_db()
    assert (email.status, email.to) == (Email.Status.WITHDRAWN, "")


def test_withdraw_needs_a_prefix_or_addresses(db):
    with pytest.raises(ValueError):
        email_withdraw(reason="everything?")

"""No link that grants access is readable from the outbox: not in the admin, the database or the logs.

An officer without the Tip reviewers role who reads every admin page of the outbox and every
table of the database after a password reset, an e-mail confirmation or a guardian consent
request finds no usable link or key; the e-mail itself carries a link that works.
"""

import logging
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.db import connection

from outbox.models import Email
from tests.conftest import make_user
from tests.programs.conftest import apply_as_minor, make_program

pytestmark = pytest.mark.django_db


def everything_stored() -> str:
    """Every row of every table as text, sessions decoded too: what a dump or a backup holds."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 -- names come from the database itself
            parts.extend(repr(row) for row in cursor.fetchall())
    parts.extend(
        repr(SessionStore().decode(data))
        for data in SessionStore.get_model_class().objects.values_list("session_data", flat=True)
    )
    return "\n".join(parts)


def what_the_officer_reads(desk_client) -> str:
    # The list is all the admin shows of the outbox (no page per row: tests/outbox/test_admin.py).
    response = desk_client.get("/admin/outbox/email/")
    assert response.status_code == 200
    assert all(email.to in response.content.decode() for email in Email.objects.all())
    return response.content.decode()


def assert_nowhere(secrets: list[str], desk_client, caplog) -> None:
    stored, shown = everything_stored(), what_the_officer_reads(desk_client)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in stored
        assert secret not in shown
        assert secret not in logged


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_a_password_reset_link_is_readable_only_in_the_email(
    client, resident, desk_client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks() as delivery:
        client.post("/accounts/password/reset/", {"email": resident.email})
    queued = Email.objects.get(to=resident.email)
    assert queued.status == Email.Status.QUEUED
    assert "password_reset_url" in queued.context  # sealed, not lost: the worker opens it

    for callback in delivery:
        callback()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    key = link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
    assert_nowhere([link, key], desk_client, caplog)
    queued.refresh_from_db()
    assert (queued.status, queued.sealed) == (Email.Status.SENT, "")

    # The link in the e-mail works: it leads to a page that sets a new password.
    response = client.get(path_of(link), follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    response = client.post(form_path, {"password1": "a-brand-new-phrase-91", "password2": "a-brand-new-phrase-91"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("a-brand-new-phrase-91")


def test_an_email_confirmation_link_is_readable_only_in_the_email(
    client, desk_client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    password = "a-long-pass-phrase-42"
    with django_capture_on_commit_callbacks() as delivery:
        client.post(
            "/accounts/signup/", {"email": "new.resident@example.com", "password1": password, "password2": password}
        )
    before_sending = everything_stored()
    for callback in delivery:
        callback()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    key = link.rstrip("/").rsplit("/", 1)[1]
    assert key not in before_sending
    assert_nowhere([link, key, key.rsplit(":", 1)[-1]], desk_client, caplog)

    assert client.post(path_of(link)).status_code == 302
    assert Email.objects.get(to="new.resident@example.com").sealed == ""


def test_a_guardian_consent_link_is_readable_only_in_the_email(desk_client, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    program = make_program(kind="youth", min_age=12, max_age=17)
    with django_capture_on_commit_callbacks() as delivery:
        apply_as_minor(program, make_user("young.applicant@example.com"))
    before_sending = everything_stored()
    for callback in delivery:
        callback()
    message = next(message for message in mail.outbox if message.to == ["pat@example.com"])
    link = re.search(r"https?://\S+/programs/consent/\S+/", message.body).group(0)
    signature = link.rstrip("/").rsplit(":", 1)[1]
    assert signature not in before_sending
    assert_nowhere([link, signature], desk_client, caplog)

    from django.test import Client

    page = Client().get(path_of(link))
    assert page.status_code == 200
    assert "consent" in page.content.decode().lower()

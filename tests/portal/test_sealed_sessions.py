"""Sessions are sealed at rest: the key of an opened password-reset link, which allauth keeps in the
session until the new password is set, is not readable in the session table, a backup or Redis."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.signing import JSONSerializer, dumps
from django.urls import reverse

from portal.sessions import SessionStore
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_opened_reset_links_key_is_not_readable_at_rest(client, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": resident.email})
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", message.body).group(1)
    key = link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]

    # Opening the link puts its key in the session and sends the browser to a page without it.
    assert client.get(link).status_code == 302
    session_key = client.cookies["sessionid"].value
    stored = Session.objects.get(session_key=session_key).session_data
    assert key not in stored
    assert key not in str(cache.get(SessionStore.cache_key_prefix + session_key))
    assert key in SessionStore(session_key).load().values()  # It is there, sealed.

    # The flow still works: the new password is set from the page without the key.
    set_password = link.replace(key, "set-password")
    assert client.get(set_password).status_code == 200
    new = "another-long-phrase-77"
    response = client.post(set_password, {"password1": new, "password2": new})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(new)


def test_a_session_saved_before_sealing_still_opens(client, resident):
    client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})
    session_key = client.cookies["sessionid"].value
    data = SessionStore(session_key).load()
    signed_only = dumps(data, salt="django.contrib.sessions.SessionStore", serializer=JSONSerializer, compress=True)
    Session.objects.filter(session_key=session_key).update(session_data=signed_only)
    cache.delete(SessionStore.cache_key_prefix + session_key)
    assert client.get(reverse("accounts:profile")).status_code == 200

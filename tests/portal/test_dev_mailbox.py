"""In development the e-mails the portal sent are kept in a mailbox under var/mail/ and shown at
/dev/emails/, newest first, each with its text (links clickable) and its sandboxed HTML; in
production the pages do not exist."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import clear_url_caches, reverse

import portal.urls
from portal import dev_mailbox
from tests.conftest import PASSWORD
from tests.portal.test_settings import GOOD_PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def debug_urls(settings):
    """A local run's URLs: pytest-django turns DEBUG off before portal/urls.py is first read."""
    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


@pytest.fixture
def mailbox(db, settings, tmp_path, debug_urls):
    settings.EMAIL_BACKEND = "portal.dev_mailbox.DevMailboxBackend"
    settings.DEV_MAILBOX_DIR = tmp_path / "mail"
    return tmp_path / "mail"


def send(subject: str, *, to="alice@example.com", text="Hello", html=None) -> None:
    message = mail.EmailMultiAlternatives(subject, text, to=[to])
    if html is not None:
        message.attach_alternative(html, "text/html")
    message.send()


def test_each_sent_message_is_a_file_and_one_console_line_says_where_to_read_it(mailbox, caplog):
    caplog.set_level("INFO", logger="portal.dev_mailbox")
    send("Confirm your address", text="Open http://127.0.0.1:8000/accounts/confirm-email/secret-key/")

    [path] = mailbox.glob("*.eml")
    assert b"Subject: Confirm your address" in path.read_bytes()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert oct(mailbox.stat().st_mode & 0o777) == oct(0o700)
    [line] = [record.getMessage() for record in caplog.records if record.name == "portal.dev_mailbox"]
    assert (
        line
        == f"E-mail to alice@example.com 'Confirm your address': open http://127.0.0.1:8000/dev/emails/{path.stem}/"
    )
    # The message's links stay out of the log.
    assert "secret-key" not in caplog.text


def test_the_mailbox_keeps_only_the_newest_messages(mailbox, settings):
    settings.DEV_MAILBOX_KEEP = 3
    for number in range(5):
        send(f"Message {number}")
    assert [entry.subject for entry in dev_mailbox.list_messages()] == ["Message 4", "Message 3", "Message 2"]
    assert len(list(mailbox.iterdir())) == 3  # no temporary file left behind


def test_the_page_lists_sent_emails_newest_first_and_opens_one_with_its_link(client, mailbox):
    send("Older news", to="bob@example.com")
    send(
        "Confirm your address",
        text="Confirm it here: http://testserver/accounts/confirm-email/abc123/\nThanks",
        html='<html><head></head><body><p style="color: red">Confirm <a href="http://testserver/accounts/confirm-email/abc123/">here</a></p></body></html>',
    )

    listing = client.get(reverse("dev:email-list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert page.index("Confirm your address") < page.index("Older news")
    assert "alice@example.com" in page and "bob@example.com" in page
    [newest, _] = dev_mailbox.list_messages()

    detail = client.get(reverse("dev:email-detail", args=[newest.id])).content.decode()
    # The text part's link is a link: one click to confirm.
    assert re.search(r'<a href="http://testserver/accounts/confirm-email/abc123/"[^>]*>', detail)
    html_url = reverse("dev:email-html", args=[newest.id])
    assert f'src="{html_url}"' in detail
    assert re.search(r"<iframe[^>]+sandbox=\"[^\"]*\"", detail)
    assert "allow-scripts" not in detail and "allow-same-origin" not in detail

    html = client.get(html_url)
    assert html.status_code == 200
    assert '<base target="_top"><' in html.content.decode()
    assert 'href="http://testserver/accounts/confirm-email/abc123/"' in html.content.decode()
    csp = html["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert html["X-Frame-Options"] == "SAMEORIGIN"


def test_the_verification_email_of_a_new_user_is_one_click_away(client, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"), {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD}
        )
    assert response.status_code == 302
    [entry] = dev_mailbox.list_messages()
    assert entry.to == "newcomer@example.com"
    detail = client.get(reverse("dev:email-detail", args=[entry.id])).content.decode()
    [link] = re.findall(r'<a href="(http://[^"]+/accounts/confirm-email/[^"]+)"', detail)
    assert client.get(urlsplit(link).path).status_code == 200


def test_a_message_without_html_says_so_and_has_no_html_page(client, mailbox):
    send("Plain only")
    [entry] = dev_mailbox.list_messages()
    assert "This e-mail has no HTML part." in client.get(reverse("dev:email-detail", args=[entry.id])).content.decode()
    assert client.get(reverse("dev:email-html", args=[entry.id])).status_code == 404


@pytest.mark.parametrize(
    "message_id",
    ["..", "...eml", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "20261201T045812123456Z-1a2b3c4d.eml", "secret", "x" * 300],
)
def test_an_id_that_is_not_a_mailbox_message_is_refused(client, mailbox, tmp_path, message_id):
    send("Inside the mailbox")
    # A well-formed .eml beside the mailbox must stay out of reach.
    (tmp_path / "secret.eml").write_text("Subject: outside\n\nnot for the page")
    for name in ("email-detail", "email-html"):
        response = client.get(f"/dev/emails/{message_id}/" + ("html/" if name == "email-html" else ""))
        assert response.status_code == 404, (name, message_id)
    assert dev_mailbox.read_message("../secret") is None
    assert dev_mailbox.read_message("20261201T045812123456Z-1a2b3c4d") is None  # well-formed, absent


def test_the_pages_are_a_404_when_debug_is_off(client, mailbox, settings):
    send("Confirm your address")
    [entry] = dev_mailbox.list_messages()
    settings.DEBUG = False
    for url in (
        reverse("dev:email-list"),
        reverse("dev:email-detail", args=[entry.id]),
        reverse("dev:email-html", args=[entry.id]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_page_says_when_emails_go_elsewhere(client, mailbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert "E-mails do not come to this mailbox" in client.get(reverse("dev:email-list")).content.decode()


def _settings_in_a_fresh_interpreter(code: str, env_overrides: dict) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "EMAIL_")) and k not in {"DEBUG", "SECRET_KEY"}
    }
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_do_not_even_route_the_pages():
    code = (
        "from django.urls import Resolver404, resolve\n"
        "try:\n resolve('/dev/emails/'); print('routed')\nexcept Resolver404:\n print('not routed')\n"
        "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    )
    out = _settings_in_a_fresh_interpreter(f"exec({code!r})", GOOD_PRODUCTION_ENV)
    assert out.splitlines() == ["not routed", "django.core.mail.backends.console.EmailBackend"]


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"DEBUG": "true"}, "portal.dev_mailbox.DevMailboxBackend"),
        ({"DEBUG": "true", "EMAIL_HOST": "mail.example.org"}, "django.core.mail.backends.console.EmailBackend"),
        (
            {"DEBUG": "true", "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
            "django.core.mail.backends.smtp.EmailBackend",
        ),
    ],
)
def test_a_local_run_without_a_mail_server_uses_the_mailbox(env, backend, tmp_path):
    env = {**env, "PRECINCT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    out = _settings_in_a_fresh_interpreter(
        "from django.conf import settings; print(settings.EMAIL_BACKEND); print(settings.DEV_MAILBOX_DIR)", env
    )
    assert out.splitlines() == [backend, str(tmp_path / "mail")]

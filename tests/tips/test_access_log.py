"""Gunicorn, as deploy/gunicorn.conf.py runs it, writes no line about a tip page, its assets or its errors."""

import datetime
import logging
import os
import re
import runpy
import secrets
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from gunicorn.config import Config

from tests.helpers import database_url_of_the_test_database, free_port, wait_for
from tests.production.test_deployment import TEST_ONLY_VARIABLES
from tests.tips.conftest import TIPSTER_ADDRESS, TIPSTER_AGENT

ROOT = Path(settings.BASE_DIR)
RESIDENT_AGENT = "Mozilla/5.0 (ResidentTestBrowser; agent-41c2)"


def project_logger(records: list):
    config = Config()
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config.set("logger_class", conf["logger_class"])
    config.set("accesslog", "-")
    logger = config.logger_class(config)
    handler = logging.Handler()
    handler.emit = records.append
    logger.access_log.addHandler(handler)
    logger.error_log.addHandler(handler)
    return logger


def access_lines(path: str, *, environ_path: bool = True, referrer: str = "https://elsewhere.example/") -> list[str]:
    records = []
    logger = project_logger(records)
    raw_uri = path
    environ = {
        "REMOTE_ADDR": TIPSTER_ADDRESS,
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "QUERY_STRING": raw_uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referrer,
        "HTTP_USER_AGENT": TIPSTER_AGENT,
    }
    if environ_path:  # gunicorn's error path (handle_error) builds an environ without PATH_INFO
        environ["PATH_INFO"] = raw_uri.partition("?")[0]
    request = SimpleNamespace(headers=[("USER-AGENT", TIPSTER_AGENT), ("REFERER", referrer)])
    response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/html")], sent=120)
    logger.access(response, request, environ, datetime.timedelta(seconds=0, microseconds=1500))
    return [record.getMessage() for record in records]


@pytest.mark.parametrize(
    "path",
    ["/tips/", "/tips", "/tips/follow-up/", "/tips/?x=1", "/TIPS/", "//tips/", "/%74ips/", "/tips/nowhere/"],
)
def test_tip_pages_leave_no_access_line(path):
    assert access_lines(path) == []
    assert access_lines(path, environ_path=False) == []


@pytest.mark.parametrize("path", ["/static/css/precinct.abc123.css", "/static/img/favicon.svg", "/favicon.ico"])
def test_assets_a_tip_page_loads_leave_no_access_line(path):
    assert access_lines(path) == []


def test_other_requests_keep_the_usual_access_log():
    [line] = access_lines("/meetings/")
    assert TIPSTER_ADDRESS in line and "TipsterTestBrowser" in line and "GET /meetings/ HTTP/1.1" in line


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        ("/programs/consent/Z3VhcmRpYW5AZXhhbXBsZS5vcmc:1tXyZ:abcdef/", "Z3VhcmRpYW5AZXhhbXBsZS5vcmc"),
        ("/accounts/password/reset/key/4-cd3f9a-0123456789abcdef/", "0123456789abcdef"),
        ("/accounts/confirm-email/MQ:1tQk2b:Xq8sKeyPart/", "Xq8sKeyPart"),
        ("/newsletters/confirm/c2VjcmV0LXN1Yg/", "c2VjcmV0LXN1Yg"),
        ("/newsletters/preferences/cHJlZnMtdG9rZW4/", "cHJlZnMtdG9rZW4"),
        ("/newsletters/unsubscribe/dW5zdWItdG9rZW4/", "dW5zdWItdG9rZW4"),
        ("/accounts/login/?next=%2Fprograms%2Fconsent%2FbmV4dC10b2tlbg%2F", "bmV4dC10b2tlbg"),
    ],
)
def test_secret_links_are_logged_without_their_secret(path, secret):
    [line] = access_lines(path, referrer=f"https://safety.example{path}")
    assert secret not in line
    assert "[secret]" in line


def test_gunicorns_warning_about_a_malformed_request_is_debug_only_and_names_no_address():
    records = []
    logger = project_logger(records)
    logger.error_log.setLevel(logging.DEBUG)
    logger.warning(f"Invalid request from ip={TIPSTER_ADDRESS}: Invalid HTTP Header: 'Bad[Header'")
    logger.warning(f"Invalid request from ip={TIPSTER_ADDRESS}: Invalid Request Line 'GET /tips/ HTTP/1.1 x'")
    [record] = records
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == "Invalid request: Invalid HTTP Header: 'Bad[Header'"


def test_gunicorns_error_on_a_tip_request_names_no_path():
    records = []
    logger = project_logger(records)
    try:
        raise OSError("broken pipe")
    except OSError:
        logger.exception("Error handling request %s %s", "POST", "/tips/follow-up/send/")
        logger.exception("Error handling request %s %s", "GET", "/newsletters/unsubscribe/dW5zdWI/")
    tip_error, other_error = (record.getMessage() for record in records)
    assert "/tips" not in tip_error and tip_error.startswith("Error handling request")
    assert other_error == "Error handling request GET /newsletters/unsubscribe/[secret]/"


# --- The real thing: gunicorn with the project's configuration and production settings --------


@pytest.fixture
def logged_server(tmp_path):
    """gunicorn -c deploy/gunicorn.conf.py portal.wsgi, production settings, its output in two files."""
    env = {key: value for key, value in os.environ.items() if key not in {*TEST_ONLY_VARIABLES, "DATABASE_URL"}}
    port = free_port()
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        TIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=database_url_of_the_test_database(),
        PRECINCT_VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="portal.settings",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        LOG_LEVEL="info",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers=1", "portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: _answers(base + "/health/live"), 30, "gunicorn did not start")
            yield SimpleNamespace(base=base, port=port, logs=lambda: out.read_text() + err.read_text())
        finally:
            server.terminate()
            server.wait(30)


def _answers(url: str) -> bool:
    try:
        return _status(url) == 200
    except OSError:
        return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _status(url: str, *, data: bytes | None = None, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _fetch(url: str, headers: dict) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.read().decode()


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        return sock.recv(4096)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_browser_visit_to_the_tip_pages_leaves_no_line_in_gunicorns_logs(logged_server):
    base = logged_server.base
    tipster = {"User-Agent": TIPSTER_AGENT, "Referer": "https://search.example/?q=tip", "Accept": "text/html"}

    # Typed without the slash, redirected, then the page and every asset it links to.
    assert _status(base + "/tips", headers=tipster) == 301
    page = _fetch(base + "/tips/", tipster)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(asset.endswith(".css") for asset in assets) and any("favicon" in asset for asset in assets)
    for asset in assets:
        assert _status(base + asset, headers={**tipster, "Referer": base + "/tips/"}) == 200
    _status(base + "/favicon.ico", headers=tipster)
    # The follow-up page, a form sent with mistakes, a page that does not exist, a malformed request.
    assert _status(base + "/tips/follow-up/", headers=tipster) == 200
    _status(base + "/tips/", data=b"what=tip-text-marker-8830", headers=tipster)
    assert _status(base + "/tips/nowhere/", headers=tipster) == 404
    assert _raw(logged_server.port, b"GET /tips/ HTTP/1.1\r\nHost: 127.0.0.1\r\nBad[Header: x\r\n\r\n").startswith(
        b"HTTP/1.1 400"
    )
    # Then the same browser elsewhere on the site, and a guardian's consent link.
    resident = {"User-Agent": RESIDENT_AGENT}
    assert _status(base + "/meetings/", headers=resident) == 200
    _status(base + "/programs/consent/Z3VhcmRpYW5AZXhhbXBsZS5vcmc:1tXyZ:consentsecret/", headers=resident)

    # The access line is written just after the answer is sent: wait for the last request's.
    wait_for(lambda: "GET /programs/consent/" in logged_server.logs(), 10, "the last request was not logged")
    logs = logged_server.logs()
    lines = logs.splitlines()
    for marker in ("/tips", "/static/", "favicon", "TipsterTestBrowser", "search.example", "tip-text-marker"):
        assert not [line for line in lines if marker in line], f"{marker!r} in gunicorn's output:\n{logs}"
    assert not [line for line in lines if "ip=127.0.0.1" in line or "Invalid request" in line], logs
    # Other pages are logged as before, consent links without their token.
    assert [line for line in lines if "GET /meetings/ HTTP/1.1" in line and "ResidentTestBrowser" in line], logs
    assert "consentsecret" not in logs and "Z3VhcmRpYW5" not in logs
    assert [line for line in lines if "GET /programs/consent/[secret]/ HTTP/1.1" in line], logs

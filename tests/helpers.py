"""Helpers that tests import (fixtures live in conftest.py)."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import PASSWORD


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in blocking
    )
    assert not blocking, f"axe found serious/critical violations on {page.url}:\n{report}"


def log_in_in_browser(page, user) -> None:
    """Sign ``user`` in through the login form, as a resident does, and wait until it lets them past."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(message)


def database_url_of_the_test_database() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class StallingSmtpSink:
    """An aiosmtpd handler that records the recipients it accepts, each after ``pause`` seconds, and
    the first time it sees ``stall_for`` never answers: the worker is killed while it waits."""

    def __init__(self, stall_for: str, *, pause: float = 0):
        self.stall_for = stall_for
        self.pause = pause
        self.accepted: list[str] = []
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        recipient = envelope.rcpt_tos[0]
        if recipient == self.stall_for and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(300)
            return "451 Try again later"
        await asyncio.sleep(self.pause)
        self.accepted.append(recipient)
        return "250 Message accepted for delivery"


def start_worker(
    *, queues: list[str], smtp_port: int, env: dict[str, str] | None = None, broker_options: dict | None = None
) -> subprocess.Popen:
    """A real Celery worker (one process) on the test database and ``queues``, sending through the SMTP
    server at ``smtp_port``; in a session of its own, so a test can SIGKILL its process group.
    ``env`` adds settings; ``broker_options`` are merged into the broker's transport options."""
    worker_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    worker_env.update(
        DEBUG="true",
        DATABASE_URL=database_url_of_the_test_database(),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DJANGO_SETTINGS_MODULE="portal.settings",
        **(env or {}),
    )
    script = (
        "from portal.celery import app; "
        f"app.conf.broker_transport_options = {{**app.conf.broker_transport_options, **{broker_options or {}!r}}}; "
        "from portal.worker import main; "  # as deployed (Procfile)
        f"main(['--queues={','.join(queues)}', '--concurrency=1', '--loglevel=WARNING', "
        "'--without-gossip', '--without-mingle', '--without-heartbeat'])"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class CommandsAsSendmail:
    """For a stand-in for smtplib.SMTP that has a ``sendmail``: the MAIL, RCPT and DATA commands
    outbox.smtp.sendmail sends (as smtplib's sendmail does), passed on to it as one call."""

    does_esmtp = False

    def ehlo_or_helo_if_needed(self):
        pass

    def docmd(self, command, argument=""):
        address = argument.split(":", 1)[1].removeprefix("<").removesuffix(">")
        if command == "mail":
            self.envelope = (address, [])
        elif command == "rcpt":
            self.envelope[1].append(address)
        return 250, b"OK"

    def data(self, message):
        self.sendmail(*self.envelope, message)
        return 250, b"OK"

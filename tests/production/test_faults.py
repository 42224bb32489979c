"""What the portal does when Redis, PostgreSQL or a worker fails under it."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from outbox.models import Email
from outbox.services import claim_lease, email_deliver_batch, email_queue, outbox_sweep
from tests.helpers import StallingSmtpSink, database_url_of_the_test_database, free_port, start_worker, wait_for
from tests.production.test_deployment import TEST_ONLY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port: refused at once


# --- Redis unreachable ---------------------------------------------------------------------


@pytest.fixture
def redis_down(celery_broker):
    """Cache and broker both point at a port where no Redis answers."""
    unreachable_cache = {
        "default": {
            "BACKEND": "portal.cache_backend.ResilientRedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    celery_broker(CLOSED_PORT_REDIS)
    with override_settings(CACHES=unreachable_cache):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/meetings/", "/programs/", "/alerts/", "/tips/", "/accounts/login/"])
def test_with_redis_down_public_pages_still_render_quickly(client, redis_down, url):
    started = time.monotonic()
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_with_redis_down_a_residents_pages_still_render(client, resident, redis_down):
    client.force_login(resident)
    assert client.get("/me/profile/").status_code == 200
    assert client.get("/programs/mine/").status_code == 200


@pytest.mark.django_db
def test_with_redis_down_an_email_waits_in_the_outbox(redis_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_queue(
            to="new.resident@example.com",
            template="account/email/password_reset_key",
            context={"password_reset_url": "https://precinct.example/reset/"},
            idempotency_key="fault-test:redis-down",
        )
    email = Email.objects.get(to="new.resident@example.com")
    assert email.status == Email.Status.QUEUED
    assert mail.outbox == []


@pytest.mark.django_db
def test_with_redis_down_sign_up_is_refused_by_its_rate_limit_not_let_through(client, redis_down):
    # The rate limit cannot count without Redis, so it fails closed (portal/cache_backend.py).
    response = client.post(
        "/accounts/signup/",
        {"email": "new.resident@example.com", "password1": "lantern-orchard-42", "password2": "lantern-orchard-42"},
    )
    assert response.status_code == 429
    assert not Email.objects.filter(to="new.resident@example.com").exists()


@pytest.mark.django_db
def test_with_redis_down_the_cache_answers_as_empty_without_waiting(redis_down, caplog):
    from django.core.cache import cache

    started = time.monotonic()
    cache.set("key", "value")
    assert cache.get("key") is None
    assert cache.get_many(["a", "b"]) == {}
    # Nothing is kept, and "add" fails: the checks built on it (rate limits, used codes) fail closed.
    assert cache.add("key", "value") is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert time.monotonic() - started < 2
    assert "Redis cache unavailable" in caplog.text


# --- PostgreSQL drops the portal's connection ----------------------------------------------


def terminate_other_connections() -> int:
    """End every connection to this test database but the test's own (no other database is touched)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def other_connection_pids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def production_server(tmp_path):
    """gunicorn with production settings on the test database: connections live between requests."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {*TEST_ONLY_VARIABLES, "DATABASE_URL"}}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        TIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=database_url_of_the_test_database(),
        PRECINCT_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers=1", "portal.wsgi"]
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base + "/health/live"), 30, "gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(30)


def _answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_postgresql_drops_its_connections_the_next_request_succeeds(production_server):
    assert get(production_server + "/health/ready")[0] == 200
    before = other_connection_pids()
    assert before, "the server kept no database connection between requests"

    # What a PostgreSQL restart does to the portal: its open connection is gone.
    terminated = terminate_other_connections()
    assert terminated == len(before)

    status, body = get(production_server + "/health/ready")
    assert status == 200, body
    assert b'"database": "ok"' in body
    after = other_connection_pids()
    assert after and not after & before  # a new connection replaced the dead one
    assert get(production_server + "/meetings/feed.ics")[0] == 200  # reads meetings, links no static file


# --- A worker killed in the middle of a delivery -------------------------------------------

# A short visibility timeout, and a sweep for such tasks every second (kombu's default: on start-up,
# then every 100 s), so what the killed worker held comes back within seconds, not an hour.
REDELIVER_SOON = {"visibility_timeout": 3, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_and_duplicates_nothing(settings, celery_broker):
    queue = f"fault-test-{uuid.uuid4().hex}"
    celery_broker(settings.REDIS_URL, default_queue=queue)
    recipients = [f"resident{n}@example.com" for n in range(5)]
    sink = StallingSmtpSink(stall_for=recipients[2])
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    workers = []
    try:
        with transaction.atomic():  # queued together; each row is handed to the worker as a task of its own
            for recipient in recipients:
                email_queue(
                    to=recipient,
                    template="account/email/password_reset_key",
                    context={"password_reset_url": "https://precinct.example/reset/"},
                    idempotency_key=f"fault-test:{queue}:{recipient}",
                )
        assert Email.objects.count() == 5

        workers.append(start_worker(queues=[queue], smtp_port=controller.port, broker_options=REDELIVER_SOON))
        wait_for(sink.stalled.is_set, 60, "the first worker never reached the third e-mail")
        assert sink.accepted == recipients[:2]
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(10)

        workers.append(start_worker(queues=[queue], smtp_port=controller.port, broker_options=REDELIVER_SOON))
        # The new worker takes the tasks still in the queue; the killed worker's own task is held
        # by Redis until its visibility timeout, and its row stays claimed until the lease runs out.
        wait_for(
            lambda: Email.objects.filter(status=Email.Status.SENT).count() == 4,
            60,
            "the new worker did not deliver the e-mails still queued",
        )
        stalled = Email.objects.get(to=recipients[2])
        assert (stalled.status, stalled.attempts) == (Email.Status.SENDING, 0)
        # Beat's outbox sweep takes the row back once the dead worker's lease has run out.
        with time_machine.travel(timezone.now() + claim_lease() + timedelta(seconds=1), tick=True):
            assert outbox_sweep() == 1
        wait_for(
            lambda: not Email.objects.exclude(status=Email.Status.SENT).exists(),
            60,
            "the e-mail the killed worker held was never delivered",
        )
        # When Redis finally redelivers the killed worker's task, it finds nothing left to send.
        assert email_deliver_batch(email_ids=[stalled.pk]) == {"sent": 0, "failed": 0, "retrying": 0, "skipped": 1}
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        controller.stop()

    assert sorted(sink.accepted) == recipients  # each exactly once: none lost, none twice
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}
    # Two attempts: the one its killed worker's lease stood for, and the delivery.
    assert list(Email.objects.filter(to=recipients[2]).values_list("attempts", flat=True)) == [2]
    assert mail.outbox == []  # every message went through the SMTP sink, none through this process

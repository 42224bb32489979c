"""The production way to run Precinct: health probes, static files, deploy checks, process files."""

import configparser
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import OperationalError, connections
from django.test import override_settings

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
# Set for the test run (the browser fixture allows sync ORM calls beside Playwright), never in a deployment.
TEST_ONLY_VARIABLES = {"DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What a city's IT team sets: no DEBUG, a real secret, its host names (docs/deploy.md)."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="safety.riverton.example",
        SITE_URL="https://safety.riverton.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        PRECINCT_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="portal.settings",
        TIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    env.update(extra)
    return env


# --- Health probes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_liveness_touches_neither_database_nor_broker(client, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: pytest.fail("liveness used the broker"))
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_is_ok_when_database_and_broker_answer(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readiness_is_503_when_the_broker_is_down(client, monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"socket_connect_timeout": 1})
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_readiness_is_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    # On the class: the check runs in a thread of its own, with that thread's connection.
    monkeypatch.setattr(type(connections["default"]), "cursor", refuse)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.parametrize("url", ["/health/live", "/health/ready"])
def test_health_probes_only_answer_get(client, url):
    assert client.post(url).status_code == 405


# --- Static files -------------------------------------------------------------------------


@pytest.mark.django_db
def test_static_files_are_hashed_compressed_and_cached_for_a_year(client, tmp_path):
    manifest_storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=manifest_storage, DEBUG=False, WHITENOISE_MAX_AGE=31536000):
        call_command("collectstatic", interactive=False, verbosity=0)
        stylesheets = sorted(path.name for path in (tmp_path / "css").glob("precinct.*.css"))
        assert stylesheets, "collectstatic wrote no hashed stylesheet"
        assert (tmp_path / "css" / f"{stylesheets[0]}.gz").exists()

        page = client.get("/").content.decode()
        hashed_url = f"/static/css/{stylesheets[0]}"
        assert hashed_url in page

        response = client.get(hashed_url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        # The unhashed name is still served, but only briefly cached: it changes with each release.
        plain = client.get("/static/css/precinct.css")
        assert plain.status_code == 200
        assert "immutable" not in plain["Cache-Control"]


# --- Deploy checks and process files -------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", "", "SECRET_KEY must be set"),
        ("SECRET_KEY", "too-short", "at least 50 characters"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS must list"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, variable, value, message):
    env = production_environment(tmp_path)
    env[variable] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_alerts_go_to_the_high_queue_and_everything_else_to_default():
    def queue_of(name: str) -> str:
        return celery_app.amqp.router.route({}, name, args=(), kwargs={})["queue"].name

    assert queue_of("alerts.tasks.deliver_alert_revision") == "high"
    assert queue_of("outbox.tasks.deliver_emails") == "default"


def test_docker_compose_runs_every_process_once_beat_exactly_once():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker-default", "worker-high", "beat", "postgres", "redis"} <= set(services)
    commands = {name: " ".join(service.get("command", [])) for name, service in services.items()}
    assert "gunicorn" in commands["web"]
    assert "--queues=default" in commands["worker-default"]
    assert "--queues=high" in commands["worker-high"]
    assert [name for name, command in commands.items() if " beat" in command] == ["beat"]
    for name in ("web", "worker-default", "worker-high", "beat", "migrate"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert services[name]["env_file"] == ".env"
    assert services["postgres"]["healthcheck"]
    # Only cached pages may be evicted, never queued tasks.
    assert "volatile-lru" in services["redis"]["command"]


def test_procfile_declares_web_both_workers_and_one_beat():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and ":" in line
    )
    assert "gunicorn" in processes["web"]
    assert "--queues=default" in processes["worker"]
    assert "--queues=high" in processes["worker_high"]
    assert sum(" beat" in command for command in processes.values()) == 1


def test_systemd_units_parse_and_run_the_right_commands():
    units = {}
    for path in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read_string(path.read_text())
        units[path.name] = parser
    assert set(units) == {"precinct-web.service", "precinct-worker@.service", "precinct-beat.service"}
    for unit in units.values():
        assert unit["Service"]["EnvironmentFile"] == "/etc/precinct/precinct.env"
        assert unit["Service"]["User"] == "precinct"
    assert "gunicorn" in units["precinct-web.service"]["Service"]["ExecStart"]
    assert "--queues=%i" in units["precinct-worker@.service"]["Service"]["ExecStart"]
    assert "--concurrency=${WORKER_CONCURRENCY}" in units["precinct-worker@.service"]["Service"]["ExecStart"]
    # The high queue's worker runs 4 processes, the default worker yields the CPU to it.
    drop_ins = {}
    for path in sorted((ROOT / "deploy" / "systemd").glob("*.service.d/*.conf")):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read_string(path.read_text())
        drop_ins[path.parent.name] = parser["Service"]
    assert drop_ins["precinct-worker@high.service.d"]["Environment"] == "WORKER_CONCURRENCY=4"
    assert drop_ins["precinct-worker@default.service.d"]["Nice"] == "10"
    assert " beat " in units["precinct-beat.service"]["Service"]["ExecStart"]

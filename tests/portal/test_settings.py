"""Configuration comes from the environment; bad production settings stop start-up by name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import database_from_url, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "9f8e7d6c5b4a3210zyxwvutsrqponm",
    "ALLOWED_HOSTS": "precinct.example.org",
    "SITE_URL": "https://precinct.example.org",
    "DATABASE_URL": "sqlite:////tmp/precinct-settings-test.sqlite3",
    # A fixed, valid Fernet key (tests only): production requires one for the tip line.
    "TIP_ENCRYPTION_KEYS": "Pr3zUq8yS1a7mYjX4dVvJk2bN0cHwE6tLfGi9oRsQpA=",
}


def start_up(**overrides) -> subprocess.CompletedProcess:
    """Load the production settings in a fresh interpreter, as gunicorn or celery would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(GOOD_PRODUCTION_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_good_production_settings_start():
    result = start_up()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://db/precinct"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"TIME_ZONE": "Mars/Olympus_Mons"}, "TIME_ZONE"),
        ({"SITE_URL": "precinct.example.org"}, "SITE_URL"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS"),
    ],
)
def test_bad_or_missing_production_settings_stop_start_up_naming_the_variable(overrides, named):
    result = start_up(**overrides)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and named in last_line, result.stderr[-800:]


def test_env_helpers_parse_types_and_name_the_variable(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "12")
    monkeypatch.setenv("HOSTS", "a.example, b.example ,")
    assert env_bool("FLAG", False) is True
    assert env_int("COUNT", 0) == 12
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    assert env_int("UNSET_COUNT", 7) == 7
    monkeypatch.setenv("COUNT", "12.5")
    with pytest.raises(ImproperlyConfigured, match="COUNT"):
        env_int("COUNT", 0)


def test_database_urls_for_postgres_and_sqlite():
    postgres = database_from_url("DATABASE_URL", "postgres://precinct:s%40cret@db.internal:6543/portal?sslmode=require")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["NAME"], postgres["USER"], postgres["PASSWORD"]) == ("portal", "precinct", "s@cret")
    assert (postgres["HOST"], postgres["PORT"], postgres["OPTIONS"]) == ("db.internal", "6543", {"sslmode": "require"})
    sqlite = database_from_url("DATABASE_URL", "sqlite:////var/lib/precinct/db.sqlite3")
    assert sqlite == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/var/lib/precinct/db.sqlite3"}
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url("DATABASE_URL", "postgres://db.internal/")


def run_manage(*args, **overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"} and not k.startswith("DJANGO_")}
    env.update(overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_manage_py_in_a_bare_checkout_takes_development_defaults():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        DATABASE_URL="sqlite:////tmp/precinct-manage-test.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_manage_py_with_a_secret_key_keeps_production_settings_and_their_checks():
    result = run_manage("check", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr

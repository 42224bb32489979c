"""A Celery worker loads only what sending needs, and its pool shares what the main process loaded."""

import gc
import os
import subprocess
import sys
from pathlib import Path

from portal import celery

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter, as a worker process starts: nothing this suite loaded."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


LOADED_BY_A_WORKER = """
import sys
import django
django.setup()
from django.urls import get_resolver
from portal.celery import app
app.loader.import_default_modules()
get_resolver().reverse_dict  # the outbox reverses URLs, which imports every app's views
print(" ".join(name for name in ("reportlab", "icalendar", "PIL") if name in sys.modules))
"""


def test_a_worker_does_not_import_the_pdf_and_calendar_libraries():
    result = run_python(LOADED_BY_A_WORKER)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""  # each costs every process ~10 MB; loaded only to draw a document


def test_the_worker_freezes_what_its_pool_inherits_before_forking():
    gc.unfreeze()  # a worker started in this process by an earlier test froze it already
    assert gc.get_freeze_count() == 0
    try:
        celery._freeze_what_the_pool_inherits(sender=None)

        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


# What a worker's pool process has loaded once it has reversed an e-mail's links, as a worker runs:
# its start-up (portal.celery skips Celery's system checks), then the pool process's own set-up.
LOADED_BY_A_POOL_PROCESS = """
import sys
import django
django.setup()
from portal.celery import app
app.loader.import_default_modules()
from celery.signals import worker_process_init
worker_process_init.send(sender=None)
from django.urls import reverse
print(reverse("newsletters:unsubscribe", args=["token"]), reverse("contact"))
print(" ".join(name for name in ("portal.urls", "allauth.account.views", "fido2") if name in sys.modules))
"""


def test_a_worker_reverses_links_without_importing_the_views():
    result = run_python(LOADED_BY_A_POOL_PROCESS)

    assert result.returncode == 0, result.stderr
    links, loaded = [*result.stdout.splitlines(), ""][:2]
    assert links == "/newsletters/unsubscribe/token/ /contact/"
    # The views, their forms, allauth's and WebAuthn's modules: about 13 MB in each process.
    assert loaded == ""


WORKER_COMMAND_HELP = """
import sys
from portal.worker import main
try:
    main(["--help"])
except SystemExit as exit:
    assert exit.code == 0, exit.code
print(" ".join(name for name in ("celery.bin.celery", "click_repl", "prompt_toolkit") if name in sys.modules))
"""


def test_the_worker_command_takes_celery_workers_options_without_celerys_command_line():
    result = run_python(WORKER_COMMAND_HELP)

    assert result.returncode == 0, result.stderr
    *help_text, loaded = result.stdout.splitlines()
    assert {"--queues", "--concurrency", "--pool", "--loglevel"} <= set(" ".join(help_text).replace(",", " ").split())
    # `celery amqp`'s interactive shell and the rest of Celery's command line: about 8 MB in each process.
    assert loaded == ""

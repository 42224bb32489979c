"""A Celery worker loads only what sending needs, and its pool shares what the main process loaded."""

import gc
import os
import subprocess
import sys
from pathlib import Path

from portal import celery

ROOT = Path(__file__).resolve().parents[2]

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
    result = subprocess.run(
        [sys.executable, "-c", LOADED_BY_A_WORKER],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

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

"""Uploaded files are cleaned in a process of their own: lowest priority, capped CPU time and memory,
no secrets in its environment, and a request that runs out of time is told so."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.tips.conftest import jpeg_with_gps
from tips import attachments
from tips.attachments import AttachmentRefused, attachment_clean


def test_the_cleaning_process_sees_none_of_the_portals_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "the-portal-secret-key")
    monkeypatch.setenv("TIP_ENCRYPTION_KEYS", "the-tip-encryption-key")
    spy = tmp_path / "spy_worker.py"
    spy.write_text(
        "import json, os, sys\n"
        "sys.stdin.buffer.read()\n"
        'header = {"kind": "image", "content_type": "text/plain", "extension": "txt", "pixels": 0}\n'
        'sys.stdout.write(json.dumps(header) + "\\n" + json.dumps(dict(os.environ)))\n'
    )
    monkeypatch.setattr(attachments, "WORKER", spy)
    environment = json.loads(attachment_clean(data=b"anything", name="x").data)
    assert "SECRET_KEY" not in environment and "TIP_ENCRYPTION_KEYS" not in environment
    assert "the-portal-secret-key" not in json.dumps(environment)
    assert "DATABASE_URL" not in environment


def test_the_worker_confines_itself_before_reading_the_file():
    worker = Path(attachments.WORKER)
    limits = {**attachments._limits(pixel_budget=1), "cpu_seconds": 7, "memory_bytes": 512 * 1024 * 1024}
    probe = (
        f"import sys, os, resource; sys.path.insert(0, {str(worker.parent)!r}); import attachment_worker as w\n"
        f"w.confine({limits!r})\n"
        "print(os.nice(0), resource.getrlimit(resource.RLIMIT_CPU)[0], resource.getrlimit(resource.RLIMIT_AS)[0],"
        " resource.getrlimit(resource.RLIMIT_FSIZE)[0])\n"
    )
    result = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["19", "7", str(512 * 1024 * 1024), "0"]


def test_a_file_that_needs_more_memory_than_allowed_is_refused_saying_why(monkeypatch):
    monkeypatch.setattr(attachments, "FILE_MEMORY_BYTES", 200 * 1024 * 1024)
    out = io.BytesIO()
    Image.new("RGB", (5000, 5000), "white").save(out, format="PNG")  # 25 MP: about 300 MB to redraw
    with pytest.raises(AttachmentRefused, match="too much work to prepare safely"):
        attachment_clean(data=out.getvalue(), name="huge.png")


def test_a_request_whose_time_runs_out_is_told_so(monkeypatch, tmp_path):
    # A cleaning process that takes its time, whatever the machine's speed: the request's budget
    # ends it (killed, not waited for) and the tipster is told.
    slow_worker = tmp_path / "slow_worker.py"
    slow_worker.write_text("import time\ntime.sleep(30)\n")
    monkeypatch.setattr(attachments, "WORKER", slow_worker)
    monkeypatch.setattr(attachments, "REQUEST_CLEANING_SECONDS", 0.5)
    with pytest.raises(AttachmentRefused, match="could not prepare your files in time"):
        attachments.attachments_clean([(jpeg_with_gps(), "a.jpg"), (jpeg_with_gps(), "b.jpg")])


def run_confined(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a Python process that has confined itself as the cleaning process does."""
    worker = Path(attachments.WORKER)
    probe = (
        f"import sys; sys.path.insert(0, {str(worker.parent)!r}); import attachment_worker as w\n"
        f"w.confine({attachments._limits(pixel_budget=1)!r})\n" + code
    )
    return subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_crash_of_the_cleaning_process_is_handed_to_no_crash_reporter():
    # systemd-coredump and apport log each crash they are given with its time, RLIMIT_CORE or not:
    # a hostile file's crash would date its upload to the second. A process that is not dumpable
    # is never given to them. Nor does the kernel log "segfault at …" (with its time) for a fault the
    # process catches: faulthandler catches it, then ends the process.
    result = run_confined(
        "import ctypes, faulthandler\n"
        "print(ctypes.CDLL(None).prctl(w.PR_GET_DUMPABLE, 0, 0, 0, 0), faulthandler.is_enabled())"
    )
    assert result.stdout.split() == ["0", "True"]


def test_a_file_that_crashes_the_decoder_is_refused_as_damaged(tmp_path, monkeypatch):
    crashing = tmp_path / "crashing_worker.py"
    crashing.write_text(
        f"import sys; sys.path.insert(0, {str(Path(attachments.WORKER).parent)!r}); import attachment_worker as w\n"
        "import json\n"
        "w.confine(json.loads(sys.argv[1]))\n"
        "sys.stdin.buffer.read()\n"
        "import ctypes; ctypes.string_at(0)\n"  # what a decoder's bad read does
    )
    monkeypatch.setattr(attachments, "WORKER", crashing)
    with pytest.raises(AttachmentRefused, match="looks damaged"):
        attachment_clean(data=jpeg_with_gps(), name="crash.jpg")

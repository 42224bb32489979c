"""Cleaning what tipsters upload: we keep what a file looks like, and nothing else.

- Images (JPEG, PNG, GIF, WebP, checked by decoding them, not by name), of at most
  MAX_IMAGE_PIXELS (read from the header, before a pixel is decoded), are re-drawn from their
  pixels into a new image: EXIF (GPS, camera serial, time), XMP, IPTC, ICC profiles and comments
  are not carried over. EXIF orientation is applied first so the picture stays upright.
- PDFs of at most MAX_PDF_PAGES pages are drawn to pixels page by page (pypdfium2, PDFium's
  renderer, which runs no JavaScript) and a new PDF is made of those pictures only, as
  Freedom of the Press Foundation's Dangerzone does: no text layer, fonts, links, scripts, forms,
  layers, attachments, metadata or embedded images (with their EXIF) survive.
- Anything else is refused, saying why: we could not promise its hidden data is gone.

The work is done in a separate process (tips/attachment_worker.py) at the lowest priority, with
capped CPU time and memory, a wall-clock limit, and at most CLEANING_SLOTS at a time per web
process, so that hostile files cost that process and never the web workers other visitors need.
All the files of one request share one budget of pixels (MAX_REQUEST_PIXELS) and of time
(REQUEST_CLEANING_SECONDS).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENTS = 5
# The whole request, files and text; a bigger one is refused before it is read.
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024
# 25 megapixels: a phone's 12 or 24 MP photo passes; a 40 MP "bomb" of a few KB is refused unread.
MAX_IMAGE_PIXELS = 25_000_000
MAX_PDF_PAGES = 25
# Pages are drawn at 150 dpi (an A4 or Letter page is about 2.2 megapixels), bigger pages at less.
PDF_DPI = 150
MAX_PDF_PAGE_PIXELS = 2_500_000
# The work one request may cause, in pixels decoded or drawn: two 25 MP photos, or 25 pages.
MAX_REQUEST_PIXELS = 60_000_000
# What the cleaning of one file may use before it is stopped and the file refused.
FILE_CPU_SECONDS = 20
FILE_MEMORY_BYTES = 1024 * 1024 * 1024
# All the files of one request together, waiting for a slot included: the tipster gets an answer
# well before a proxy (docs/deploy.md: proxy_read_timeout 35s) or browser gives up.
REQUEST_CLEANING_SECONDS = 25
# Cleaning processes running at once per web process (each may use FILE_MEMORY_BYTES).
CLEANING_SLOTS = 1

WORKER = Path(__file__).with_name("attachment_worker.py")
_slots = threading.BoundedSemaphore(CLEANING_SLOTS)
_REFUSED = 3
# Exit statuses of a worker that crashed on the file (a negative status is the signal that ended it).
_CRASHES = {-signal.SIGSEGV, -signal.SIGBUS, -signal.SIGILL, -signal.SIGFPE, -signal.SIGABRT}


class AttachmentRefused(Exception):
    """The file cannot be accepted; ``str(exc)`` says why, for the tipster."""


@dataclass(frozen=True)
class CleanFile:
    kind: str  # TipAttachment.Kind value
    content_type: str
    extension: str
    data: bytes


def attachments_clean(files: list[tuple[bytes, str]]) -> list[CleanFile]:
    """Clean the ``(data, name)`` files of one request within one time budget, or raise ``AttachmentRefused``."""
    for data, name in files:  # the cheap refusals first, before any file costs work
        _check_size(data, name)
    deadline = time.monotonic() + REQUEST_CLEANING_SECONDS
    budget = MAX_REQUEST_PIXELS
    cleaned = []
    for data, name in files:
        file, pixels = _clean(data, name, deadline, budget)
        budget -= pixels
        cleaned.append(file)
    return cleaned


def attachment_clean(*, data: bytes, name: str) -> CleanFile:
    """Return one file as it looks and nothing more, or raise ``AttachmentRefused``."""
    return attachments_clean([(data, name)])[0]


def _limits(pixel_budget: int) -> dict:
    return {
        "pixel_budget": pixel_budget,
        "file_bytes": MAX_ATTACHMENT_BYTES,
        "image_pixels": MAX_IMAGE_PIXELS,
        "pdf_pages": MAX_PDF_PAGES,
        "pdf_dpi": PDF_DPI,
        "pdf_page_pixels": MAX_PDF_PAGE_PIXELS,
        "cpu_seconds": FILE_CPU_SECONDS,
        "memory_bytes": FILE_MEMORY_BYTES,
    }


def _check_size(data: bytes, name: str) -> None:
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(
            _("“%(name)s” is larger than %(limit)s MB. Send a smaller file.")
            % {"name": name, "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
        )
    if not data:
        raise AttachmentRefused(_("“%(name)s” is empty.") % {"name": name})


def _clean(data: bytes, name: str, deadline: float, pixel_budget: int) -> tuple[CleanFile, int]:
    if not _slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise AttachmentRefused(_out_of_time_message())
    try:
        status, output = _run_worker(data, deadline, pixel_budget)
    except OSError:  # no process could be started (the machine is out of memory or processes)
        status, output = None, b""
    finally:
        _slots.release()
    if status is None:
        raise AttachmentRefused(_out_of_time_message())
    if status == 0:
        header, _newline, cleaned = output.partition(b"\n")
        header = json.loads(header)
        pixels = header.pop("pixels")
        return CleanFile(data=cleaned, **header), pixels
    if status == _REFUSED:
        answer = json.loads(output.partition(b"\n")[0])
        raise AttachmentRefused(_refusal_message(answer, name))
    if status in _CRASHES:  # a decoder failed on the file
        raise AttachmentRefused(_refusal_message({"refused": "damaged"}, name))
    if status < 0:  # killed: its CPU time (SIGXCPU, SIGKILL) or memory ran out
        raise AttachmentRefused(_refusal_message({"refused": "too_much_work"}, name))
    raise AttachmentRefused(_refusal_message({"refused": "damaged"}, name))


def _run_worker(data: bytes, deadline: float, pixel_budget: int) -> tuple[int | None, bytes]:
    """The worker's exit status and output; None as status when the request's time ran out."""
    worker = subprocess.Popen(  # noqa: S603 (our own script, with our own arguments)
        [sys.executable, "-I", str(WORKER), json.dumps(_limits(pixel_budget))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # Not the web process's environment: it holds the secret key and the tip encryption keys,
        # and this process reads hostile files.
        env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
        close_fds=True,
    )
    try:
        output, _errors = worker.communicate(input=data, timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        return None, b""
    return worker.returncode, output


def _out_of_time_message() -> str:
    return _(
        "We could not prepare your files in time: they are large, or many people are sending files right now. "
        "Your tip has not been sent yet. Send it again with fewer or smaller files, or try again in a few minutes."
    )


def _refusal_message(answer: dict, name: str) -> str:
    code = answer.get("refused")
    if code == "unsupported":
        return _(
            "“%(name)s” is not a photo or a PDF. We only accept JPEG, PNG, GIF or WebP images and PDF "
            "documents, because for other kinds of file we cannot remove the hidden data (such as a "
            "location, a name or a device) that could identify you."
        ) % {"name": name}
    if code == "too_many_pixels":
        return _(
            "“%(name)s” is too big a picture (more than %(megapixels)s megapixels). Send a smaller version of it, "
            "for example a screenshot."
        ) % {"name": name, "megapixels": MAX_IMAGE_PIXELS // 1_000_000}
    if code == "request_pixels":
        return _(
            "Together, your files are more than we can prepare in one go (at most %(megapixels)s megapixels of photos "
            "or about %(pages)s pages at a time). Send fewer or smaller files now; you can add more afterwards with "
            "your receipt phrase."
        ) % {"megapixels": MAX_REQUEST_PIXELS // 1_000_000, "pages": MAX_PDF_PAGES}
    if code == "encrypted":
        return _("“%(name)s” is protected with a password. Send it without the password protection.") % {"name": name}
    if code == "too_many_pages":
        return ngettext(
            "“%(name)s” has more than %(limit)s page. Send only the pages that matter, or split it into several files.",
            "“%(name)s” has more than %(limit)s pages. Send only the pages that matter, or split it into several "
            "files.",
            MAX_PDF_PAGES,
        ) % {"name": name, "limit": MAX_PDF_PAGES}
    if code == "damaged_pdf":
        return _("“%(name)s” looks like a damaged PDF and cannot be read.") % {"name": name}
    if code == "too_much_work":
        return _(
            "“%(name)s” takes too much work to prepare safely: it is very large or very complex. "
            "Send a smaller or simpler file, for example a photo or a screenshot of what matters."
        ) % {"name": name}
    return _("“%(name)s” looks damaged and cannot be read.") % {"name": name}

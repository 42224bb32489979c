"""Two clients sending the heaviest files the tip form accepts, again and again, do not take the site
down: under gunicorn as deploy/gunicorn.conf.py runs it, everyone else's pages and /health/live keep
answering within two seconds, and every upload gets an answer (its receipt, or a reason), never a 5xx."""

import io
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from cryptography.fernet import Fernet
from PIL import Image
from pypdf import PdfWriter
from reportlab.pdfgen.canvas import Canvas

from tests.helpers import database_url_of_the_test_database, free_port, wait_for
from tests.production.test_deployment import TEST_ONLY_VARIABLES
from tests.production.test_faults import terminate_other_connections
from tests.tips.conftest import theft
from tips import attachments

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAMMER_SECONDS = 25


def biggest_image() -> bytes:
    """Exactly as many pixels as we accept, a few kilobytes on the wire: every pixel must be decoded."""
    side = int(attachments.MAX_IMAGE_PIXELS**0.5)
    image = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def longest_pdf() -> bytes:
    """As many Letter pages full of text and drawing as we accept."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(612, 792))
    for page in range(attachments.MAX_PDF_PAGES):
        for line in range(50):
            canvas.drawString(30, 760 - line * 15, f"Page {page} line {line}: " + "the quick brown fox " * 5)
        canvas.circle(306, 396, 200, fill=1)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def largest_photo() -> bytes:
    """Noise, which JPEG cannot compress: about as many bytes as one file may have."""
    side = 2500
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="JPEG", quality=95)
    assert len(out.getvalue()) <= attachments.MAX_ATTACHMENT_BYTES
    return out.getvalue()


def bombs() -> list[tuple[bytes, str]]:
    """What the issue found: a 40-megapixel PNG of a few KB, and a 20,000-page PDF."""
    png = io.BytesIO()
    Image.new("1", (8000, 5000)).save(png, format="PNG")
    writer = PdfWriter()
    for _ in range(20_000):
        writer.add_blank_page(width=612, height=792)
    pdf = io.BytesIO()
    writer.write(pdf)
    return [(png.getvalue(), "bomb.png"), (pdf.getvalue(), "bomb.pdf")]


def multipart(fields: dict[str, str], files: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for data, filename in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def request(url: str, *, data: bytes | None = None, headers=None, timeout: float = 60) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers or {}), timeout=timeout
        ) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body.decode("utf-8", "replace"), time.monotonic() - started


@pytest.fixture
def web(tmp_path):
    """gunicorn as deployed (deploy/gunicorn.conf.py, its default workers and threads), production
    settings, on the test database, behind a (pretend) TLS proxy that names each client."""
    env = {key: value for key, value in os.environ.items() if key not in {*TEST_ONLY_VARIABLES, "DATABASE_URL"}}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        BEHIND_TLS_PROXY="true",
        TRUSTED_PROXY_COUNT="1",
        TIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=database_url_of_the_test_database(),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        PRECINCT_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="portal.settings",
        GUNICORN_ACCESS_LOG="",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base + "/health/live"), 60, "gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(30)
        terminate_other_connections()  # what the workers' threads left, so the test database can go


def _answers(url: str) -> bool:
    try:
        return request(url, timeout=5)[0] == 200
    except OSError:
        return False


def send_tip(base: str, files: list[tuple[bytes, str]], client_number: int) -> tuple[int, str, float]:
    # Each post comes from another address (through the proxy), so the per-client limit does not
    # stop the test's load: what is measured is the cost of the files, not the rate limiter.
    client = {"X-Forwarded-For": f"198.51.100.{client_number}"}
    status, page, _took = request(base + "/tips/", headers=client, timeout=10)
    assert status == 200
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    fields = {
        "form_token": token,
        "category": str(theft().pk),
        "what": "Heavy files",
        "where": "",
        "when": "",
        "website": "",
    }
    body, content_type = multipart(fields, files)
    return request(
        base + "/tips/",
        data=body,
        headers={**client, "Content-Type": content_type, "Sec-Fetch-Site": "same-origin"},
        timeout=90,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_sending_the_heaviest_files_do_not_slow_anyone_else_down(web):
    theft()
    image, pdf, photo = biggest_image(), longest_pdf(), largest_photo()
    # The heaviest requests we accept: the most pixels (two photos of the largest size, or the
    # longest PDF), and the most bytes (five files of the largest size); and what we refuse.
    per_request = attachments.MAX_REQUEST_PIXELS // attachments.MAX_IMAGE_PIXELS
    loads = [
        [(image, f"photo{n}.png") for n in range(per_request)],
        [(pdf, "scan.pdf")],
        [(photo, f"big{n}.jpg") for n in range(attachments.MAX_ATTACHMENTS)],
        [*bombs(), (image, "photo.png"), (pdf, "scan.pdf")],
    ]
    answers: list[tuple[int, str, float]] = []
    waits: list[tuple[str, int, float]] = []
    stop = time.monotonic() + HAMMER_SECONDS
    failures: list[BaseException] = []

    def uploader(first: int) -> None:
        try:
            number = first
            while time.monotonic() < stop:
                answers.append(send_tip(web, loads[number % len(loads)], number))
                number += 2
        except BaseException as exc:  # reported to the test below
            failures.append(exc)

    def visitor() -> None:
        while time.monotonic() < stop:
            for path in ("/health/live", "/meetings/", "/tips/"):
                status, _page, took = request(web + path, headers={"X-Forwarded-For": "203.0.113.5"}, timeout=30)
                waits.append((path, status, took))
            time.sleep(0.2)

    threads = [threading.Thread(target=uploader, args=(n,)) for n in (0, 1)]
    threads.append(threading.Thread(target=visitor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures

    assert len(waits) >= 30, waits
    assert all(status == 200 for _path, status, _took in waits), waits
    slowest = max(waits, key=lambda wait: wait[2])
    assert slowest[2] < 2, slowest

    assert answers, "no upload was answered"
    for status, page, _took in answers:
        assert status in (200, 400, 413, 429), (status, page[:500])
        if status == 200:
            assert 'data-testid="receipt-phrase"' in page
        else:
            assert 'class="error' in page  # the reason, next to the form
    statuses = [status for status, _page, _took in answers]
    reasons = [re.findall(r'class="error[^>]*>\s*<p>([^<]+)', page) for status, page, _took in answers]
    assert 200 in statuses, list(
        zip(statuses, reasons, [took for *_rest, took in answers], strict=True)
    )  # the heaviest files we accept are accepted
    refusals = " ".join(page for status, page, _took in answers if status != 200)
    if 400 in statuses:
        assert "megapixels" in refusals or "pages" in refusals or "in time" in refusals or "in one go" in refusals

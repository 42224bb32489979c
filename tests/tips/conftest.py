"""Fixtures for the tip line: a tip reviewer's admin client, files carrying metadata, and helpers."""

import io
import re

import pytest
from django.test import Client
from PIL import Image
from pypdf import PdfWriter

from tests.conftest import desk_client_for
from tips import throttle
from tips.models import TipCategory

TIPSTER_ADDRESS = "203.0.113.77"
TIPSTER_AGENT = "Mozilla/5.0 (TipsterTestBrowser; unique-agent-7f3a9c)"


@pytest.fixture(autouse=True)
def _fast_receipt_hashing(monkeypatch):
    # Like the fast password hasher of tests/settings.py: the production cost only slows the suite.
    from argon2 import PasswordHasher

    from tips import receipt

    monkeypatch.setattr(receipt, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(autouse=True)
def _fresh_throttle():
    throttle.throttle_reset()
    yield
    throttle.throttle_reset()


@pytest.fixture
def reviewer_client(tip_reviewer):
    return desk_client_for(tip_reviewer)


@pytest.fixture
def officer_admin_client(officer):
    """An officer with a second factor but outside "Tip reviewers"."""
    return desk_client_for(officer)


@pytest.fixture
def tipster_client():
    return Client(REMOTE_ADDR=TIPSTER_ADDRESS, HTTP_USER_AGENT=TIPSTER_AGENT)


def theft() -> TipCategory:
    # get_or_create: transactional tests start without the data migration's rows.
    return TipCategory.objects.get_or_create(slug="theft", defaults={"name": "Theft"})[0]


@pytest.fixture
def category(db):
    return theft()


def form_token(client, path: str = "/tips/") -> str:
    page = client.get(path).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def hidden_value(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def receipt_phrase(html: str) -> str:
    return re.search(r'data-testid="receipt-phrase">([^<]+)<', html).group(1).strip()


def submit_tip(client, *, what="Someone is selling stolen bikes behind the laundromat.", files=(), **extra):
    data = {
        "form_token": form_token(client),
        "category": theft().pk,
        "what": what,
        "where": "Behind the laundromat on 5th",
        "when": "Most evenings",
        "website": "",
        **extra,
    }
    if files:
        data["files"] = list(files)
    return client.post("/tips/", data)


def named(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "PhotoTool 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (41.0, 52.0, 30.0), 3: "W", 4: (87.0, 37.0, 5.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken by jane")
    return out.getvalue()


def pdf_with_author() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Jane Q. Tipster", "/Title": "Notes about my neighbour"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def settle_tips() -> int:
    """What beat does once the hour is over: what tipsters sent so far is settled and reaches reviewers."""
    from datetime import timedelta

    from tips import services
    from tips.clock import coarse_now

    return services.tips_settle(before=coarse_now() + timedelta(hours=1))

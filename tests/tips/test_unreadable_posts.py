"""A post Django will not read (megabytes of text, too many fields or files, a broken body) gets a tip
page that says why, with the tip pages' headers, and nothing of it is kept."""

import pytest
from django.test import Client
from django.test.client import encode_multipart

from tests.tips.conftest import form_token, named, theft
from tips.models import Tip, TipMessage

pytestmark = pytest.mark.django_db


def assert_refused_as_a_tip_page(response):
    assert response.status_code == 400
    page = response.content.decode()
    assert "What you sent could not be read" in page and "nothing was sent" in page
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert not response.cookies
    assert not Tip.objects.exists() and not TipMessage.objects.exists()


@pytest.mark.parametrize("path", ["/tips/", "/tips/follow-up/", "/tips/follow-up/send/"])
def test_megabytes_of_text_are_refused_with_a_clear_page(client, path):
    data = {"form_token": form_token(client), "category": theft().pk, "what": "x" * 3_000_000, "text": "y"}
    assert_refused_as_a_tip_page(client.post(path, data))


def test_megabytes_of_text_in_a_form_with_files_are_refused_with_a_clear_page(client):
    data = {"form_token": form_token(client), "category": theft().pk, "what": "x" * 3_000_000}
    assert_refused_as_a_tip_page(client.post("/tips/", {**data, "files": [named(b"GIF89a", "a.gif")]}))


def test_more_fields_than_any_form_has_are_refused_with_a_clear_page(client):
    data = {"form_token": form_token(client), "category": theft().pk, "what": "A tip"}
    data.update({f"field{number}": "x" for number in range(1500)})
    assert_refused_as_a_tip_page(client.post("/tips/", data))


def test_hundreds_of_files_are_refused_with_a_clear_page(client):
    data = {"form_token": form_token(client), "category": theft().pk, "what": "A tip"}
    files = [named(b"GIF89a", f"{number}.gif") for number in range(150)]
    assert_refused_as_a_tip_page(client.post("/tips/", {**data, "files": files}))


def test_a_broken_multipart_body_is_refused_with_a_clear_page():
    body = encode_multipart("BoUnDaRy", {"what": "A tip"})
    response = Client().generic("POST", "/tips/", body, content_type="multipart/form-data")  # no boundary
    assert_refused_as_a_tip_page(response)

"""Sending a tip: no account, no JavaScript, no cookie; single-use forms, a honeypot, clear refusals."""

import re

import pytest
from django.test import Client

from tests.tips.conftest import form_token, named, receipt_phrase, submit_tip
from tips.http import TIP_CSP
from tips.models import Tip, TipAttachment, UsedFormToken
from tips.receipt import RECEIPT_WORDS, wordlist

pytestmark = pytest.mark.django_db


def assert_private_response(response):
    assert not response.cookies, f"a tip page set cookies: {list(response.cookies)}"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == TIP_CSP


def test_the_form_shows_the_emergency_notice_and_every_field(client):
    response = client.get("/tips/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "If this is an emergency, call 911 now." in page
    for label in ["What is it about?", "What happened?", "Where?", "Neighbourhood", "When?", "Photos or documents"]:
        assert label in page
    assert 'enctype="multipart/form-data"' in page
    # Works without JavaScript: the page loads no script at all, and nothing from another host.
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_tip_pages_set_no_cookie_and_send_the_privacy_headers(client):
    assert_private_response(client.get("/tips/"))
    assert_private_response(client.get("/tips/follow-up/"))
    response = submit_tip(client)
    assert response.status_code == 200
    assert_private_response(response)
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_csp_forbids_scripts_and_other_hosts():
    directives = dict(part.split(" ", 1) for part in TIP_CSP.split("; "))
    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives  # falls back to 'none'
    assert all(value in ("'self'", "'none'") for value in directives.values())


def test_a_logged_in_resident_gets_no_new_cookie_either(resident_client):
    for response in (resident_client.get("/tips/"), submit_tip(resident_client)):
        assert not response.cookies
        assert "Log out" not in response.content.decode()


def test_submitting_shows_a_receipt_phrase_and_a_non_sequential_reference(client, category):
    response = submit_tip(client)
    assert response.status_code == 200
    page = response.content.decode()
    phrase = receipt_phrase(page)
    words = phrase.split()
    assert len(words) == RECEIPT_WORDS
    assert set(words) <= set(wordlist())
    tip = Tip.objects.get()
    assert tip.reference in page
    assert re.fullmatch(r"TIP-[A-Z2-9]{4}-[A-Z2-9]{4}", tip.reference)
    assert tip.category == category
    assert tip.status == Tip.Status.NEW
    # The phrase is not kept, in clear or in the page's later answers.
    assert phrase not in client.get("/tips/follow-up/").content.decode()


def test_a_form_is_accepted_once(client):
    token = form_token(client)
    data = {"form_token": token, "category": 1, "what": "First", "website": ""}
    from tips.models import TipCategory

    data["category"] = TipCategory.objects.first().pk
    assert client.post("/tips/", data).status_code == 200
    replay = client.post("/tips/", data)
    assert replay.status_code == 400
    assert "already sent" in replay.content.decode()
    assert Tip.objects.count() == 1
    assert UsedFormToken.objects.count() == 1


def test_a_forged_form_token_is_refused(client, category):
    response = client.post("/tips/", {"form_token": "forged", "category": category.pk, "what": "x", "website": ""})
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert not Tip.objects.exists()


def test_a_form_token_expires(client, category, time_machine):
    time_machine.move_to("2026-03-02 10:00Z", tick=False)
    token = form_token(client)
    time_machine.move_to("2026-03-02 13:01Z", tick=False)
    response = client.post("/tips/", {"form_token": token, "category": category.pk, "what": "x", "website": ""})
    assert "This form has expired" in response.content.decode()
    assert not Tip.objects.exists()


def test_the_honeypot_refuses_robots(client):
    response = submit_tip(client, website="http://spam.example")
    assert response.status_code == 400
    assert "Leave this field empty” empty." in response.content.decode()
    assert not Tip.objects.exists()


def test_the_text_is_required_and_limited(client):
    response = submit_tip(client, what="")
    assert response.status_code == 400
    assert not Tip.objects.exists()
    response = submit_tip(client, what="x" * 10_001)
    assert "at most 10000 characters" in response.content.decode().replace(",", "")
    assert not Tip.objects.exists()


def test_a_refused_form_comes_back_with_a_fresh_token_and_the_text(client):
    response = submit_tip(client, website="robot", what="Keep this text")
    page = response.content.decode()
    assert "Keep this text" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    assert token  # a new token, ready for the corrected form
    assert not UsedFormToken.objects.exists()


def test_an_unknown_file_type_is_refused_with_the_reason(client):
    response = submit_tip(client, files=[named(b"PK\x03\x04 a word document", "notes.docx")])
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot remove the hidden data" in page
    assert not Tip.objects.exists()


def test_a_file_named_like_a_photo_is_checked_by_its_content(client):
    response = submit_tip(client, files=[named(b"MZ\x90\x00 this is a program", "holiday.jpg")])
    assert response.status_code == 400
    assert "is not a photo or a PDF" in response.content.decode()
    assert not Tip.objects.exists()


def test_too_many_files_are_refused(client):
    from tests.tips.conftest import jpeg_with_gps

    files = [named(jpeg_with_gps(), f"p{i}.jpg") for i in range(6)]
    response = submit_tip(client, files=files)
    assert response.status_code == 400
    assert "at most 5 files" in response.content.decode()
    assert not TipAttachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, monkeypatch):
    from tests.tips.conftest import jpeg_with_gps
    from tips import attachments

    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 100)
    response = submit_tip(client, files=[named(jpeg_with_gps(), "big.jpg")])
    assert response.status_code == 400
    assert "is larger than" in response.content.decode()
    assert not Tip.objects.exists()


def test_a_request_over_the_total_limit_is_refused_before_reading_it(client, monkeypatch):
    from tests.tips.conftest import jpeg_with_gps
    from tips import http

    monkeypatch.setattr(http, "MAX_REQUEST_BYTES", 1000)
    response = submit_tip(client, files=[named(jpeg_with_gps(), "big.jpg")])
    assert response.status_code == 413
    assert "too large together" in response.content.decode()
    assert not Tip.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client, method):
    assert getattr(client, method)("/tips/").status_code == 405


def test_send_a_follow_up_only_by_post(client):
    assert client.get("/tips/follow-up/send/").status_code == 405


def test_the_tip_url_prefix_matches_the_privacy_filter():
    from django.urls import reverse

    from tips.privacy import TIP_PATH_PREFIX

    for name in ("tips:submit", "tips:follow-up", "tips:follow-up-send"):
        assert reverse(name).startswith(TIP_PATH_PREFIX)


def test_client_without_user_agent_or_address_still_works():
    client = Client(REMOTE_ADDR="")
    assert submit_tip(client).status_code == 200


def test_a_category_must_be_chosen(client):
    assert 'value="" selected>Choose one<' in client.get("/tips/").content.decode()
    response = submit_tip(client, category="")
    assert response.status_code == 400
    assert not Tip.objects.exists()

"""Coming back with the receipt phrase: status, officers' questions, answers; no cookie, no e-mail."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from tests.tips.conftest import hidden_value, jpeg_with_gps, named, receipt_phrase, settle_tips, submit_tip
from tips import receipt, selectors, services, throttle
from tips.models import Tip, TipAttachment, TipAuditEntry, TipMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def phrase(client):
    return receipt_phrase(submit_tip(client).content.decode())


def open_tip(client, phrase):
    return client.post("/tips/follow-up/", {"phrase": phrase})


def test_the_wordlist_gives_at_least_77_bits():
    import math

    words = receipt.wordlist()
    assert len(words) >= 2048
    assert all(re.fullmatch(r"[a-z]{4,8}", word) for word in words)
    assert receipt.RECEIPT_WORDS * math.log2(len(words)) >= 77


def test_the_phrase_is_stored_only_as_a_keyed_index_and_a_slow_hash(phrase):
    tip = Tip.objects.get()
    assert phrase not in tip.receipt_index and phrase not in tip.receipt_hash
    assert tip.receipt_hash.startswith("$argon2id$")
    assert len(tip.receipt_index) == 64


def test_the_tipster_sees_status_questions_and_reward(client, phrase, tip_reviewer):
    tip = Tip.objects.get()
    services.tip_reply(tip=tip, actor=tip_reviewer, text="Did you see the licence plate?")
    services.tip_triage(tip=tip, actor=tip_reviewer, status=Tip.Status.IN_REVIEW, reward_eligible=True)
    response = open_tip(client, phrase)
    assert response.status_code == 200
    page = response.content.decode()
    assert tip.reference in page
    assert "Being reviewed" in page
    assert "Did you see the licence plate?" in page
    assert "eligible for a reward" in page
    assert tip_reviewer.email not in page  # the tipster does not learn who asked
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"


def test_spam_is_shown_as_closed_and_takes_no_more(client, phrase, tip_reviewer):
    services.tip_triage(tip=Tip.objects.get(), actor=tip_reviewer, status=Tip.Status.SPAM)
    page = open_tip(client, phrase).content.decode()
    assert "Spam" not in page and "Closed" in page
    assert "send a new tip" in page
    assert "follow-up/send/" not in page


def test_the_phrase_is_forgiving_about_case_spaces_and_dashes(client, phrase):
    messy = "  " + "-".join(word.upper() for word in phrase.split()) + " "
    assert open_tip(client, messy).status_code == 200


@pytest.mark.parametrize(
    "retyped",
    [
        lambda words: "\u2014".join(words),  # a phone's "smart" dash between words
        lambda words: "\u00a0".join(words) + "\u200b",  # no-break spaces, a zero-width space pasted along
        lambda words: " ".join(word[0] + "\u00ad" + word[1:] for word in words),  # soft hyphens
        lambda words: " ".join(chr(ord(word[0]) - 0x61 + 0xFF41) + word[1:] for word in words),  # full-width
        lambda words: " ".join(word.replace("i", "\u0130") for word in words),  # a Turkish keyboard's "İ"
        lambda words: ", ".join(words) + ".",
    ],
)
def test_the_phrase_is_found_whatever_a_phone_or_a_copy_and_paste_did_to_it(client, phrase, retyped):
    assert open_tip(client, retyped(phrase.split())).status_code == 200


def test_a_wrong_phrase_gets_one_generic_answer(client, phrase):
    wrong = phrase.rsplit(" ", 1)[0] + " zzzz"
    answers = {
        open_tip(client, candidate).content.decode().count("We could not find a tip")
        for candidate in [wrong, "completely unrelated words", phrase[::-1]]
    }
    assert answers == {2}  # the same answer for each, in the error summary and by the field


def test_the_tipster_answers_and_adds_a_file(client, phrase, tip_reviewer):
    tip = Tip.objects.get()
    services.tip_reply(tip=tip, actor=tip_reviewer, text="Which night?")
    page = open_tip(client, phrase).content.decode()
    response = client.post(
        "/tips/follow-up/send/",
        {
            "access": hidden_value(page, "access"),
            "form_token": hidden_value(page, "form_token"),
            "text": "Tuesday, around 11pm.",
            "website": "",
            "files": [named(jpeg_with_gps(), "night.jpg")],
        },
    )
    assert response.status_code == 200
    assert "was added to your tip" in response.content.decode()
    assert "Tuesday, around 11pm." in response.content.decode()
    assert not response.cookies
    assert [m.text for m in selectors.tip_messages(tip)] == ["Which night?", "Tuesday, around 11pm."]
    assert TipAttachment.objects.filter(tip=tip).count() == 1
    # Flagged for reviewers and logged once the hour is over, coarsely, as the tip's arrival was.
    tip.refresh_from_db()
    assert not tip.tipster_wrote and not TipAuditEntry.objects.filter(action="tipster_wrote").exists()
    settle_tips()
    tip.refresh_from_db()
    assert tip.tipster_wrote
    entry = TipAuditEntry.objects.get(action="tipster_wrote")
    assert entry.at.minute == 0 and entry.actor is None
    # Within the hour the tip arrived in, the files sent later count with the tip's.
    assert entry.detail == {"message": True, "files": 0}
    assert TipAuditEntry.objects.get(action="received").detail == {"files": 1}
    # Nobody is e-mailed when a tipster writes, and a tipster never is.
    assert not mail.outbox


def test_an_answer_form_is_accepted_once(client, phrase):
    page = open_tip(client, phrase).content.decode()
    data = {
        "access": hidden_value(page, "access"),
        "form_token": hidden_value(page, "form_token"),
        "text": "Once.",
        "website": "",
    }
    assert client.post("/tips/follow-up/send/", data).status_code == 200
    assert "already sent" in client.post("/tips/follow-up/send/", data).content.decode()
    assert TipMessage.objects.count() == 1


def test_an_empty_answer_is_refused(client, phrase):
    page = open_tip(client, phrase).content.decode()
    data = {"access": hidden_value(page, "access"), "form_token": hidden_value(page, "form_token"), "website": ""}
    response = client.post("/tips/follow-up/send/", data)
    assert response.status_code == 400
    assert "Write something or choose a file" in response.content.decode()


def test_a_forged_or_expired_access_token_asks_for_the_phrase_again(client, phrase, time_machine):
    time_machine.move_to("2026-06-01 10:00Z", tick=False)
    page = open_tip(client, phrase).content.decode()
    data = {"access": "forged", "form_token": hidden_value(page, "form_token"), "text": "x", "website": ""}
    response = client.post("/tips/follow-up/send/", data)
    assert response.status_code == 400 and "Type your receipt phrase again" in response.content.decode()
    time_machine.move_to("2026-06-01 10:31Z", tick=False)
    data["access"] = hidden_value(page, "access")
    response = client.post("/tips/follow-up/send/", data)
    assert response.status_code == 400 and "Type your receipt phrase again" in response.content.decode()
    assert not TipMessage.objects.exists()


def test_guessing_is_throttled_politely_per_client(client, phrase):
    guesser = Client(REMOTE_ADDR="198.51.100.20")
    limit = throttle.LIMITS["follow_up"].per_client
    for _ in range(limit):
        assert open_tip(guesser, "wrong guess words").status_code == 400
    response = open_tip(guesser, phrase)  # even the right phrase waits now
    assert response.status_code == 429
    assert re.search(r"try again in \d+ minutes?\.", response.content.decode())
    # Another client is not affected.
    assert open_tip(Client(REMOTE_ADDR="198.51.100.21"), phrase).status_code == 200


def test_guessing_from_many_addresses_hits_the_overall_limit(client, phrase, monkeypatch):
    monkeypatch.setitem(
        throttle.LIMITS,
        "follow_up",
        throttle.Limit(per_client=10, overall=5, window_seconds=600, attempts_per_client=40),
    )
    for number in range(5):
        assert open_tip(Client(REMOTE_ADDR=f"198.51.100.{number}"), "wrong words").status_code == 400
    assert open_tip(Client(REMOTE_ADDR="198.51.100.99"), phrase).status_code == 429


def test_the_phrase_still_works_after_secret_key_rotation(client, phrase, settings):
    old = settings.SECRET_KEY
    new = "a-new-secret-key-" + "x" * 40
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old]):
        assert open_tip(client, phrase).status_code == 200
        settle_tips()
        # Re-indexed under the new key once the hour of the visit was settled.
        assert Tip.objects.get().receipt_index == receipt.receipt_index(phrase)
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[]):
        assert open_tip(client, phrase).status_code == 200  # the old key can go


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_visit_after_secret_key_rotation_leaves_the_tips_row_as_it_was_until_its_hour_is_settled(settings):
    from django.db import connection

    def row_version() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text, xmin::text, receipt_index FROM tips_tip")
            return cursor.fetchone()

    client = Client()
    phrase = receipt_phrase(submit_tip(client).content.decode())
    settle_tips()
    before = row_version()
    with override_settings(SECRET_KEY="a-new-secret-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert open_tip(client, phrase).status_code == 200
        assert row_version() == before  # neither moved nor stamped with the visit's transaction
        settle_tips()
        assert row_version()[2] == receipt.receipt_index(phrase)


def test_follow_up_pages_need_no_cookie_and_no_javascript(client, phrase):
    response = client.get("/tips/follow-up/")
    assert not response.cookies and "<script" not in response.content.decode()
    response = open_tip(client, phrase)
    assert not response.cookies and "<script" not in response.content.decode()


def test_a_form_without_its_token_says_so(client, phrase):
    page = open_tip(client, phrase).content.decode()
    response = client.post(
        "/tips/follow-up/send/", {"access": hidden_value(page, "access"), "text": "No token", "website": ""}
    )
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert not TipMessage.objects.exists()


def test_a_tip_deleted_meanwhile_asks_for_the_phrase_again(client, phrase):
    page = open_tip(client, phrase).content.decode()
    Tip.objects.all().delete()
    data = {"access": hidden_value(page, "access"), "form_token": hidden_value(page, "form_token"), "text": "x"}
    response = client.post("/tips/follow-up/send/", data)
    assert response.status_code == 404
    assert "We could not find that tip" in response.content.decode()


def test_too_much_at_once_on_follow_up_is_refused_with_a_message(client, phrase, monkeypatch):
    from tips import http

    monkeypatch.setattr(http, "MAX_REQUEST_BYTES", 1000)
    page = open_tip(client, phrase).content.decode()
    data = {
        "access": hidden_value(page, "access"),
        "form_token": hidden_value(page, "form_token"),
        "files": [named(jpeg_with_gps(), "big.jpg")],
    }
    response = client.post("/tips/follow-up/send/", data)
    assert response.status_code == 413
    assert "too large together" in response.content.decode()
    assert not TipAttachment.objects.exists()


def test_opening_the_tip_clears_the_tipster_wrote_flag(client, phrase, reviewer_client):
    page = open_tip(client, phrase).content.decode()
    data = {"access": hidden_value(page, "access"), "form_token": hidden_value(page, "form_token"), "text": "More"}
    client.post("/tips/follow-up/send/", data)
    settle_tips()
    tip = Tip.objects.get()
    assert tip.tipster_wrote
    assert "More" in reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/").content.decode()
    tip.refresh_from_db()
    assert not tip.tipster_wrote

"""Check-in at the door: the registration e-mail carries the code as a QR code, the check-in page
answers at once for a typed or scanned code, guessing codes goes nowhere, and a door list prints."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Profile
from audit.models import AuditEntry
from meetings import services
from meetings.models import Meeting, Rsvp
from meetings.services import rsvp_cancel, rsvp_create
from outbox.models import Email
from portal.check_in import qr_png
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def inline_images(message) -> dict[str, bytes]:
    """Content-ID → image bytes of the inline parts of a sent message."""
    return {
        part["Content-ID"]: part.get_payload(decode=True) for part in message.message().walk() if part.get("Content-ID")
    }


def test_the_confirmation_carries_the_code_as_an_inline_qr_code(resident, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp = rsvp_create(meeting=meeting, user=resident)
    message = mail.outbox[0]
    assert inline_images(message) == {"<registration-code>": qr_png(rsvp.code)}
    # The image goes with the text and HTML that show it (multipart/related); the .ics beside them.
    sent = message.message()
    (related,) = [part for part in sent.walk() if part.get_content_type() == "multipart/related"]
    alternative, image = related.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [name for name, _content, _type in message.attachments] == [f"{meeting.slug}.ics"]
    assert image.get_content_type() == "image/png"
    assert image.get("Content-Disposition").startswith("inline")
    row = Email.objects.get(to=resident.email)
    assert row.sealed == ""  # erased once sent, image and code with it


def test_the_queued_row_keeps_the_qr_code_sealed_and_says_so_in_its_context(resident):
    rsvp = rsvp_create(meeting=make_meeting(), user=resident)  # not committed: still queued
    row = Email.objects.get(to=resident.email)
    assert rsvp.code not in row.sealed
    assert row.context["check_in_qr"] is True
    assert [a["content_id"] for a in row.attachments if a.get("content_id")] == ["registration-code"]


def test_a_promoted_person_gets_the_qr_code_and_the_waiting_list_does_not(django_capture_on_commit_callbacks):
    meeting = make_meeting(capacity=1)
    first, second = make_user("first@example.com"), make_user("second@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=meeting, user=first)
        waiting = rsvp_create(meeting=meeting, user=second)
    assert inline_images(mail.outbox[1]) == {}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_cancel(meeting=meeting, user=first)
    assert inline_images(mail.outbox[0]) == {"<registration-code>": qr_png(waiting.code)}


def test_an_online_meeting_has_no_door_and_no_qr_code(resident, django_capture_on_commit_callbacks):
    meeting = make_meeting(mode=Meeting.Mode.ONLINE, address="", online_url="https://meet.example.com/x")
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=meeting, user=resident)
    assert inline_images(mail.outbox[0]) == {}
    assert "check_in_qr" not in Email.objects.get().context if Email.objects.get().sealed else True


@pytest.fixture
def door(resident):
    """A meeting starting in half an hour, Alice going (with a name), and the check-in page's address."""
    Profile.objects.update_or_create(user=resident, defaults={"display_name": "Alice Liddell"})
    meeting = make_meeting(starts_at=timezone.now() + timedelta(minutes=30), capacity=1)
    rsvp = rsvp_create(meeting=meeting, user=resident)
    return meeting, rsvp, f"/admin/meetings/meeting/{meeting.pk}/attendance/"


def test_a_typed_code_checks_in_at_once_and_shows_who(desk_client, door):
    _meeting, rsvp, url = door
    response = desk_client.post(url, {"code": f" {rsvp.code.lower()} "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice Liddell &lt;alice@example.com&gt;" in page
    assert "Checked in now." in page
    assert 'class="check-in-outcome check-in-checked_in check-in-ok"' in page
    # The box is empty again and has the focus, for the next person's scan.
    assert 'name="code"' in page and 'value="' + rsvp.code not in page.split('name="code"')[1][:200]
    assert "autofocus" in page.split('name="code"')[1][:300]
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None
    assert AuditEntry.objects.filter(action="meeting.checked_in").count() == 1


def test_a_second_scan_says_already_checked_in(desk_client, door):
    _meeting, rsvp, url = door
    desk_client.post(url, {"code": rsvp.code})
    page = desk_client.post(url, {"code": rsvp.code}).content.decode()
    assert "was already checked in at" in page
    assert "check-in-already" in page
    assert "Alice Liddell" in page


def test_a_waitlisted_code_shows_the_person_and_their_status(desk_client, door):
    meeting, _rsvp, url = door
    waiting = rsvp_create(meeting=meeting, user=make_user("bob@example.com"))
    page = desk_client.post(url, {"code": waiting.code}).content.decode()
    assert "<strong>bob@example.com</strong> · On the waiting list" in page
    assert "check-in-not_going" in page
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


def test_an_unknown_code_is_not_found(desk_client, door):
    _meeting, _rsvp, url = door
    page = desk_client.post(url, {"code": "ZZZZ2222"}).content.decode()
    assert "No registration for this meeting has the code ZZZZ2222." in page
    assert "check-in-not_found" in page


def test_an_empty_box_is_a_clear_error(desk_client, door):
    _meeting, _rsvp, url = door
    assert "This field is required." in desk_client.post(url, {"code": ""}).content.decode()


def test_guessing_codes_is_stopped_and_a_right_guess_after_the_limit_checks_in_nobody(desk_client, door, monkeypatch):
    _meeting, rsvp, url = door
    monkeypatch.setattr(services, "CHECK_IN_ATTEMPTS", 3)
    for guess in ("AAAA2222", "BBBB2222", "CCCC2222"):
        assert "check-in-not_found" in desk_client.post(url, {"code": guess}).content.decode()
    page = desk_client.post(url, {"code": rsvp.code}).content.decode()
    assert "You have done this too many times" in page
    assert "Alice Liddell" not in page.split("check-in-result")[1].split("check-in-files")[0]
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_the_door_list_pdf_lists_everyone_going_with_code_and_tick_box(desk_client, door, officer):
    meeting, rsvp, _url = door
    waiting = rsvp_create(meeting=meeting, user=make_user("bob@example.com"))
    response = desk_client.get(f"/admin/meetings/meeting/{meeting.pk}/door-list.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Door list: Riverside town hall" in text
    assert "Alice Liddell <alice@example.com>" in text
    assert rsvp.code in text
    assert waiting.code not in text and "bob@example.com" not in text
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == officer and entry.detail["filename"] == f"door-list-{meeting.slug}.pdf"


def test_a_resident_cannot_open_the_check_in_page_or_the_door_list(resident_client, door):
    meeting, _rsvp, url = door
    assert resident_client.get(url).status_code == 302  # to the log-in page
    assert resident_client.get(f"/admin/meetings/meeting/{meeting.pk}/door-list.pdf").status_code == 302
    assert Rsvp.objects.filter(checked_in_at__isnull=False).count() == 0

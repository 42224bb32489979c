"""Check-in at a program session's door: the seat's e-mail carries the code as a QR code, and the
session's page checks in a scanned (full) or typed (short) code at once, with a door list on paper."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEntry
from portal.check_in import qr_png
from programs import services
from programs.models import Application, Attendance
from tests.conftest import make_user
from tests.meetings.test_door_check_in import inline_images
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def test_a_seat_s_e_mail_carries_the_full_code_as_a_qr_code(django_capture_on_commit_callbacks):
    program = make_program()
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(program=program, applicant=make_user("ann@example.com"))
    assert application.status == Application.Status.ACCEPTED
    received, accepted = (message for message in mail.outbox if message.to == ["ann@example.com"])
    assert inline_images(received) == {}  # "we have your application": no seat yet
    assert inline_images(accepted) == {"<registration-code>": qr_png(str(application.code))}
    # Both parts show the short code to type at the door; the HTML part shows the attached QR code.
    code = services.short_code(application)
    assert f"Your registration code is {code}" in accepted.body
    html = accepted.alternatives[0][0]
    assert code in html and 'src="cid:registration-code"' in html


@pytest.fixture
def door():
    """A program whose session starts in half an hour, Ann seated, and the session's check-in page."""
    program = make_program(capacity=1)
    application = services.application_submit(program=program, applicant=make_user("ann@example.com"))
    session = program.sessions.get()
    session.starts_at = timezone.now() + timedelta(minutes=30)
    session.save()
    return session, application, f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/"


@pytest.mark.parametrize("as_typed", [lambda a: str(a.code), lambda a: services.short_code(a).lower()])
def test_a_scanned_or_typed_code_checks_in_at_once(desk_client, door, as_typed):
    session, application, url = door
    page = desk_client.post(url, {"code": as_typed(application)}).content.decode()
    assert "Checked in now." in page and "ann@example.com · Accepted" in page.replace("</strong>", "")
    assert Attendance.objects.get(session=session, application=application).present
    assert AuditEntry.objects.filter(action="programs.session.checked_in").count() == 1
    again = desk_client.post(url, {"code": as_typed(application)}).content.decode()
    assert "Already checked in to this session." in again


def test_a_code_without_a_seat_or_unknown_checks_in_nobody(desk_client, door):
    session, _application, url = door
    waiting = services.application_submit(program=session.program, applicant=make_user("bo@example.com"))
    assert waiting.status == Application.Status.WAITLISTED
    page = desk_client.post(url, {"code": services.short_code(waiting)}).content.decode()
    assert "This application is waitlisted: it holds no seat." in page
    page = desk_client.post(url, {"code": "0000ZZZZ"}).content.decode()
    assert "No application to this program has the code 0000ZZZZ." in page
    assert not Attendance.objects.exists()


def test_check_in_opens_an_hour_before_the_session(desk_client, door):
    session, application, url = door
    session.starts_at = timezone.now() + timedelta(days=27)
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.save()
    page = desk_client.post(url, {"code": str(application.code)}).content.decode()
    assert "check-in opens an hour before it starts" in page
    assert not Attendance.objects.exists()


def test_guessing_codes_is_stopped(desk_client, door, monkeypatch):
    _session, application, url = door
    monkeypatch.setattr(services, "CHECK_IN_ATTEMPTS", 2)
    desk_client.post(url, {"code": "AAAAAAAA"})
    desk_client.post(url, {"code": "BBBBBBBB"})
    page = desk_client.post(url, {"code": str(application.code)}).content.decode()
    assert "You have done this too many times" in page
    assert not Attendance.objects.exists()


def test_the_session_door_list_has_everyone_seated_with_their_short_code(desk_client, door):
    session, application, _url = door
    waiting = services.application_submit(program=session.program, applicant=make_user("bo@example.com"))
    response = desk_client.get(f"/admin/programs/program/{session.program_id}/sessions/{session.pk}/door-list.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "ann@example.com" in text and services.short_code(application) in text
    assert "bo@example.com" not in text and services.short_code(waiting) not in text
    assert AuditEntry.objects.filter(action="export").count() == 1


@pytest.mark.parametrize("typed", ["z" * 32, "é" * 32, "%00" + "a" * 31, "١" * 8, "x" * 40])
def test_an_odd_code_is_not_found_with_a_message(desk_client, door, typed):
    # 32 letters that are not hexadecimal are no UUID: the door says "no such code", never a 500.
    session, _application, url = door
    response = desk_client.post(url, {"code": typed})
    assert response.status_code == 200
    assert "No application to this program has the code" in response.content.decode()
    assert not Attendance.objects.filter(session=session).exists()

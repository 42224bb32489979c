"""A session's online link (often with its passcode) is for applicants with a seat, as a meeting's is for attendees."""

import pytest
from django.core import mail
from django.test import Client

from programs import services
from programs.models import Application, ProgramSession
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://meet.example.org/academy?pwd=s3cret"


@pytest.fixture
def full_program(db):
    """A one-seat program whose session is online; the seat is taken by someone else."""
    program = make_program(capacity=1)
    ProgramSession.objects.filter(program=program).update(online_url=SECRET_LINK)
    services.application_submit(program=program, applicant=make_user("seated@example.com"))
    return program


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page_and_calendar(client: Client, program) -> tuple[str, str]:
    page = client.get(f"/programs/{program.slug}/")
    calendar = client.get(f"/programs/{program.slug}/calendar.ics")
    assert page.status_code == calendar.status_code == 200
    return page.content.decode(), calendar.content.decode()


def test_anonymous_visitors_see_no_online_link_on_the_page_or_in_the_calendar(full_program):
    page, calendar = _page_and_calendar(Client(), full_program)
    assert "meet.example.org" not in page
    assert "Online: the link is shown here once you have a seat." in page
    assert "meet.example.org" not in calendar
    assert f"http://127.0.0.1:8000/programs/{full_program.slug}/" in calendar.replace("\r\n ", "")


def test_a_waitlisted_applicant_gets_no_online_link_anywhere(
    resident, full_program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(program=full_program, applicant=resident)
    assert application.status == Application.Status.WAITLISTED

    page, calendar = _page_and_calendar(_client_for(resident), full_program)
    assert "meet.example.org" not in page
    assert "meet.example.org" not in calendar
    for message in mail.outbox:
        if message.to == [resident.email]:
            assert "meet.example.org" not in message.body


def test_a_seated_applicant_sees_the_online_link_on_the_page_and_in_the_calendar(resident, full_program):
    seated = Application.objects.get(program=full_program, status=Application.Status.ACCEPTED).applicant
    page, calendar = _page_and_calendar(_client_for(seated), full_program)
    assert f'href="{SECRET_LINK}"' in page
    assert "meet.example.org/academy" in calendar.replace("\r\n ", "")
    response = _client_for(seated).get(f"/programs/{full_program.slug}/calendar.ics")
    assert "private" in response["Cache-Control"]


def test_a_completed_applicant_keeps_the_link_but_another_programs_seat_does_not_count(resident, full_program):
    other = make_program()
    services.application_submit(program=other, applicant=resident)  # seated elsewhere
    page, calendar = _page_and_calendar(_client_for(resident), full_program)
    assert "meet.example.org" not in page
    assert "meet.example.org" not in calendar

    seated = Application.objects.get(program=full_program, status=Application.Status.ACCEPTED)
    Application.objects.filter(pk=seated.pk).update(status=Application.Status.COMPLETED)
    page, _calendar = _page_and_calendar(_client_for(seated.applicant), full_program)
    assert f'href="{SECRET_LINK}"' in page

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.timezone import localtime
from pypdf import PdfReader

from accounts.selectors import profile_for
from programs import services
from programs.models import Application
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def test_my_programs_lists_each_application_with_its_status(resident_client, resident):
    seated = make_program(title="Home security workshop", slug="home-security")
    full = make_program(title="Ride-along", slug="ride-along", capacity=1)
    services.application_submit(program=full, applicant=make_user("first@example.com"))
    services.application_submit(program=seated, applicant=resident)
    services.application_submit(program=full, applicant=resident)
    page = resident_client.get("/programs/mine/").content.decode()
    assert "Home security workshop" in page and "Accepted" in page
    assert "Ride-along" in page and "Waitlisted" in page and "Number 1 on the waitlist." in page


def test_my_programs_shows_when_each_program_starts_in_local_time(resident_client, resident):
    program = make_program(title="Ride-along", slug="ride-along", sessions=3)
    later_added_but_earlier = program.sessions.order_by("starts_at").first().starts_at - timedelta(days=2)
    program.sessions.create(
        title="Welcome", starts_at=later_added_but_earlier, ends_at=later_added_but_earlier + timedelta(hours=1)
    )
    services.application_submit(program=program, applicant=resident)
    page = resident_client.get("/programs/mine/").content.decode()
    assert f"First session {date_format(localtime(later_added_but_earlier), 'LONG_DATETIME_FORMAT')}" in page


def test_my_programs_takes_the_same_queries_for_one_or_many_applications(
    resident_client, resident, django_assert_max_num_queries
):
    services.application_submit(program=make_program(sessions=2), applicant=resident)
    with CaptureQueriesContext(connection) as one:
        assert resident_client.get("/programs/mine/").status_code == 200
    for _ in range(8):
        services.application_submit(program=make_program(sessions=2), applicant=resident)
    with django_assert_max_num_queries(len(one)):
        page = resident_client.get("/programs/mine/").content.decode()
    assert page.count("First session") == 9


def test_my_programs_shows_only_my_own(resident_client, other_resident, program):
    services.application_submit(program=program, applicant=other_resident)
    page = resident_client.get("/programs/mine/").content.decode()
    assert "You have not applied to any program yet." in page


def test_my_programs_needs_a_log_in(anonymous_client):
    response = anonymous_client.get("/programs/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_withdrawing_my_application(resident_client, resident, program):
    application = services.application_submit(program=program, applicant=resident)
    response = resident_client.post(f"/programs/mine/{application.code}/withdraw/", follow=True)
    assert f"You withdrew from {program.title}." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_withdrawing_needs_a_post(resident_client, resident, program):
    application = services.application_submit(program=program, applicant=resident)
    assert resident_client.get(f"/programs/mine/{application.code}/withdraw/").status_code == 405
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED


def test_withdrawing_someone_elses_application_is_not_found(resident_client, other_resident, program):
    application = services.application_submit(program=program, applicant=other_resident)
    assert resident_client.post(f"/programs/mine/{application.code}/withdraw/").status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED


def test_withdrawing_twice_explains_why_not(resident_client, resident, program):
    application = services.application_submit(program=program, applicant=resident)
    resident_client.post(f"/programs/mine/{application.code}/withdraw/")
    response = resident_client.post(f"/programs/mine/{application.code}/withdraw/", follow=True)
    assert "This application is withdrawn and can no longer be withdrawn." in response.content.decode()


def test_the_service_refuses_withdrawing_for_someone_else(resident, other_resident, program):
    application = services.application_submit(program=program, applicant=other_resident)
    with pytest.raises(services.ProgramError, match="only withdraw your own"):
        services.application_withdraw(application=application, user=resident)


def _end_the_course(program) -> None:
    """Move the program's sessions into the past: only then can anyone complete it."""
    program.sessions.update(starts_at=F("starts_at") - timedelta(days=30), ends_at=F("ends_at") - timedelta(days=30))


def test_a_graduate_downloads_their_certificate(
    resident_client, resident, officer, program, django_capture_on_commit_callbacks
):
    profile = profile_for(resident)
    profile.display_name = "Alice Walker"
    profile.save()
    application = services.application_submit(program=program, applicant=resident)
    mail.outbox.clear()
    _end_the_course(program)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_complete(application=application, actor=officer)
    [message] = mail.outbox
    assert message.subject == f"Congratulations: your certificate for {program.title}"
    assert "http://127.0.0.1:8000/programs/mine/" in message.body

    page = resident_client.get("/programs/mine/").content.decode()
    url = f"/programs/mine/{application.code}/certificate.pdf"
    assert url in page
    response = resident_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Certificate of completion" in text
    assert "Alice Walker" in text
    assert program.title in text


def test_no_certificate_before_completion_or_for_others(resident_client, resident, other_resident, officer, program):
    mine = services.application_submit(program=program, applicant=resident)
    theirs = services.application_submit(program=program, applicant=other_resident)
    _end_the_course(program)
    services.application_complete(application=theirs, actor=officer)
    assert resident_client.get(f"/programs/mine/{mine.code}/certificate.pdf").status_code == 404
    assert resident_client.get(f"/programs/mine/{theirs.code}/certificate.pdf").status_code == 404

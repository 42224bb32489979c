"""In a real browser on a 390 px phone: an officer checks in an attendee by code, as a scanner would
type it (the code and Enter), sees who it was at once, and the box is ready for the next; axe passes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Profile
from meetings.services import rsvp_create
from programs import services as program_services
from tests.conftest import enrol_totp, make_user
from tests.helpers import assert_accessible
from tests.meetings.conftest import make_meeting
from tests.officers.desk import log_in
from tests.programs.conftest import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server, officer):
    enrol_totp(officer)
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}, has_touch=True
    )
    log_in(context, live_server, officer)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_officer_checks_in_an_attendee_by_code_on_a_phone(phone, resident):
    Profile.objects.update_or_create(user=resident, defaults={"display_name": "Alice Liddell"})
    meeting = make_meeting(starts_at=timezone.now() + timedelta(minutes=20))
    rsvp = rsvp_create(meeting=meeting, user=resident)
    rsvp_create(meeting=meeting, user=make_user("bob@example.com"))

    phone.goto(f"/admin/meetings/meeting/{meeting.pk}/attendance/")
    box = phone.get_by_label("Registration code")
    expect(box).to_be_focused()  # autofocus lands at the next rendering step
    assert fits(phone)
    assert_accessible(phone)

    phone.keyboard.type(rsvp.code)  # what a USB or phone scanner does: the code, then Enter
    phone.keyboard.press("Enter")
    result = phone.get_by_role("status")
    result.get_by_text("Checked in now.").wait_for()
    assert "Alice Liddell <alice@example.com>" in result.inner_text()
    box = phone.get_by_label("Registration code")
    assert box.input_value() == ""
    expect(box).to_be_focused()  # autofocus lands at the next rendering step
    assert fits(phone)
    assert_accessible(phone)

    box.fill(rsvp.code)
    box.press("Enter")
    phone.get_by_role("status").get_by_text("already checked in").wait_for()
    assert_accessible(phone)


def test_a_program_session_s_door_works_on_a_phone_too(phone):
    program = make_program()
    application = program_services.application_submit(program=program, applicant=make_user("ann@example.com"))
    session = program.sessions.get()
    session.starts_at = timezone.now() + timedelta(minutes=20)
    session.save()

    phone.goto(f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/")
    phone.keyboard.type(program_services.short_code(application))
    phone.keyboard.press("Enter")
    phone.get_by_role("status").get_by_text("Checked in now.").wait_for()
    assert fits(phone)
    assert_accessible(phone)

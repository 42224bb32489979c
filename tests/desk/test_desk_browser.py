"""In a real browser: an officer signs in with their authenticator app, clears the desk's queue and
sends a newsletter through its confirmation; axe checks the desk and the confirmation pages in
English and Spanish."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone

from meetings.models import Question
from newsletters.models import Newsletter
from outbox.models import Email
from programs import services as program_services
from programs.models import Application
from tests.conftest import PASSWORD, enrol_totp, make_user
from tests.helpers import assert_accessible
from tests.meetings.conftest import make_meeting
from tests.newsletters.helpers import make_subscription
from tests.programs.conftest import make_program
from watch.models import Concern, WatchGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_with_totp(page, user, secret: str) -> None:
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password (required)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/2fa/authenticate/")
    if time.time() % 30 > 25:  # a code about to expire could be stale by the time it is checked
        time.sleep(30 - time.time() % 30 + 0.5)
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/admin/")


def _queue(page, label: str):
    return page.locator("table.desk-queues tr", has=page.get_by_role("link", name=label))


def _run_action(page, checkbox_value, action: str) -> None:
    page.locator(f"input[name=_selected_action][value='{checkbox_value}']").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()


def test_an_officer_clears_the_desk_and_sends_a_newsletter(page, officer, neighbourhood):
    secret = enrol_totp(officer)
    program = make_program(requires_approval=True, title="Citizen Police Academy")
    applicant = make_user("ana@example.com", first_name="Ana")
    application = program_services.application_submit(program=program, applicant=applicant)
    assert application.status == Application.Status.PENDING
    meeting = make_meeting(
        neighbourhood=neighbourhood, title="Riverside beat meeting", starts_at=timezone.now() + timedelta(hours=5)
    )
    question = Question.objects.create(meeting=meeting, author=applicant, text="When will the lights be fixed?")
    group = WatchGroup.objects.create(name="Elm Watch", slug="elm", neighbourhood=neighbourhood, status="approved")
    concern = Concern.objects.create(group=group, reporter=applicant, subject="Dark alley", body="No light at night.")
    for n in range(3):
        make_subscription(f"reader{n}@example.com")
    make_subscription("lector@example.com", language="es")
    newsletter = Newsletter.objects.create(subject="Bike thefts are down", body="Lock your bike.", audience="all")

    _sign_in_with_totp(page, officer, secret)
    page.get_by_role("heading", name="What needs doing now").wait_for()
    assert "1" in _queue(page, "Applications waiting for a decision").inner_text()
    assert "Riverside beat meeting" in page.locator("#content-main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Guide for officers: what each screen is for").click()
    page.get_by_role("heading", name="The desk (home page)").wait_for()
    assert_accessible(page)
    page.goto("/admin/")

    # Decide an application, with a reason.
    page.get_by_role("link", name="Applications waiting for a decision").click()
    _run_action(page, application.pk, "decline")
    page.get_by_role("heading", name="Decline applications").wait_for()
    assert_accessible(page)
    page.get_by_label("Reason, sent to each applicant in their e-mail").fill("The course is for residents over 18.")
    page.get_by_role("button", name="Yes, decline").click()
    page.get_by_text("1 application declined").wait_for()
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED

    # Moderate a question.
    page.goto("/admin/")
    page.get_by_role("link", name="Questions to moderate for the next meetings").click()
    _run_action(page, question.pk, "publish")
    page.get_by_text("1 question(s) published.").wait_for()

    # Reply to a concern.
    page.goto("/admin/")
    page.get_by_role("link", name="Concerns without a reply").click()
    page.get_by_role("link", name="Dark alley").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Reply to the resident").fill("We asked the city to repair the light this week.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Your reply was e-mailed to the resident.").wait_for()
    concern.refresh_from_db()
    assert concern.replied_at is not None

    page.goto("/admin/")
    for label in ["Applications waiting for a decision", "Questions to moderate", "Concerns without a reply"]:
        assert _queue(page, label).locator("td").inner_text().strip() == "0"

    # Send a newsletter through its confirmation.
    page.goto("/admin/newsletters/newsletter/")
    _run_action(page, newsletter.pk, "send_now")
    page.get_by_role("heading", name="Send now?").wait_for()
    assert "4 people get this e-mail." in page.locator("#content-main").inner_text()
    assert_accessible(page)
    assert Email.objects.filter(template="newsletters/emails/newsletter").count() == 0
    page.get_by_role("button", name="Yes, send now").click()
    page.get_by_text("are being sent").wait_for()
    assert Email.objects.filter(template="newsletters/emails/newsletter").count() == 4


def test_the_desk_and_a_confirmation_page_in_spanish(page, officer, neighbourhood, live_server):
    secret = enrol_totp(officer)
    make_subscription("lector@example.com", language="es")
    newsletter = Newsletter.objects.create(subject="Bike thefts are down", body="Lock your bike.", audience="all")
    _sign_in_with_totp(page, officer, secret)
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto("/admin/")
    page.locator("html[lang=es]").wait_for()
    assert_accessible(page)
    page.goto("/admin/newsletters/newsletter/")
    _run_action(page, newsletter.pk, "send_now")
    page.locator(".desk-confirmation").wait_for()
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_confirmation_page_passes_axe(page, officer, neighbourhood, live_server, language):
    from alerts.models import Alert
    from meetings.services import rsvp_create
    from tests.alerts.conftest import make_alert

    secret = enrol_totp(officer)
    make_subscription("lector@example.com", language="es", neighbourhoods=[neighbourhood])
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood])
    assert alert.status == Alert.Status.DRAFT
    meeting = make_meeting(neighbourhood=neighbourhood, title="Riverside beat meeting")
    rsvp_create(meeting=meeting, user=make_user("ana@example.com"))
    program = make_program(title="Citizen Police Academy")
    program_services.application_submit(program=program, applicant=make_user("bruno@example.com"))
    _sign_in_with_totp(page, officer, secret)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(f"/admin/alerts/alert/{alert.pk}/publish/")
    page.locator(".desk-confirmation").wait_for()
    assert_accessible(page)

    page.goto("/admin/meetings/meeting/")
    _run_action(page, meeting.pk, "cancel")
    page.locator(".desk-confirmation textarea").wait_for()
    assert_accessible(page)

    page.goto(f"/admin/programs/program/{program.pk}/message/")
    assert_accessible(page)
    page.locator("input[name=audience][value=all]").check()
    page.locator("input[name=subject]").fill("Room change")
    page.locator("textarea[name=body]").fill("We meet in room 4 tonight.")
    page.locator("input[type=submit].default").click()
    page.locator(".desk-confirmation details").first.wait_for()
    assert_accessible(page)
    assert Email.objects.filter(template="programs/emails/participants_message").count() == 0

"""A resident finds an academy by filter, applies, sees it in "my programs" and withdraws, in a real browser."""

import pytest

from programs.models import Application, Program, ProgramQuestion
from tests.conftest import make_user
from tests.helpers import assert_accessible, log_in_in_browser
from tests.programs.conftest import add_question, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_apply_see_and_withdraw(page):
    resident = make_user("maria@example.com")
    academy = make_program(title="Spring Citizen Police Academy", kind=Program.Kind.ACADEMY, sessions=3)
    add_question(academy, "Why do you want to join?")
    add_question(academy, "Would you like a ride-along?", ProgramQuestion.Kind.YES_NO, required=False)
    make_program(title="Home security workshop", kind=Program.Kind.WORKSHOP)

    log_in_in_browser(page, resident)

    page.goto("/programs/")
    assert_accessible(page)
    page.get_by_label("Kind").select_option(label="Citizen police academy")
    page.get_by_role("button", name="Show programs").click()
    page.wait_for_url("**/programs/?kind=academy*")
    assert page.get_by_role("link", name="Home security workshop").count() == 0
    page.get_by_role("link", name="Spring Citizen Police Academy").click()

    page.get_by_role("heading", name="Spring Citizen Police Academy", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Apply to Spring Citizen Police Academy").click()

    page.get_by_role("heading", name="Apply to Spring Citizen Police Academy").wait_for()
    assert_accessible(page)
    # Submitting without the required answer keeps the page and says what is missing.
    page.get_by_role("button", name="Send my application").click()
    page.locator(".field-invalid").get_by_text("This field is required.").wait_for()
    page.get_by_label("Why do you want to join?").fill("To understand how my city is policed.")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send my application").click()

    page.get_by_role("heading", name="My programs").wait_for()
    page.get_by_text("You have a seat in Spring Citizen Police Academy.").wait_for()
    assert page.locator(".listing .badge").first.inner_text() == "Accepted"
    application = Application.objects.get(applicant=resident)
    assert application.answers[1]["answer"] == "yes"

    page.get_by_role("button", name="Withdraw from Spring Citizen Police Academy").click()
    page.get_by_text("You withdrew from Spring Citizen Police Academy.").wait_for()
    assert page.locator(".listing .badge").first.inner_text() == "Withdrawn"
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN

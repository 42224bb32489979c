from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from accounts.selectors import profile_for
from programs import services
from programs.models import Application, Program, ProgramQuestion
from programs.services import ProgramError
from tests.conftest import make_user
from tests.programs.conftest import add_question, make_program, years_ago

pytestmark = pytest.mark.django_db


def test_a_free_seat_is_confirmed_at_once_and_both_emails_go_out(
    resident_client, resident, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(f"/programs/{program.slug}/apply/")
    assert response.status_code == 302
    assert response["Location"] == "/programs/mine/"
    application = Application.objects.get(program=program, applicant=resident)
    assert application.status == Application.Status.ACCEPTED
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        f"We received your application to {program.title}",
        f"You have a seat in {program.title}",
    ]
    assert all(message.to == [resident.email] for message in mail.outbox)


def test_a_full_program_waitlists_new_applicants_in_order(django_capture_on_commit_callbacks):
    program = make_program(capacity=1)
    people = [make_user(f"person{n}@example.com") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        applications = [services.application_submit(program=program, applicant=person) for person in people]
    assert [a.status for a in applications] == ["accepted", "waitlisted", "waitlisted"]
    assert [a.waitlist_position for a in applications] == [None, 1, 2]
    waitlisted_mail = [m for m in mail.outbox if "waitlist" in m.subject]
    assert {m.to[0] for m in waitlisted_mail} == {"person1@example.com", "person2@example.com"}
    assert "number 2 on its waitlist" in next(m for m in waitlisted_mail if m.to == ["person2@example.com"]).body


def test_an_approval_program_keeps_applications_pending_until_an_officer_accepts(resident, officer):
    program = make_program(requires_approval=True, capacity=1)
    application = services.application_submit(program=program, applicant=resident)
    assert application.status == Application.Status.PENDING
    other = services.application_submit(program=program, applicant=make_user("second@example.com"))

    services.application_accept(application=application, actor=officer)
    # The second acceptance still respects capacity: the program is full, so it is waitlisted.
    services.application_accept(application=other, actor=officer)

    application.refresh_from_db()
    other.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert (other.status, other.waitlist_position) == (Application.Status.WAITLISTED, 1)


def test_the_apply_form_renders_the_programs_own_questions_as_fields(resident_client, program):
    add_question(program, "Why do you want to join?")
    add_question(program, "Have you done a ride-along before?", ProgramQuestion.Kind.YES_NO, required=False)
    add_question(program, "Preferred evening", ProgramQuestion.Kind.CHOICE, choices="Monday\nThursday")
    page = resident_client.get(f"/programs/{program.slug}/apply/").content.decode()
    assert "<textarea" in page and "Why do you want to join?" in page
    assert 'type="radio"' in page and 'value="yes"' in page and 'value="no"' in page
    assert 'value="Monday"' in page and 'value="Thursday"' in page


def test_answers_are_stored_beside_their_questions(resident_client, resident, program):
    why = add_question(program, "Why do you want to join?")
    evening = add_question(program, "Preferred evening", ProgramQuestion.Kind.CHOICE, choices="Monday\nThursday")
    optional = add_question(program, "Anything else?", required=False)
    resident_client.post(
        f"/programs/{program.slug}/apply/",
        {f"question_{why.pk}": "To understand policing", f"question_{evening.pk}": "Thursday"},
    )
    application = Application.objects.get(applicant=resident)
    assert application.answers == [
        {"question_id": why.pk, "question": "Why do you want to join?", "answer": "To understand policing"},
        {"question_id": evening.pk, "question": "Preferred evening", "answer": "Thursday"},
        {"question_id": optional.pk, "question": "Anything else?", "answer": ""},
    ]


def test_a_missing_required_answer_is_refused_and_the_other_answers_kept(resident_client, program):
    why = add_question(program, "Why do you want to join?")
    evening = add_question(program, "Preferred evening", ProgramQuestion.Kind.CHOICE, choices="Monday\nThursday")
    response = resident_client.post(f"/programs/{program.slug}/apply/", {f"question_{evening.pk}": "Thursday"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"question_{why.pk}"] == ["This field is required."]
    assert 'value="Thursday" required id="id_question_' in response.content.decode().replace(" checked", "")
    assert "checked" in response.content.decode()
    assert not Application.objects.exists()


def test_the_service_refuses_a_missing_required_answer_too(resident, program):
    add_question(program, "Why do you want to join?")
    with pytest.raises(ProgramError, match="Please answer “Why do you want to join\\?”"):
        services.application_submit(program=program, applicant=resident, answers={})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": Program.Status.CLOSED}, "closed to applications"),
        ({"applications_open_at": timezone.now() + timedelta(days=2)}, "Applications open on"),
        (
            {
                "applications_open_at": timezone.now() - timedelta(days=5),
                "applications_close_at": timezone.now() - timedelta(days=1),
            },
            "Applications closed on",
        ),
        ({"status": Program.Status.DRAFT}, "not published"),
    ],
)
def test_a_program_not_taking_applications_refuses_them(resident, overrides, message):
    program = make_program(**overrides)
    with pytest.raises(ProgramError, match=message):
        services.application_submit(program=program, applicant=resident)
    assert not Application.objects.exists()


def test_the_apply_page_of_a_closed_program_explains_and_sends_back(resident_client):
    program = make_program(applications_close_at=timezone.now() + timedelta(seconds=1))
    program.applications_close_at = timezone.now() - timedelta(seconds=1)
    program.save()
    response = resident_client.post(f"/programs/{program.slug}/apply/", follow=True)
    assert "This program is not taking applications now." in response.content.decode()
    assert not Application.objects.exists()


def test_a_draft_program_is_not_found_by_residents(resident_client):
    program = make_program(status=Program.Status.DRAFT)
    assert resident_client.get(f"/programs/{program.slug}/").status_code == 404
    assert resident_client.post(f"/programs/{program.slug}/apply/").status_code == 404


def test_applying_twice_is_refused_with_a_clear_message(resident, resident_client, program):
    services.application_submit(program=program, applicant=resident)
    with pytest.raises(ProgramError, match="already have an application to this program \\(accepted\\)"):
        services.application_submit(program=program, applicant=resident)
    response = resident_client.post(f"/programs/{program.slug}/apply/", follow=True)
    assert "You already applied to this program" in response.content.decode()
    assert Application.objects.filter(applicant=resident).count() == 1


def test_the_database_refuses_a_second_live_application_too(resident, program):
    Application.objects.create(program=program, applicant=resident, status=Application.Status.WAITLISTED)
    with pytest.raises(IntegrityError):
        Application.objects.create(program=program, applicant=resident, status=Application.Status.PENDING)


def test_after_withdrawing_a_resident_may_apply_again(resident, program):
    first = services.application_submit(program=program, applicant=resident)
    services.application_withdraw(application=first, user=resident)
    second = services.application_submit(program=program, applicant=resident)
    assert second.status == Application.Status.ACCEPTED


def test_anonymous_visitors_are_sent_to_log_in_before_applying(anonymous_client, program):
    response = anonymous_client.get(f"/programs/{program.slug}/apply/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_residents_only_programs_need_a_home_neighbourhood(resident, neighbourhood, other_neighbourhood):
    citywide = make_program(residents_only=True)
    local_program = make_program(residents_only=True, neighbourhood=neighbourhood)
    with pytest.raises(ProgramError, match="add your home neighbourhood to your profile"):
        services.application_submit(program=citywide, applicant=resident)

    profile = profile_for(resident)
    profile.home_neighbourhood = other_neighbourhood
    profile.save()
    with pytest.raises(ProgramError, match="for residents of Riverside; your profile says you live in Old Town"):
        services.application_submit(program=local_program, applicant=resident)
    assert services.application_submit(program=citywide, applicant=resident).status == "accepted"

    profile.home_neighbourhood = neighbourhood
    profile.save()
    assert services.application_submit(program=local_program, applicant=resident).status == "accepted"


def test_age_is_counted_on_the_first_session_day(resident):
    # Turns 18 five days after today; the program starts in ten days, so they are 18 by then.
    program = make_program(min_age=18, first_session_in=timedelta(days=10))
    application = services.application_submit(program=program, applicant=resident, date_of_birth=years_ago(18, days=-5))
    assert application.status == Application.Status.ACCEPTED
    assert application.guardian_email == ""


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (years_ago(11), "for ages 12 and over; you would be 11"),
        (years_ago(30), "for ages up to 17; you would be 30"),
        (None, "enter your date of birth"),
    ],
)
def test_applicants_outside_the_age_bounds_are_refused(resident, youth_program, born, message):
    with pytest.raises(ProgramError, match=message):
        services.application_submit(
            program=youth_program,
            applicant=resident,
            date_of_birth=born,
            guardian_name="Pat",
            guardian_email="pat@example.com",
        )
    assert not Application.objects.exists()


def test_an_ineligible_age_is_explained_on_the_form_and_input_kept(resident_client, youth_program):
    response = resident_client.post(
        f"/programs/{youth_program.slug}/apply/",
        {"date_of_birth": years_ago(30).isoformat(), "guardian_name": "Pat Doe"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This program is for ages up to 17; you would be 30 when it starts." in page
    assert 'value="Pat Doe"' in page

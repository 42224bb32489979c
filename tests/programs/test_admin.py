import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry
from programs import services
from programs.models import Application, Attendance, Program
from tests.conftest import desk_client_for, make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/programs/application/"


def _apply(program, count: int) -> list[Application]:
    return [
        services.application_submit(program=program, applicant=make_user(f"a{program.pk}-{n}@example.com"))
        for n in range(count)
    ]


def _act(client, action: str, applications) -> str:
    response = client.post(
        CHANGELIST, {"action": action, "_selected_action": [a.pk for a in applications]}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_bulk_accept_goes_through_the_resident_sides_service_and_is_audited(
    desk_client, officer, django_capture_on_commit_callbacks
):
    program = make_program(requires_approval=True, capacity=1)
    first, second = _apply(program, 2)
    mail.outbox.clear()
    with (
        mock.patch("programs.admin.services.application_accept", wraps=services.application_accept) as accept,
        django_capture_on_commit_callbacks(execute=True),
    ):
        page = _act(desk_client, "accept", [first, second])
    assert [call.kwargs["application"].pk for call in accept.call_args_list] == [first.pk, second.pk]
    assert "2 applications accepted or waitlisted" in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.waitlist_position) == ("accepted", "waitlisted", 1)
    entries = AuditEntry.objects.filter(action="programs.application.accept").order_by("id")
    assert [(e.actor, e.target_id, e.detail["result"]) for e in entries] == [
        (officer, str(first.pk), "accepted"),
        (officer, str(second.pk), "waitlisted"),
    ]
    assert sorted(m.subject.split(" ")[0] for m in mail.outbox) == ["You", "You"]


def test_a_refused_action_says_why(desk_client, program):
    (seated,) = _apply(program, 1)
    page = _act(desk_client, "accept", [seated])
    assert "is accepted, not pending." in page
    assert not AuditEntry.objects.filter(action="programs.application.accept").exists()


def test_bulk_decline_promote_and_complete(desk_client, officer):
    program = make_program(capacity=1, first_session_in=timedelta(days=-1))  # Its one session is over.
    seated, waiting = _apply(program, 2)
    declined = desk_client.post(
        CHANGELIST,
        {"action": "decline", "_selected_action": [seated.pk], "confirm": "yes", "reason": "Moved away."},
        follow=True,
    )
    assert "1 application declined" in declined.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "accepted"  # Promoted automatically into the freed seat.
    assert "only accepted applicants can complete" in _act(desk_client, "complete", [seated])
    assert "1 applicant marked as completed" in _act(desk_client, "complete", [waiting])
    waiting.refresh_from_db()
    assert waiting.status == "completed"
    actions = set(AuditEntry.objects.filter(actor=officer).values_list("action", flat=True))
    assert {"programs.application.decline", "programs.application.complete"} <= actions


def test_bulk_promote_needs_a_free_seat(desk_client):
    program = make_program(capacity=1)
    _seated, waiting = _apply(program, 2)
    assert "has no free seat" in _act(desk_client, "promote", [waiting])
    Program.objects.filter(pk=program.pk).update(capacity=2)
    assert "1 application promoted" in _act(desk_client, "promote", [waiting])
    assert AuditEntry.objects.filter(action="programs.application.promote", target_id=str(waiting.pk)).exists()


def _change_form(program: Program, **changes) -> dict:
    local_open = timezone.localtime(program.applications_open_at)
    local_close = timezone.localtime(program.applications_close_at)
    data = {
        "title": program.title,
        "slug": program.slug,
        "kind": program.kind,
        "status": program.status,
        "summary": program.summary,
        "description": program.description,
        "neighbourhood": "",
        "min_age": "",
        "max_age": "",
        "capacity": program.capacity,
        "applications_open_at_0": local_open.strftime("%Y-%m-%d"),
        "applications_open_at_1": local_open.strftime("%H:%M:%S"),
        "applications_close_at_0": local_close.strftime("%Y-%m-%d"),
        "applications_close_at_1": local_close.strftime("%H:%M:%S"),
    }
    for prefix in ("sessions", "questions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def test_capacity_below_the_seats_taken_is_refused_with_an_explanation(desk_client):
    program = make_program(capacity=5, sessions=0)
    _apply(program, 3)
    response = desk_client.post(f"/admin/programs/program/{program.pk}/change/", _change_form(program, capacity=2))
    assert response.status_code == 200
    assert "3 applicants already hold a seat, so the capacity cannot go below 3." in response.content.decode()
    program.refresh_from_db()
    assert program.capacity == 5


def test_raising_capacity_in_the_admin_promotes_the_waitlist(desk_client, django_capture_on_commit_callbacks):
    program = make_program(capacity=1, sessions=0)
    _seated, second, third = _apply(program, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(
            f"/admin/programs/program/{program.pk}/change/", _change_form(program, capacity=2), follow=True
        )
    assert "1 applicant moved from the waitlist into a new seat" in response.content.decode()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status, third.waitlist_position) == ("accepted", "waitlisted", 1)
    assert [m.to for m in mail.outbox] == [[second.applicant.email]]


def test_officers_create_a_program_with_sessions_and_questions_inline(desk_client):
    data = _change_form(make_program(sessions=0), title="Explorers", slug="explorers", capacity=8)
    data.update(
        {
            "sessions-TOTAL_FORMS": 1,
            "sessions-0-title": "Day one",
            "sessions-0-starts_at_0": "2031-06-01",
            "sessions-0-starts_at_1": "09:00:00",
            "sessions-0-ends_at_0": "2031-06-01",
            "sessions-0-ends_at_1": "15:00:00",
            "sessions-0-location": "Eastwood Park",
            "questions-TOTAL_FORMS": 1,
            "questions-0-position": 0,
            "questions-0-text": "T-shirt size",
            "questions-0-kind": "choice",
            "questions-0-choices": "S\nM\nL",
            "questions-0-required": "on",
        }
    )
    response = desk_client.post("/admin/programs/program/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Program.objects.get(slug="explorers")
    assert created.sessions.get().location == "Eastwood Park"
    assert created.questions.get().choice_list == ["S", "M", "L"]


def test_program_counts_show_without_extra_queries_per_row(desk_client, django_assert_max_num_queries):
    for _n in range(3):
        _apply(make_program(capacity=1), 2)
    with django_assert_max_num_queries(20) as few:
        desk_client.get("/admin/programs/program/")
    for _n in range(20):
        _apply(make_program(capacity=1), 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = desk_client.get("/admin/programs/program/")
    assert response.status_code == 200


def test_the_change_page_shows_applied_accepted_waitlisted_and_attended(desk_client, officer):
    program = make_program(capacity=2, first_session_in=timedelta(hours=-1))  # Under way.
    seated, _other, _waiting = _apply(program, 3)
    services.attendance_record(session=program.sessions.get(), present_application_ids={seated.pk}, actor=officer)
    page = desk_client.get(f"/admin/programs/program/{program.pk}/change/").content.decode()
    assert "Applied: 3 · Accepted: 2 · Waitlisted: 1 · Attended at least one session: 1" in page


def test_taking_attendance_for_a_session(desk_client, officer):
    program = make_program(capacity=2, first_session_in=timedelta(hours=-1))  # Under way.
    came, missed, _waiting = _apply(program, 3)
    session = program.sessions.get()
    url = f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/"
    page = desk_client.get(url).content.decode()
    assert came.applicant.email in page and missed.applicant.email in page
    assert _waiting.applicant.email not in page
    response = desk_client.post(url, {"present": [str(came.pk)]}, follow=True)
    assert "Attendance saved: 1 of 2 present." in response.content.decode()
    assert dict(Attendance.objects.filter(session=session).values_list("application_id", "present")) == {
        came.pk: True,
        missed.pk: False,
    }
    assert AuditEntry.objects.filter(action="programs.session.attendance", actor=officer).exists()


def test_attendance_of_a_session_of_another_program_is_not_found(desk_client):
    program, other = make_program(), make_program()
    session = other.sessions.get()
    assert desk_client.get(f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/").status_code == 404


def test_the_roster_exports_as_csv(desk_client):
    program = make_program(capacity=1)
    seated, waiting = _apply(program, 2)
    response = desk_client.post(
        "/admin/programs/program/", {"action": "export_roster", "_selected_action": [program.pk]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Program", "Status", "Waitlist position", "Name", "E-mail"]
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [
        ("Accepted", "", seated.applicant.email),
        ("Waitlisted", "1", waiting.applicant.email),
    ]


def test_csv_cells_that_look_like_formulas_are_neutralised(desk_client):
    program = make_program()
    services.application_submit(program=program, applicant=make_user("=HYPERLINK@example.com"))
    response = desk_client.post(
        "/admin/programs/program/", {"action": "export_roster", "_selected_action": [program.pk]}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][4] == "'=HYPERLINK@example.com"


def test_applications_list_filters_and_search(desk_client):
    program = make_program(capacity=1, title="Spring academy")
    _seated, waiting = _apply(program, 2)
    page = desk_client.get(f"{CHANGELIST}?status__exact=waitlisted&program__id__exact={program.pk}").content.decode()
    assert waiting.applicant.email in page and _seated.applicant.email not in page
    assert waiting.applicant.email in desk_client.get(f"{CHANGELIST}?q={waiting.applicant.email}").content.decode()
    assert desk_client.get(f"{CHANGELIST}add/").status_code == 403


def test_staff_without_the_attendance_permission_cannot_take_attendance(client):
    clerk = make_user("clerk@example.com", is_staff=True)
    client = desk_client_for(clerk)
    program = make_program()
    session = program.sessions.get()
    url = f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"present": []}).status_code == 403
    assert not Attendance.objects.exists()


def test_residents_cannot_reach_the_officers_desk(resident_client, program):
    response = resident_client.get("/admin/programs/application/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_application_page_shows_answers_and_guardian_consent(desk_client, resident):
    from tests.programs.conftest import add_question, give_consent, years_ago

    program = make_program(min_age=12, max_age=17)
    question = add_question(program, "T-shirt size")
    application = services.application_submit(
        program=program,
        applicant=resident,
        answers={question.pk: "Youth M"},
        date_of_birth=years_ago(14),
        guardian_name="Pat Doe",
        guardian_email="pat@example.com",
    )
    give_consent(application, guardian_name="Pat Doe")
    page = desk_client.get(f"/admin/programs/application/{application.pk}/change/").content.decode()
    assert "<dt>T-shirt size</dt><dd>Youth M</dd>" in page
    assert "I am the parent or legal guardian of" in page
    assert "Guardian&#x27;s address confirmed" in page or "Guardian's address confirmed" in page
    listing = desk_client.get(CHANGELIST).content.decode()
    assert "given" in listing

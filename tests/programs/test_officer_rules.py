"""Rules an officer cannot break by accident, proved through the admin (the desk)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Profile
from audit.models import AuditEntry
from programs import services
from programs.models import Application, Attendance
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/programs/application/"


def _apply(program, count: int) -> list[Application]:
    return [
        services.application_submit(program=program, applicant=make_user(f"r{program.pk}-{n}@example.com"))
        for n in range(count)
    ]


def _act(client, action: str, applications, **extra) -> str:
    data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
    response = client.post(CHANGELIST, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _statuses(applications) -> list[str]:
    return [Application.objects.get(pk=a.pk).status for a in applications]


# --- Attendance only once a session has started ------------------------------------------------


def test_attendance_for_a_session_not_yet_started_is_refused_and_nothing_is_recorded(desk_client):
    program = make_program(first_session_in=timedelta(days=27))
    (seated,) = _apply(program, 1)
    session = program.sessions.get()
    url = f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/"
    page = desk_client.post(url, {"present": [seated.pk]}, follow=True).content.decode()
    assert "attendance can be taken once it has started" in page
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(action="programs.session.attendance").exists()


def test_attendance_for_a_session_under_way_is_saved(desk_client):
    program = make_program(first_session_in=timedelta(days=10))
    (seated,) = _apply(program, 1)
    session = program.sessions.get()
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.save()
    url = f"/admin/programs/program/{program.pk}/sessions/{session.pk}/attendance/"
    page = desk_client.post(url, {"present": [seated.pk]}, follow=True).content.decode()
    assert "Attendance saved: 1 of 1 present." in page
    assert Attendance.objects.get(application=seated).present


# --- Completed only after the last session -----------------------------------------------------


def test_mark_completed_before_the_last_session_has_ended_is_refused(desk_client):
    program = make_program(sessions=3, first_session_in=timedelta(days=-8))  # Two weeks still to come.
    (seated,) = _apply(program, 1)
    mail.outbox.clear()
    page = _act(desk_client, "complete", [seated])
    assert "can be marked completed only after its last session" in page
    seated.refresh_from_db()
    assert (seated.status, seated.completed_at) == ("accepted", None)
    assert not AuditEntry.objects.filter(action="programs.application.complete").exists()


def test_a_program_without_sessions_cannot_be_completed(desk_client):
    program = make_program(sessions=0)
    (seated,) = _apply(program, 1)
    assert "has no sessions, so no one can complete it yet" in _act(desk_client, "complete", [seated])
    assert _statuses([seated]) == ["accepted"]


def test_after_the_last_session_the_completion_and_certificate_are_dated_at_its_end(desk_client):
    program = make_program(sessions=2, first_session_in=timedelta(days=-20))  # Ended 13 days ago.
    (seated,) = _apply(program, 1)
    page = _act(desk_client, "complete", [seated])
    assert "1 applicant marked as completed" in page
    seated.refresh_from_db()
    last_end = program.sessions.order_by("-ends_at").first().ends_at
    assert (seated.status, seated.completed_at) == ("completed", last_end)


# --- Declining an accepted applicant needs a confirmation and a reason -------------------------


def test_declining_shows_the_freed_seat_and_who_gets_it_and_changes_nothing_until_confirmed(desk_client):
    program = make_program(capacity=1)
    seated, first_waiting, second_waiting = _apply(program, 3)
    # People are named as everywhere on the desk (accounts.selectors.resident_label).
    Profile.objects.update_or_create(user=seated.applicant, defaults={"display_name": "Ana García"})
    mail.outbox.clear()
    page = _act(desk_client, "decline", [seated])
    assert "You are about to decline 1 application." in page
    assert f"Ana García &lt;{seated.applicant.email}&gt; — " in page
    assert "1 of them is accepted: declining frees a seat." in page
    assert f"the seat goes to {first_waiting.applicant.email} (first on the waitlist" in page
    assert second_waiting.applicant.email not in page
    assert _statuses([seated, first_waiting, second_waiting]) == ["accepted", "waitlisted", "waitlisted"]
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="programs.application.decline").exists()


def test_confirming_without_a_reason_asks_for_one_and_changes_nothing(desk_client):
    program = make_program(capacity=1)
    seated, waiting = _apply(program, 2)
    page = _act(desk_client, "decline", [seated], confirm="yes", reason="  ")
    assert "This field is required." in page
    assert _statuses([seated, waiting]) == ["accepted", "waitlisted"]


def test_confirmed_decline_frees_the_seat_for_the_named_person_and_mails_the_reason(
    desk_client, officer, django_capture_on_commit_callbacks
):
    program = make_program(capacity=1)
    seated, waiting = _apply(program, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = _act(desk_client, "decline", [seated], confirm="yes", reason="You live outside the district.")
    assert "1 application declined" in page
    assert _statuses([seated, waiting]) == ["declined", "accepted"]
    declined = next(m for m in mail.outbox if m.to == [seated.applicant.email])
    assert "The reason: You live outside the district." in declined.body
    assert [m.to for m in mail.outbox if m is not declined] == [[waiting.applicant.email]]
    entry = AuditEntry.objects.get(action="programs.application.decline", actor=officer)
    assert entry.detail == {"previous": "accepted", "reason": "You live outside the district."}


def test_with_no_waitlist_the_confirmation_says_the_seat_stays_free(desk_client):
    program = make_program(capacity=2)
    (seated,) = _apply(program, 1)
    assert "no one is waitlisted, so the seat stays free" in _act(desk_client, "decline", [seated])


def test_the_service_refuses_to_decline_an_accepted_applicant_without_a_reason(officer):
    (seated,) = _apply(make_program(capacity=1), 1)
    with pytest.raises(services.ProgramError, match="declining frees their seat, so give a reason"):
        services.application_decline(application=seated, actor=officer)
    assert _statuses([seated]) == ["accepted"]

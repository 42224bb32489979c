from datetime import timedelta

import pytest
from django.core import mail

from audit.models import AuditEntry
from programs import services
from programs.models import Application
from programs.services import ProgramError
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def _fill(program, count: int) -> list[Application]:
    return [
        services.application_submit(program=program, applicant=make_user(f"p{program.pk}-{n}@example.com"))
        for n in range(count)
    ]


def _statuses(applications):
    for application in applications:
        application.refresh_from_db()
    return [(a.status, a.waitlist_position) for a in applications]


def test_a_withdrawal_promotes_the_first_waitlisted_and_emails_them(django_capture_on_commit_callbacks):
    program = make_program(capacity=2)
    first, second, third, fourth = _fill(program, 4)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=first, user=first.applicant)
    assert _statuses([first, second, third, fourth]) == [
        ("withdrawn", None),
        ("accepted", None),
        ("accepted", None),
        ("waitlisted", 1),
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([third.applicant.email], f"A seat freed up: you are in {program.title}")
    ]


def test_a_waitlisted_withdrawal_closes_the_gap_in_positions():
    program = make_program(capacity=1)
    _seated, second, third, fourth = _fill(program, 4)
    services.application_withdraw(application=second, user=second.applicant)
    assert _statuses([third, fourth]) == [("waitlisted", 1), ("waitlisted", 2)]


def test_declining_an_accepted_applicant_promotes_the_next(officer, django_capture_on_commit_callbacks):
    program = make_program(capacity=1)
    seated, waiting = _fill(program, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(application=seated, actor=officer, reason="Moved away.")
    assert _statuses([seated, waiting]) == [("declined", None), ("accepted", None)]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (seated.applicant.email, f"Your application to {program.title}"),
            (waiting.applicant.email, f"A seat freed up: you are in {program.title}"),
        ]
    )
    assert AuditEntry.objects.filter(action="programs.application.decline", actor=officer).count() == 1


def test_raising_capacity_promotes_as_many_as_the_new_seats(officer):
    program = make_program(capacity=1)
    applications = _fill(program, 4)
    program.capacity = 3
    program.save()
    promoted = services.program_seats_fill(program=program, actor=officer)
    assert [a.pk for a in promoted] == [applications[1].pk, applications[2].pk]
    assert _statuses(applications) == [("accepted", None), ("accepted", None), ("accepted", None), ("waitlisted", 1)]


def test_promoting_needs_a_free_seat(officer):
    program = make_program(capacity=1)
    _seated, waiting = _fill(program, 2)
    with pytest.raises(ProgramError, match="has no free seat: raise its capacity first"):
        services.application_promote(application=waiting, actor=officer)


def test_an_officer_may_promote_out_of_turn_into_a_free_seat(officer):
    program = make_program(capacity=1)
    seated, second, third = _fill(program, 3)
    # A seat frees without the automatic promotion (e.g. the row was edited by hand).
    Application.objects.filter(pk=seated.pk).update(status=Application.Status.DECLINED)
    services.application_promote(application=third, actor=officer)
    assert _statuses([second, third]) == [("waitlisted", 1), ("accepted", None)]
    assert AuditEntry.objects.filter(action="programs.application.promote", target_id=str(third.pk)).exists()


def test_a_completed_applicant_keeps_their_seat(officer):
    program = make_program(capacity=1, first_session_in=timedelta(days=-1))
    seated, waiting = _fill(program, 2)
    services.application_complete(application=seated, actor=officer)
    services.program_seats_fill(program=program, actor=officer)
    assert _statuses([seated, waiting]) == [("completed", None), ("waitlisted", 1)]


def test_capacity_may_not_go_below_the_seats_taken():
    program = make_program(capacity=3)
    _fill(program, 2)
    assert "cannot go below 2" in services.program_capacity_problem(program=program, capacity=1)
    assert services.program_capacity_problem(program=program, capacity=2) is None

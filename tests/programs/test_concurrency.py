"""Simultaneous applications on PostgreSQL: the program row lock keeps seats and waitlist exact."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from programs import services
from programs.models import Application
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = [pytest.mark.postgres]

SEATS = 10
APPLICANTS = 50


def _run_at_once(functions) -> list:
    barrier = threading.Barrier(len(functions))
    errors: list[BaseException] = []

    def run(function):
        try:
            barrier.wait(timeout=30)
            function()
        except BaseException as error:  # Reported to the test below.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_fifty_simultaneous_requests_for_ten_seats(transactional_db):
    program = make_program(capacity=SEATS)
    clients = []
    for number in range(APPLICANTS):
        client = Client()
        client.force_login(make_user(f"applicant{number}@example.com"))
        clients.append(client)
    statuses: list[int] = []

    def apply(client):
        def post():
            statuses.append(client.post(f"/programs/{program.slug}/apply/").status_code)

        return post

    errors = _run_at_once([apply(client) for client in clients])
    assert errors == []
    assert statuses == [302] * APPLICANTS

    applications = list(Application.objects.filter(program=program).order_by("waitlist_position", "created_at"))
    accepted = [a for a in applications if a.status == Application.Status.ACCEPTED]
    waitlisted = [a for a in applications if a.status == Application.Status.WAITLISTED]
    assert len(accepted) == SEATS
    assert len(waitlisted) == APPLICANTS - SEATS
    assert [a.waitlist_position for a in waitlisted] == list(range(1, APPLICANTS - SEATS + 1))
    # "In order": the waitlist follows the order the applications were written under the lock.
    assert [a.pk for a in waitlisted] == sorted(a.pk for a in waitlisted)
    assert max(a.pk for a in accepted) < min(a.pk for a in waitlisted)

    # One withdrawal promotes exactly the first waitlisted, who is told by e-mail.
    mail.outbox.clear()
    services.application_withdraw(application=accepted[0], user=accepted[0].applicant)
    first = waitlisted[0]
    first.refresh_from_db()
    assert first.status == Application.Status.ACCEPTED
    assert Application.objects.filter(program=program, status=Application.Status.ACCEPTED).count() == SEATS
    remaining = Application.objects.filter(program=program, status=Application.Status.WAITLISTED).order_by(
        "waitlist_position"
    )
    assert [a.pk for a in remaining] == [a.pk for a in waitlisted[1:]]
    assert [a.waitlist_position for a in remaining] == list(range(1, APPLICANTS - SEATS))
    assert [m.to for m in mail.outbox] == [[first.applicant.email]]
    assert "A seat freed up" in mail.outbox[0].subject


def test_simultaneous_withdrawals_never_overfill(transactional_db):
    program = make_program(capacity=3)
    applications = [
        services.application_submit(program=program, applicant=make_user(f"w{n}@example.com")) for n in range(8)
    ]
    seated = [a for a in applications if a.status == Application.Status.ACCEPTED]

    def withdraw(application):
        return lambda: services.application_withdraw(application=application, user=application.applicant)

    errors = _run_at_once([withdraw(a) for a in seated])
    assert errors == []
    assert Application.objects.filter(program=program, status=Application.Status.ACCEPTED).count() == 3
    assert list(
        Application.objects.filter(program=program, status=Application.Status.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("waitlist_position", flat=True)
    ) == [1, 2]

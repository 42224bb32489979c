import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from programs.models import Program, ProgramQuestion, ProgramSession

_numbers = itertools.count(1)


def make_program(*, sessions: int = 1, first_session_in: timedelta = timedelta(days=10), **overrides) -> Program:
    """A published program, open for applications now, with ``sessions`` weekly sessions."""
    now = timezone.now()
    number = next(_numbers)
    values = {
        "kind": Program.Kind.ACADEMY,
        "title": f"Citizen Police Academy {number}",
        "slug": f"academy-{number}",
        "summary": "Ten evenings behind the scenes.",
        "capacity": 10,
        "applications_open_at": now - timedelta(days=1),
        "applications_close_at": now + timedelta(days=5),
        "status": Program.Status.PUBLISHED,
    }
    values.update(overrides)
    program = Program.objects.create(**values)
    start = (now + first_session_in).replace(microsecond=0)
    for week in range(sessions):
        starts_at = start + timedelta(weeks=week)
        ProgramSession.objects.create(
            program=program,
            title=f"Week {week + 1}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            location="Police HQ, 100 Main Street",
        )
    return program


def add_question(program: Program, text: str, kind=ProgramQuestion.Kind.TEXT, *, choices="", required=True):
    return ProgramQuestion.objects.create(program=program, text=text, kind=kind, choices=choices, required=required)


def years_ago(years: int, *, days: int = 0):
    """A date of birth making someone ``years`` old today (minus ``days``)."""
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born - timedelta(days=days)


def apply_as_minor(program: Program, applicant, *, age: int = 15, guardian_name: str = "Pat"):
    """``applicant`` applies as a minor of ``age``, naming a guardian (pat@example.com)."""
    from programs import services

    return services.application_submit(
        program=program,
        applicant=applicant,
        date_of_birth=years_ago(age),
        guardian_name=guardian_name,
        guardian_email="pat@example.com",
    )


def give_consent(application, *, guardian_name: str = "Pat"):
    """The guardian opens their link, confirms they are the guardian, then consents."""
    from programs import services

    token = services.consent_token_for(application)
    services.guardian_address_confirm(token=token)
    return services.guardian_consent_give(token=token, guardian_name=guardian_name)


@pytest.fixture
def program(db):
    return make_program()


@pytest.fixture
def youth_program(db):
    return make_program(
        kind=Program.Kind.YOUTH, title="Police Explorers", slug="explorers", min_age=12, max_age=17, capacity=5
    )

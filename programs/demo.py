"""Demo programs: a citizen police academy, a youth program and a workshop, each with sessions."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from programs.models import Program, ProgramQuestion, ProgramSession


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _program(slug: str, **fields) -> Program:
    program, _created = Program.objects.update_or_create(slug=slug, defaults=fields)
    return program


def _sessions(program: Program, specs: list[tuple[str, datetime, int, str]]) -> None:
    for title, starts_at, hours, location in specs:
        ProgramSession.objects.update_or_create(
            program=program,
            title=title,
            defaults={"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours), "location": location},
        )


def _questions(program: Program, specs: list[tuple[str, str, str, bool]]) -> None:
    for position, (text, kind, choices, required) in enumerate(specs):
        ProgramQuestion.objects.update_or_create(
            program=program,
            text=text,
            defaults={"kind": kind, "choices": choices, "required": required, "position": position},
        )


def create_demo_data(*, officer, neighbourhoods) -> None:
    now = timezone.now()
    today = timezone.localdate()
    riverside = next((n for n in neighbourhoods if n.slug == "riverside"), None)

    academy = _program(
        "citizen-police-academy-spring",
        kind=Program.Kind.ACADEMY,
        title="Citizen Police Academy",
        summary="Ten weekly evenings behind the scenes: patrol, dispatch, investigations and the law.",
        description="Meet the officers, dispatchers and detectives who keep the city safe. "
        "Graduates receive a certificate and may join the volunteer corps.",
        # The description is left in English: the Spanish page shows it marked lang="en".
        translations={
            "es": {
                "title": "Academia de Policía Ciudadana",
                "summary": "Diez tardes semanales entre bastidores: patrullaje, despacho, investigaciones y la ley.",
            }
        },
        min_age=18,
        residents_only=True,
        capacity=20,
        applications_open_at=now - timedelta(days=7),
        applications_close_at=now + timedelta(days=21),
        requires_approval=True,
        status=Program.Status.PUBLISHED,
    )
    first = today + timedelta(days=28)
    _sessions(
        academy,
        [
            (f"Week {week}", _at(first + timedelta(weeks=week - 1), 18, 30), 3, "Police HQ, 100 Main Street")
            for week in range(1, 11)
        ],
    )
    _questions(
        academy,
        [
            ("Why do you want to join the academy?", ProgramQuestion.Kind.TEXT, "", True),
            ("Would you like to do a ride-along during the course?", ProgramQuestion.Kind.YES_NO, "", False),
        ],
    )

    youth = _program(
        "police-explorers-summer",
        kind=Program.Kind.YOUTH,
        title="Police Explorers summer camp",
        summary="A week of team challenges, first aid and a visit to the K-9 unit for ages 12 to 17.",
        description="Run by officers and youth workers. Lunch is provided. A parent or guardian must consent.",
        min_age=12,
        max_age=17,
        capacity=25,
        applications_open_at=now - timedelta(days=3),
        applications_close_at=now + timedelta(days=30),
        status=Program.Status.PUBLISHED,
    )
    camp = today + timedelta(days=40)
    _sessions(
        youth,
        [
            (f"Camp day {day}", _at(camp + timedelta(days=day - 1), 9), 6, "Eastwood Park pavilion")
            for day in range(1, 6)
        ],
    )
    _questions(
        youth,
        [
            ("T-shirt size", ProgramQuestion.Kind.CHOICE, "Youth S\nYouth M\nYouth L\nAdult S\nAdult M", True),
            ("Allergies or medical needs we should know about", ProgramQuestion.Kind.TEXT, "", False),
        ],
    )

    workshop = _program(
        "home-security-workshop",
        kind=Program.Kind.WORKSHOP,
        title="Home security workshop",
        summary="Locks, lighting and habits that keep burglars away. One evening, with a free door-lock check.",
        neighbourhood=riverside,
        capacity=30,
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=9),
        status=Program.Status.PUBLISHED,
    )
    _sessions(
        workshop,
        [("Home security workshop", _at(today + timedelta(days=10), 19), 2, "Riverside Library, meeting room B")],
    )

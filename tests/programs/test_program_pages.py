from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from programs import services
from programs.models import Program
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [program.title for program in response.context["page"].object_list]


def test_the_list_filters_by_kind(client):
    make_program(title="Spring academy", kind=Program.Kind.ACADEMY)
    make_program(title="Home security", kind=Program.Kind.WORKSHOP)
    assert _titles(client.get("/programs/?kind=academy")) == ["Spring academy"]
    assert sorted(_titles(client.get("/programs/"))) == ["Home security", "Spring academy"]


def test_the_list_filters_by_neighbourhood_keeping_city_wide_programs(client, neighbourhood, other_neighbourhood):
    make_program(title="Riverside walk", neighbourhood=neighbourhood)
    make_program(title="Old Town walk", neighbourhood=other_neighbourhood)
    make_program(title="City-wide academy")
    assert sorted(_titles(client.get("/programs/?neighbourhood=riverside"))) == ["City-wide academy", "Riverside walk"]


def test_the_list_filters_open_and_starting_soon(client):
    now = timezone.now()
    make_program(title="Open now")
    make_program(title="Opens later", applications_open_at=now + timedelta(days=2))
    make_program(title="Closed", status=Program.Status.CLOSED)
    make_program(title="Starts in two months", first_session_in=timedelta(days=60))
    assert sorted(_titles(client.get("/programs/?open=on"))) == ["Open now", "Starts in two months"]
    assert "Starts in two months" not in _titles(client.get("/programs/?soon=on"))
    assert "Open now" in _titles(client.get("/programs/?soon=on"))


def test_drafts_are_not_listed(client):
    make_program(title="Secret draft", status=Program.Status.DRAFT)
    assert _titles(client.get("/programs/")) == []
    assert "No programs match these filters" in client.get("/programs/").content.decode()


def test_the_list_is_paginated(client):
    for _number in range(15):
        make_program()
    first = client.get("/programs/")
    assert len(first.context["page"].object_list) == 12
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/programs/?kind=academy&page=2")
    assert len(second.context["page"].object_list) == 3
    assert 'href="?kind=academy&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_the_list_renders_in_a_fixed_number_of_queries(client, count, neighbourhood, django_assert_max_num_queries):
    now = timezone.now()
    programs = Program.objects.bulk_create(
        Program(
            kind=Program.Kind.WORKSHOP,
            title=f"Workshop {n}",
            slug=f"workshop-{n}",
            summary="An evening.",
            neighbourhood=neighbourhood if n % 2 else None,
            capacity=5,
            applications_open_at=now - timedelta(days=1),
            applications_close_at=now + timedelta(days=3),
            status=Program.Status.PUBLISHED,
        )
        for n in range(count)
    )
    for program in programs[:5]:
        services.application_submit(program=program, applicant=make_user(f"a{program.pk}@example.com"))
    with django_assert_max_num_queries(6):
        response = client.get("/programs/?neighbourhood=riverside")
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        client.get("/programs/?page=2")


def test_the_detail_page_shows_sessions_eligibility_and_seats(client, resident):
    program = make_program(sessions=3, capacity=4, min_age=18, residents_only=True)
    services.application_submit(
        program=make_program(), applicant=resident
    )  # Another program's seats do not count here.
    page = client.get(f"/programs/{program.slug}/").content.decode()
    assert page.count("Police HQ, 100 Main Street") == 3
    assert "4 of 4 seats left" in page
    assert "Ages 18 and over" in page
    assert "Residents of Riverton only" in page
    assert f"/programs/{program.slug}/apply/" in page
    assert f"/programs/{program.slug}/calendar.ics" in page


def test_the_detail_page_says_when_applications_open(client):
    program = make_program(applications_open_at=timezone.now() + timedelta(days=3))
    page = client.get(f"/programs/{program.slug}/").content.decode()
    assert "Applications open on" in page
    assert f"/programs/{program.slug}/apply/" not in page


def test_an_unknown_program_is_not_found(client):
    assert client.get("/programs/no-such-program/").status_code == 404


def test_each_program_has_a_calendar_of_its_sessions(client):
    program = make_program(sessions=3)
    response = client.get(f"/programs/{program.slug}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    sessions = list(program.sessions.order_by("starts_at"))
    assert len(events) == 3
    for event, session in zip(events, sessions, strict=True):
        starts = event.decoded("dtstart")
        assert starts.tzinfo is not None
        assert starts == session.starts_at
        assert event.decoded("dtend") == session.ends_at
        assert str(event["location"]) == "Police HQ, 100 Main Street"
        assert str(event["uid"]).startswith(f"program-session-{session.pk}@")


def test_a_drafts_calendar_is_not_found(client):
    program = make_program(status=Program.Status.DRAFT)
    assert client.get(f"/programs/{program.slug}/calendar.ics").status_code == 404

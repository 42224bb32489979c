"""The pages `bench/load.py --mode uncached` measures, each rendered with the page cache off in a
fixed number of queries: the same with a few rows as with many (issue 19, part 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import FeedbackResponse, Rsvp
from programs.models import Application
from tests.accounts.activity import fill_activity
from tests.audits.conftest import make_drill, make_walk
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

# Each page's queries, rendered each time. A resident's pages count loading their session and
# account too. The page's own table in bench/results/load-uncached.md shows the same figures.
ANONYMOUS_PAGES = {"/": 3, "/meetings/": 3, "/programs/": 3}
MEETING_DETAIL = 5
MY_PROGRAMS = 2
MY_ACTIVITY = 10


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def fill_city(count: int, neighbourhood) -> None:
    """``count`` upcoming meetings with RSVPs and open programs with applications."""
    people = [make_user(f"neighbour{n}@example.com") for n in range(3)]
    for n in range(count):
        meeting = make_meeting(
            title=f"Meeting {n}",
            slug=f"meeting-n{n}",
            neighbourhood=neighbourhood if n % 2 else None,
            capacity=50,
            starts_at=(timezone.now() + timedelta(days=1 + n)).replace(microsecond=0),
        )
        Rsvp.objects.bulk_create(Rsvp(meeting=meeting, user=person, code=f"R{n}-{person.pk}") for person in people)
        program = make_program(neighbourhood=neighbourhood if n % 2 else None)
        Application.objects.bulk_create(Application(program=program, applicant=person) for person in people)


@pytest.mark.parametrize("count", [2, 30])
def test_anonymous_pages_take_a_fixed_number_of_queries(count, client, neighbourhood, django_assert_num_queries):
    fill_city(count, neighbourhood)
    for path, queries in ANONYMOUS_PAGES.items():
        client.get(path)  # the first request fills per-process lookups, as a running server has
        with django_assert_num_queries(queries):
            assert client.get(path).status_code == 200


@pytest.mark.parametrize("kind", ["plain", "drill", "walk"])
def test_a_meeting_page_takes_a_fixed_number_of_queries(kind, client, neighbourhood, django_assert_num_queries):
    """The agenda, hosts, questions and actions, and in the meeting's own row its drill plan,
    audit walk (with its checklist) and published feedback response, whichever it has."""
    if kind == "drill":
        meeting = make_drill(neighbourhood=neighbourhood).meeting
    elif kind == "walk":
        meeting = make_walk(neighbourhood=neighbourhood).meeting
    else:
        meeting = make_meeting(neighbourhood=neighbourhood)
    FeedbackResponse.objects.create(
        meeting=meeting, summary="Too dark by the park.", response="More lights.", published_at=timezone.now()
    )
    client.get(meeting.get_absolute_url())
    with django_assert_num_queries(MEETING_DETAIL):
        page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Too dark by the park." in page
    shown = {"drill": "The river rises overnight.", "walk": "Area walked: Mill Lane underpass", "plain": ""}
    assert shown[kind] in page


@pytest.mark.parametrize("count", [1, 20])
def test_my_programs_takes_a_fixed_number_of_queries(count, resident_client, resident, django_assert_num_queries):
    for _ in range(count):
        Application.objects.create(program=make_program(sessions=2), applicant=resident)
    resident_client.get("/programs/mine/")
    with django_assert_num_queries(MY_PROGRAMS):
        assert resident_client.get("/programs/mine/").status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_my_activity_takes_a_fixed_number_of_queries(
    count, resident_client, resident, other_resident, neighbourhood, django_assert_num_queries
):
    fill_activity(resident, count=count, neighbourhood=neighbourhood, other=other_resident)
    resident_client.get("/me/activity/")
    with django_assert_num_queries(MY_ACTIVITY):
        assert resident_client.get("/me/activity/").status_code == 200


def test_list_pages_count_plainly_and_read_the_neighbourhoods_in_one_query(client, neighbourhood):
    """The meeting list counts its meetings without the RSVP join its rows need (a plain COUNT(*),
    not one over a grouped subquery), and the filter forms read the neighbourhoods without a
    server-side cursor (DECLARE, FETCH, CLOSE); the page still counts and lists the same meetings."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill_city(12, neighbourhood)
    for path in ("/meetings/", "/programs/", f"/meetings/?neighbourhood={neighbourhood.slug}"):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        sql = [query["sql"] for query in queries.captured_queries]
        assert not [statement for statement in sql if "DECLARE" in statement], path
        counts = [statement for statement in sql if "COUNT(*)" in statement]
        assert counts and not [statement for statement in counts if "GROUP BY" in statement], path
    second_page = client.get("/meetings/?page=2").content.decode()
    assert "Page 2 of 2" in second_page and "Meeting 11" in second_page and "Meeting 9<" not in second_page

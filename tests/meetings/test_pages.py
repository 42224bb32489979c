import re
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import AgendaItem, Meeting, Question
from meetings.services import rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import local, make_meeting

pytestmark = pytest.mark.django_db


def test_list_shows_upcoming_published_meetings(client):
    make_meeting(title="Coming town hall")
    make_meeting(title="Draft forum", is_published=False)
    make_meeting(title="Last month's forum", starts_at=timezone.now() - timedelta(days=30))
    content = client.get("/meetings/").content.decode()
    assert "Coming town hall" in content
    assert "Draft forum" not in content
    assert "Last month&#x27;s forum" not in content


def test_past_list(client):
    make_meeting(title="Coming town hall")
    make_meeting(title="Old forum", starts_at=timezone.now() - timedelta(days=30))
    content = client.get("/meetings/?when=past").content.decode()
    assert "Old forum" in content and "Coming town hall" not in content


def test_filters_by_neighbourhood_and_kind(client, neighbourhood, other_neighbourhood):
    make_meeting(title="Riverside town hall", neighbourhood=neighbourhood)
    make_meeting(title="Riverside drill", neighbourhood=neighbourhood, kind=Meeting.Kind.PREPAREDNESS_DRILL)
    make_meeting(title="Old Town town hall", neighbourhood=other_neighbourhood)
    content = client.get("/meetings/", {"neighbourhood": "riverside"}).content.decode()
    assert "Riverside town hall" in content and "Riverside drill" in content and "Old Town town hall" not in content
    assert f"/meetings/feed/{neighbourhood.slug}.ics" in content
    content = client.get("/meetings/", {"neighbourhood": "riverside", "kind": "preparedness_drill"}).content.decode()
    assert "Riverside drill" in content and "Riverside town hall" not in content


def test_unknown_filter_values_show_everything_instead_of_failing(client):
    make_meeting(title="Coming town hall")
    response = client.get("/meetings/", {"neighbourhood": "atlantis", "kind": "rave", "page": "x"})
    assert response.status_code == 200
    assert "Coming town hall" in response.content.decode()


def test_pagination_keeps_the_filters(client, neighbourhood):
    for day in range(12):
        make_meeting(title=f"Meeting {day}", neighbourhood=neighbourhood, starts_at=local(2030, 1, day + 1, 18, 0))
    content = client.get("/meetings/", {"neighbourhood": "riverside"}).content.decode()
    assert "Page 1 of 2" in content
    assert "?neighbourhood=riverside&amp;page=2" in content
    second = client.get("/meetings/", {"neighbourhood": "riverside", "page": 2}).content.decode()
    assert "Meeting 11" in second and "Meeting 0<" not in second


def add_meetings(count, neighbourhoods):
    base = timezone.now() + timedelta(days=1)
    start = Meeting.objects.count()
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Meeting {index}",
            slug=f"meeting-{index}",
            starts_at=base + timedelta(hours=index),
            ends_at=base + timedelta(hours=index + 1),
            address="1 Main Street",
            neighbourhood=neighbourhoods[index % 2],
            capacity=10 if index % 3 else None,
            is_published=True,
        )
        for index in range(start, start + count)
    )


def test_list_query_count_is_the_same_for_5_and_500_meetings(client, neighbourhood, other_neighbourhood, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    neighbourhoods = [neighbourhood, other_neighbourhood]
    add_meetings(5, neighbourhoods)
    client.get("/meetings/")  # warm the site-wide caches (e.g. the alert banner) for both measurements
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/").status_code == 200
    add_meetings(495, neighbourhoods)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/meetings/", {"page": 3})
    assert response.status_code == 200 and "Meeting 20" in response.content.decode()
    assert len(many) == len(few) <= 6


def test_detail_shows_agenda_place_map_link_and_seats_left(client, neighbourhood, resident):
    meeting = make_meeting(neighbourhood=neighbourhood, capacity=10, address="12 Mill Lane, Riverton")
    AgendaItem.objects.create(meeting=meeting, position=2, title="Your questions")
    AgendaItem.objects.create(meeting=meeting, position=1, title="Welcome")
    rsvp_create(meeting=meeting, user=resident)
    content = client.get(f"/meetings/{meeting.slug}/").content.decode()
    assert content.index("Welcome") < content.index("Your questions")
    assert "12 Mill Lane, Riverton" in content
    assert "https://www.openstreetmap.org/search?query=12+Mill+Lane%2C+Riverton" in content
    assert "9 of 10 seats left" in content
    assert "Riverside" in content
    assert f"/meetings/{meeting.slug}/calendar.ics" in content


def test_detail_says_seats_left_in_words_in_spanish_too(client, neighbourhood, resident):
    """Not "9 / 10", which reads as a score or a date: the same words as a program's seats."""
    meeting = make_meeting(neighbourhood=neighbourhood, capacity=10)
    rsvp_create(meeting=meeting, user=resident)
    content = client.get(f"/meetings/{meeting.slug}/", {"lang": "es"}).content.decode()
    assert "Quedan 9 de 10 cupos" in content
    assert "9 / 10" not in content


def test_online_link_only_for_people_going(client, resident):
    meeting = make_meeting(mode=Meeting.Mode.ONLINE, address="", online_url="https://meet.example.org/secret")
    assert "meet.example.org/secret" not in client.get(f"/meetings/{meeting.slug}/").content.decode()
    rsvp_create(meeting=meeting, user=resident)
    client.force_login(resident)
    assert "meet.example.org/secret" in client.get(f"/meetings/{meeting.slug}/").content.decode()


def test_unpublished_or_unknown_meeting_is_404(client):
    hidden = make_meeting(is_published=False)
    assert client.get(f"/meetings/{hidden.slug}/").status_code == 404
    assert client.get("/meetings/no-such-meeting/").status_code == 404


def test_after_the_meeting_minutes_and_answered_questions_show(client, resident):
    meeting = make_meeting(starts_at=timezone.now() - timedelta(days=2), minutes="Lights will be fixed by May.")
    Question.objects.create(
        meeting=meeting, author=resident, text="When are the lights fixed?", status="answered", answer="By May."
    )
    Question.objects.create(meeting=meeting, author=resident, text="A hidden question here", status="hidden")
    content = client.get(f"/meetings/{meeting.slug}/").content.decode()
    assert "Lights will be fixed by May." in content
    assert "When are the lights fixed?" in content and "By May." in content
    assert "A hidden question here" not in content


def test_minutes_stay_hidden_before_the_meeting(client):
    meeting = make_meeting(minutes="Draft minutes")
    assert "Draft minutes" not in client.get(f"/meetings/{meeting.slug}/").content.decode()


def test_month_calendar_places_meetings_on_their_local_day(client):
    # 23:30 on 31 October in Chicago is already 1 November in UTC.
    make_meeting(title="Halloween patrol briefing", starts_at=local(2026, 10, 31, 23, 30))
    make_meeting(title="November forum", starts_at=local(2026, 11, 1, 18, 0))
    make_meeting(title="Later forum", starts_at=local(2026, 11, 3, 18, 0))
    response = client.get("/meetings/calendar/2026/10/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">' in content
    assert "Halloween patrol briefing" in content
    # The last week of October runs to Sunday 1 November; the 3rd is in next month's page.
    assert "November forum" in content and "Later forum" not in content
    assert "/meetings/calendar/2026/11/" in content and "/meetings/calendar/2026/9/" in content
    assert client.get("/meetings/calendar/2026/13/").status_code == 404
    assert client.get("/meetings/calendar/").status_code == 200


def test_month_calendar_filters_by_neighbourhood_and_keeps_it_between_months(
    client, neighbourhood, other_neighbourhood
):
    make_meeting(title="Riverside town hall", neighbourhood=neighbourhood, starts_at=local(2026, 11, 10, 18, 0))
    make_meeting(title="Old Town town hall", neighbourhood=other_neighbourhood, starts_at=local(2026, 11, 12, 18, 0))

    content = client.get("/meetings/calendar/2026/11/", {"neighbourhood": "riverside"}).content.decode()

    assert "Riverside town hall" in content and "Old Town town hall" not in content
    assert '<option value="riverside" selected>' in content
    assert "/meetings/calendar/2026/12/?neighbourhood=riverside" in content
    assert "/meetings/calendar/2026/10/?neighbourhood=riverside" in content
    # The list's link to the calendar carries the neighbourhood too.
    listing = client.get("/meetings/", {"neighbourhood": "riverside"}).content.decode()
    assert "/meetings/calendar/?neighbourhood=riverside" in listing


def test_month_calendar_says_so_when_the_neighbourhood_is_unknown_and_shows_them_all(client, neighbourhood):
    make_meeting(title="Riverside town hall", neighbourhood=neighbourhood, starts_at=local(2026, 11, 10, 18, 0))

    response = client.get("/meetings/calendar/2026/11/", {"neighbourhood": "atlantis"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Select a valid choice" in content and "Riverside town hall" in content
    # No link spreads the bad value (the language switcher only comes back to this very address).
    assert "?neighbourhood=" not in re.sub(r'<form[^>]*class="language-switcher".*?</form>', "", content, flags=re.S)


def test_month_calendar_query_count_is_flat(client, django_assert_max_num_queries):
    for day in range(1, 29):
        make_meeting(title=f"Meeting {day}", starts_at=local(2031, 2, day, 18, 0))
    with django_assert_max_num_queries(4):
        content = client.get("/meetings/calendar/2031/2/").content.decode()
    assert "Meeting 28" in content


def test_waitlisted_resident_sees_their_position(client, resident, other_resident):
    meeting = make_meeting(capacity=1)
    rsvp_create(meeting=meeting, user=other_resident)
    rsvp_create(meeting=meeting, user=make_user("carol@example.com"))
    rsvp_create(meeting=meeting, user=resident)
    client.force_login(resident)
    assert "number 2 on the waiting list" in client.get(f"/meetings/{meeting.slug}/").content.decode()


def test_detail_query_count_does_not_grow_with_agenda_and_questions(client, resident, other_resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.services import question_vote_toggle

    def grow(meeting, count):
        for index in range(count):
            AgendaItem.objects.create(meeting=meeting, position=index, title=f"Item {index}")
            question = Question.objects.create(
                meeting=meeting, author=other_resident, text=f"Question {index} text", status="published"
            )
            question_vote_toggle(question=question, user=resident)

    small, large = make_meeting(), make_meeting()
    grow(small, 2)
    grow(large, 30)
    client.force_login(resident)
    client.get(f"/meetings/{small.slug}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/meetings/{small.slug}/")
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/meetings/{large.slug}/")
    assert "Question 29 text" in response.content.decode()
    # Fifteen times the agenda and questions, no more queries (one fewer when a cached value
    # the first visit needed was still fresh for the second).
    assert len(many) <= len(few)

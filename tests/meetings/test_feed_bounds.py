"""Calendar and alert feeds cover a bounded window, are cached like the pages, and cost no more with history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Meeting
from portal.cache import CACHE_STATUS_HEADER
from tests.alerts.conftest import make_alert
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def old_meetings(count: int, *, neighbourhood=None, start: int = 0) -> None:
    """``count`` published meetings well before the feed's window (a year and more ago)."""
    now = timezone.now()
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Old meeting {number}",
            slug=f"old-meeting-{number}",
            starts_at=now - timedelta(days=365 + number),
            ends_at=now - timedelta(days=365 + number) + timedelta(hours=2),
            address="City Hall",
            neighbourhood=neighbourhood,
            is_published=True,
        )
        for number in range(start, start + count)
    )


def feed(client, url="/meetings/feed.ics"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def summaries(response) -> list[str]:
    return [str(event["summary"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_feed_covers_the_last_days_and_what_is_coming(client, settings):
    settings.MEETINGS_FEED_PAST_DAYS = 90
    now = timezone.now()
    make_meeting(title="Last month", starts_at=now - timedelta(days=30))
    make_meeting(title="Next week", starts_at=now + timedelta(days=7))
    make_meeting(title="Four months ago", starts_at=now - timedelta(days=120))
    assert summaries(feed(client)[0]) == ["Last month", "Next week"]


def test_the_feed_has_at_most_the_set_number_of_events(client, settings):
    settings.MEETINGS_FEED_MAX_EVENTS = 3
    now = timezone.now()
    for days in range(1, 6):
        make_meeting(title=f"In {days} days", starts_at=now + timedelta(days=days))
    assert summaries(feed(client)[0]) == ["In 1 days", "In 2 days", "In 3 days"]


@pytest.mark.parametrize("url", ["/meetings/feed.ics", "/meetings/feed/riverside.ics"])
def test_the_feeds_cost_and_size_do_not_grow_with_history(client, neighbourhood, url):
    now = timezone.now()
    for days in (-10, 3, 20):
        make_meeting(title=f"Meeting {days}", starts_at=now + timedelta(days=days), neighbourhood=neighbourhood)
    old_meetings(5, neighbourhood=neighbourhood)
    few, few_queries = feed(client, url)
    old_meetings(495, neighbourhood=neighbourhood, start=5)
    many, many_queries = feed(client, url)
    assert many_queries <= few_queries
    assert len(summaries(many)) == 3
    # dtstamp is the time of rendering: the same length either way, so the sizes are equal.
    assert abs(len(many.content) - len(few.content)) <= 8


def test_the_feeds_are_cached_and_an_edit_shows_at_the_next_fetch(
    client, settings, officer, neighbourhood, django_capture_on_commit_callbacks
):
    from meetings.services import meeting_save

    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    meeting = make_meeting(title="Riverside town hall", neighbourhood=neighbourhood)
    for url in ("/meetings/feed.ics", "/meetings/feed/riverside.ics"):
        assert feed(client, url)[0][CACHE_STATUS_HEADER] == "miss"
        hit, queries = feed(client, url)
        assert hit[CACHE_STATUS_HEADER] == "hit" and queries == 0
        assert hit["Content-Type"].startswith("text/calendar")
        assert hit["Content-Disposition"] == 'inline; filename="meetings.ics"'
    meeting.title = "Riverside town hall (at the library)"
    with django_capture_on_commit_callbacks(execute=True):
        meeting_save(meeting=meeting, actor=officer)
    for url in ("/meetings/feed.ics", "/meetings/feed/riverside.ics"):
        response = feed(client, url)[0]
        assert response[CACHE_STATUS_HEADER] == "miss"
        assert summaries(response) == ["Riverside town hall (at the library)"]


def test_the_alert_feeds_are_cached_and_a_new_alert_shows_at_the_next_fetch(
    client, settings, officer, neighbourhood, django_capture_on_commit_callbacks
):
    from alerts.services import alert_publish

    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    urls = ("/alerts/feed/", f"/alerts/feed/{neighbourhood.slug}/", "/alerts/cap/")
    for url in urls:
        assert feed(client, url)[0][CACHE_STATUS_HEADER] == "miss"
        hit, queries = feed(client, url)
        assert hit[CACHE_STATUS_HEADER] == "hit" and queries == 0
        assert "xml" in hit["Content-Type"]
    alert = make_alert(created_by=officer, city_wide=True, headline="Boil water notice")
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)
    for url in urls:
        response = feed(client, url)[0]
        assert response[CACHE_STATUS_HEADER] == "miss"
        assert "Boil water notice" in response.content.decode()


def test_the_alert_feeds_cost_does_not_grow_with_history(client, officer):
    from alerts.services import alert_publish

    def publish(count):
        for _number in range(count):
            alert_publish(actor=officer, alert=make_alert(created_by=officer, city_wide=True, headline="Notice"))

    publish(3)
    costs = [feed(client, url)[1] for url in ("/alerts/feed/", "/alerts/cap/")]
    publish(60)
    for url, cost in zip(("/alerts/feed/", "/alerts/cap/"), costs, strict=True):
        response, queries = feed(client, url)
        assert queries <= cost
        assert response.content.decode().count("<entry>") == 50

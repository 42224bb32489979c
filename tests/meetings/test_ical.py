from datetime import timedelta

import pytest
from icalendar import Calendar

from meetings.models import Meeting, Rsvp
from tests.meetings.conftest import local, make_meeting

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_meeting_ics_has_the_right_times_in_the_citys_zone(client, neighbourhood):
    starts_at = local(2026, 11, 1, 18, 0)  # the evening after clocks go back: CST
    meeting = make_meeting(starts_at=starts_at, neighbourhood=neighbourhood, title="Riverside forum")
    response = client.get(f"/meetings/{meeting.slug}/calendar.ics")
    assert "attachment" in response["Content-Disposition"]
    calendar = parse(response)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Riverside forum"
    assert event.decoded("dtstart") == starts_at
    assert event.decoded("dtend") == starts_at + timedelta(hours=2)
    assert event["dtstart"].params["TZID"] == "America/Chicago"
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=-6)
    assert "12 Mill Lane" in str(event["location"])
    assert str(event["url"]).endswith(f"/meetings/{meeting.slug}/")
    # Calendar apps need the zone definition the event refers to.
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Chicago"]


def test_summer_meeting_is_in_daylight_time(client):
    meeting = make_meeting(starts_at=local(2026, 7, 4, 10, 0))
    (event,) = parse(client.get(f"/meetings/{meeting.slug}/calendar.ics")).walk("VEVENT")
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=-5)


def test_cancelled_meeting_is_marked_cancelled(client):
    meeting = make_meeting(status=Meeting.Status.CANCELLED, revision=2)
    (event,) = parse(client.get(f"/meetings/{meeting.slug}/calendar.ics")).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 2


def test_unknown_or_unpublished_meeting_ics_is_404(client):
    assert client.get("/meetings/no-such-meeting/calendar.ics").status_code == 404
    hidden = make_meeting(is_published=False)
    assert client.get(f"/meetings/{hidden.slug}/calendar.ics").status_code == 404


def test_feed_lists_every_published_meeting(client, neighbourhood, other_neighbourhood):
    first = make_meeting(title="First", neighbourhood=neighbourhood, starts_at=local(2026, 12, 1, 18, 0))
    second = make_meeting(title="Second", neighbourhood=other_neighbourhood, starts_at=local(2026, 12, 2, 18, 0))
    make_meeting(title="Draft", is_published=False)
    response = client.get("/meetings/feed.ics")
    assert "attachment" not in response["Content-Disposition"]
    calendar = parse(response)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"First", "Second"}
    assert events["First"].decoded("dtstart") == first.starts_at
    assert events["Second"].decoded("dtstart") == second.starts_at
    assert str(events["First"]["uid"]) != str(events["Second"]["uid"])
    assert str(calendar["x-wr-timezone"]) == "America/Chicago"


def test_neighbourhood_feed_has_only_its_meetings(client, neighbourhood, other_neighbourhood):
    make_meeting(title="Riverside", neighbourhood=neighbourhood)
    make_meeting(title="Old Town", neighbourhood=other_neighbourhood)
    calendar = parse(client.get(f"/meetings/feed/{neighbourhood.slug}.ics"))
    assert [str(event["summary"]) for event in calendar.walk("VEVENT")] == ["Riverside"]
    assert "Riverside" in str(calendar["x-wr-calname"])
    assert client.get("/meetings/feed/nowhere.ics").status_code == 404


def test_online_link_is_only_in_the_calendar_of_people_going(client, resident):
    meeting = make_meeting(mode=Meeting.Mode.ONLINE, address="", online_url="https://meet.example.org/secret")
    url = f"/meetings/{meeting.slug}/calendar.ics"
    assert b"meet.example.org/secret" not in client.get(url).content
    assert b"meet.example.org/secret" not in client.get("/meetings/feed.ics").content
    Rsvp.objects.create(meeting=meeting, user=resident)
    client.force_login(resident)
    (event,) = parse(client.get(url)).walk("VEVENT")
    assert str(event["location"]) == "https://meet.example.org/secret"

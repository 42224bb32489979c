"""iCalendar (RFC 5545) files for one meeting or a feed of many, times in the portal's zone."""

from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting
from portal.translated import translated

if TYPE_CHECKING:
    from icalendar import Event


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[1].split("/", 1)[0]


def meeting_location(meeting: Meeting, *, include_online_link: bool) -> str:
    parts = []
    if meeting.is_in_person and meeting.address:
        parts.append(meeting.address)
    if meeting.is_online and meeting.online_url and include_online_link:
        parts.append(meeting.online_url)
    return " · ".join(parts)


def _event(meeting: Meeting, zone: ZoneInfo, *, include_online_link: bool) -> "Event":
    from icalendar import Event

    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{_domain()}")
    event.add("summary", str(translated(meeting, "title")))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("sequence", meeting.revision)
    url = settings.SITE_URL + meeting.get_absolute_url()
    event.add("url", url)
    event.add("description", f"{translated(meeting, 'description')}\n\n{url}".strip())
    location = meeting_location(meeting, include_online_link=include_online_link)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def calendar_for(meetings: Iterable[Meeting], *, name: str, include_online_link: bool = False) -> bytes:
    """An iCalendar document with one event per meeting and the VTIMEZONE it refers to.

    Online links go only to people registered (as on the meeting page), never into public feeds.
    """
    # Imported here: icalendar costs every process that loads this module ~9 MB (a fan-out never needs it).
    from icalendar import Calendar

    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(_event(meeting, zone, include_online_link=include_online_link))
    calendar.add_missing_timezones()
    return calendar.to_ical()

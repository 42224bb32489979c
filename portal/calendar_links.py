"""Links that add one event to a web calendar, for e-mails that also attach (or link) an .ics file.

Google Calendar and Outlook on the web take the event in the link itself; Apple Calendar (and any
other client) takes the portal's own .ics URL. Times go in UTC, so no calendar guesses a zone.
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/action/compose"


def calendar_links(
    *, title: str, starts_at: datetime, ends_at: datetime, location: str, details: str, ics_url: str
) -> dict[str, str]:
    """The context keys ``google_calendar_url``, ``outlook_calendar_url`` and ``apple_calendar_url``.

    ``details`` is the event's description (the event page's URL, and the online link only for
    someone who holds a seat); ``location`` likewise carries an online link only for them.
    """
    start, end = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": details,
        "location": location,
    }
    outlook = {
        "rru": "addevent",
        "subject": title,
        "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
        "body": details,
        "location": location,
    }
    return {
        # Spaces as %20, not "+": Outlook shows a "+" as it is.
        "google_calendar_url": f"{GOOGLE}?{urlencode(google, quote_via=quote)}",
        "outlook_calendar_url": f"{OUTLOOK}?{urlencode(outlook, quote_via=quote)}",
        "apple_calendar_url": ics_url,
    }

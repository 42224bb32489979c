"""Meeting e-mails that attach an .ics also offer Google Calendar, Outlook and Apple Calendar links."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from meetings.models import Meeting
from meetings.services import meeting_save, rsvp_create
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db
ONLINE_URL = "https://video.example/room/42"
STARTS = datetime(2026, 12, 10, 0, 30, tzinfo=UTC)  # 18:30 the evening before in Chicago


def links_in(text: str) -> dict[str, str]:
    """The calendar links of a text part, by label."""
    found = dict(re.findall(r"^(Add to Google Calendar|Add to Outlook|Apple Calendar \(\.ics\)): (\S+)$", text, re.M))
    assert set(found) == {"Add to Google Calendar", "Add to Outlook", "Apple Calendar (.ics)"}, text
    return found


def query(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its query, and the query's values (each given once)."""
    parts = urlsplit(url)
    values = {key: value for key, [value] in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", values


@pytest.fixture
def hybrid_meeting():
    return make_meeting(
        title="Riverside town hall",
        slug="riverside-town-hall",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        mode=Meeting.Mode.HYBRID,
        online_url=ONLINE_URL,
        capacity=1,
    )


def test_the_confirmation_offers_google_outlook_and_apple_links_for_the_meeting(
    hybrid_meeting, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=hybrid_meeting, user=resident)

    [message] = mail.outbox
    links = links_in(message.body)
    page = "http://127.0.0.1:8000/meetings/riverside-town-hall/"

    google, values = query(links["Add to Google Calendar"])
    assert google == "https://calendar.google.com/calendar/render"
    assert values == {
        "action": "TEMPLATE",
        "text": "Riverside town hall",
        "dates": "20261210T003000Z/20261210T023000Z",
        "details": f"{page}\n{ONLINE_URL}",
        "location": f"12 Mill Lane, Riverton · {ONLINE_URL}",
    }
    outlook, values = query(links["Add to Outlook"])
    assert outlook == "https://outlook.live.com/calendar/0/action/compose"
    assert values == {
        "rru": "addevent",
        "subject": "Riverside town hall",
        "startdt": "2026-12-10T00:30:00Z",
        "enddt": "2026-12-10T02:30:00Z",
        "body": f"{page}\n{ONLINE_URL}",
        "location": f"12 Mill Lane, Riverton · {ONLINE_URL}",
    }
    assert "+" not in links["Add to Outlook"]  # spaces as %20: Outlook shows a "+" as it is
    assert links["Apple Calendar (.ics)"] == f"{page}calendar.ics"
    html = message.alternatives[0][0]
    for url in links.values():  # clickable in the HTML part, as the same URLs
        assert f'href="{url.replace("&", "&amp;")}"' in html


def test_a_waitlisted_person_gets_links_without_the_online_meeting(
    hybrid_meeting, officer, django_capture_on_commit_callbacks
):
    going, waiting = make_user("going@example.com"), make_user("waiting@example.com")
    rsvp_create(meeting=hybrid_meeting, user=going)
    rsvp_create(meeting=hybrid_meeting, user=waiting)
    mail.outbox.clear()
    hybrid_meeting.starts_at += timedelta(hours=1)
    hybrid_meeting.ends_at += timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_save(meeting=hybrid_meeting, actor=officer)

    [waiting_mail] = [message for message in mail.outbox if message.to == [waiting.email]]
    links = links_in(waiting_mail.body)
    _url, google = query(links["Add to Google Calendar"])
    _url, outlook = query(links["Add to Outlook"])
    assert google["dates"] == "20261210T013000Z/20261210T033000Z"  # the new time
    assert google["location"] == outlook["location"] == "12 Mill Lane, Riverton"
    assert google["details"] == outlook["body"] == "http://127.0.0.1:8000/meetings/riverside-town-hall/"
    assert "video.example" not in waiting_mail.body + waiting_mail.alternatives[0][0]
    [going_mail] = [message for message in mail.outbox if message.to == [going.email]]
    assert ONLINE_URL in query(links_in(going_mail.body)["Add to Google Calendar"])[1]["details"]

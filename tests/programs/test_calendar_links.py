"""A seat's e-mail and each session's reminder offer Google Calendar, Outlook and the program's .ics."""

from datetime import UTC, timedelta

import pytest
from django.core import mail

from programs import services
from tests.conftest import make_user
from tests.meetings.test_calendar_links import links_in, query
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db
ONLINE_URL = "https://video.example/academy"


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_the_acceptance_offers_the_first_session_and_the_waitlist_e_mail_no_online_link(
    django_capture_on_commit_callbacks,
):
    program = make_program(capacity=1, sessions=2)
    first = program.sessions.order_by("starts_at").first()
    first.online_url = ONLINE_URL
    first.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(program=program, applicant=make_user("seated@example.com"))
        services.application_submit(program=program, applicant=make_user("waiting@example.com"))

    [accepted] = [message for message in sent_to("seated@example.com") if "Good news: you have a seat" in message.body]
    assert "Add the first session to your calendar:" in accepted.body
    links = links_in(accepted.body)
    page = f"http://127.0.0.1:8000/programs/{program.slug}/"
    google, values = query(links["Add to Google Calendar"])
    assert google == "https://calendar.google.com/calendar/render"
    start, end = first.starts_at.astimezone(UTC), first.ends_at
    assert values == {
        "action": "TEMPLATE",
        "text": "Week 1",
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end.astimezone(start.tzinfo):%Y%m%dT%H%M%SZ}",
        "details": f"{page}\n{ONLINE_URL}",
        "location": f"Police HQ, 100 Main Street · {ONLINE_URL}",
    }
    _outlook, values = query(links["Add to Outlook"])
    assert values["startdt"] == f"{start:%Y-%m-%dT%H:%M:%SZ}"
    assert values["subject"] == "Week 1"
    assert links["Apple Calendar (.ics)"] == f"{page}calendar.ics"
    html = accepted.alternatives[0][0]
    for url in links.values():
        assert f'href="{url.replace("&", "&amp;")}"' in html

    waiting = "".join(message.body + message.alternatives[0][0] for message in sent_to("waiting@example.com"))
    assert "waitlist" in waiting
    assert "calendar.google.com" not in waiting
    assert "video.example" not in waiting


def test_a_session_reminder_offers_that_session(django_capture_on_commit_callbacks):
    program = make_program(sessions=1, first_session_in=timedelta(hours=20))
    services.application_submit(program=program, applicant=make_user("seated@example.com"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_reminders_send() == 1

    [reminder] = mail.outbox
    session = program.sessions.get()
    _google, values = query(links_in(reminder.body)["Add to Google Calendar"])
    assert values["text"] == "Week 1"
    assert values["location"] == "Police HQ, 100 Main Street"
    assert values["dates"].startswith(f"{session.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}/")
    assert 'href="https://calendar.google.com/calendar/render?' in reminder.alternatives[0][0]

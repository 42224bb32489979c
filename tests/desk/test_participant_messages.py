"""Officers message a program's or meeting's participants through a confirmation; a double submit sends once."""

import re

import pytest

from audit.models import AuditEntry
from meetings.models import Rsvp
from meetings.services import rsvp_create
from outbox.models import Email
from programs import services as program_services
from tests.conftest import desk_client_for, make_user
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def _counts(html: str) -> dict[str, int]:
    return {
        name: int(count)
        for name, count in re.findall(r'<th scope="row">([^<]+)</th><td class="desk-count">(\d+)', html)
    }


def _spanish(user):
    from accounts.selectors import profile_for

    profile = profile_for(user)
    profile.preferred_language = "es"
    profile.save()
    return user


def _compose(client, url: str, **data) -> tuple[str, dict]:
    form = client.get(url)
    assert form.status_code == 200
    key = re.search(r'name="message_key" value="([^"]+)"', form.content.decode()).group(1)
    values = {"audience": "seated", "subject": "Room change", "body": "We meet in room 4 & 5.", "message_key": key}
    values.update(data)
    return client.post(url, values).content.decode(), values


def test_a_program_message_confirms_then_sends_once_to_the_seated(officer, django_capture_on_commit_callbacks):
    program = make_program(capacity=2)
    seated = [
        program_services.application_submit(program=program, applicant=make_user(f"s{n}@example.com")) for n in range(2)
    ]
    _spanish(seated[1].applicant)
    waiting = program_services.application_submit(program=program, applicant=make_user("w@example.com"))
    assert waiting.status == "waitlisted"
    Email.objects.all().delete()
    client = desk_client_for(officer)
    url = f"/admin/programs/program/{program.pk}/message/"

    html, values = _compose(client, url)
    assert _counts(html) == {"English": 1, "Spanish": 1}
    assert "We meet in room 4 &amp; 5." in html  # the preview
    assert Email.objects.count() == 0

    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {**values, "confirm": "yes"})
        assert response.status_code == 302
    sent = Email.objects.filter(template="programs/emails/participants_message")
    assert sorted(sent.values_list("to", flat=True)) == ["s0@example.com", "s1@example.com"]
    assert sent.filter(language="es").count() == 1
    assert AuditEntry.objects.filter(action="programs.program.message").count() == 1

    # The waitlist, in a new message, gets its own copy.
    html, values = _compose(client, url, audience="waitlisted")
    assert _counts(html) == {"English": 1}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**values, "confirm": "yes"})
    assert Email.objects.filter(template="programs/emails/participants_message", to="w@example.com").count() == 1


def test_a_meeting_message_to_everyone_counts_what_it_queues(
    officer, neighbourhood, django_capture_on_commit_callbacks
):
    meeting = make_meeting(neighbourhood=neighbourhood, capacity=1)
    rsvp_create(meeting=meeting, user=make_user("going@example.com"))
    waiting = rsvp_create(meeting=meeting, user=_spanish(make_user("espera@example.com")))
    assert waiting.status == Rsvp.Status.WAITLISTED
    Email.objects.all().delete()
    client = desk_client_for(officer)
    url = f"/admin/meetings/meeting/{meeting.pk}/message/"

    html, values = _compose(client, url, audience="all")
    assert _counts(html) == {"English": 1, "Spanish": 1}
    assert Email.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**values, "confirm": "yes"})
        client.post(url, {**values, "confirm": "yes"})
    sent = Email.objects.filter(template="meetings/emails/participants_message")
    assert sorted(sent.values_list("to", flat=True)) == ["espera@example.com", "going@example.com"]
    assert sent.get(language="es").to == "espera@example.com"
    assert AuditEntry.objects.filter(action="meeting.message").get().detail["recipients"] == 2


def test_an_empty_message_is_refused_with_a_clear_message(officer):
    program = make_program()
    client = desk_client_for(officer)
    html, _values = _compose(client, f"/admin/programs/program/{program.pk}/message/", subject="", body="")
    assert "This field is required." in html
    assert Email.objects.count() == 0


def test_a_resident_cannot_message_participants(resident_client):
    program = make_program()
    response = resident_client.get(f"/admin/programs/program/{program.pk}/message/")
    assert response.status_code == 302  # to the admin login

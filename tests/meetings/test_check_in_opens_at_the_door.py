from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from meetings.services import rsvp_check_in, rsvp_create
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_a_check_in_before_the_doors_open_and_records_nothing(desk_client, resident):
    meeting = make_meeting(starts_at=timezone.now() + timedelta(days=27))
    rsvp = rsvp_create(meeting=meeting, user=resident)
    url = f"/admin/meetings/meeting/{meeting.pk}/attendance/"
    page = desk_client.post(url, {"code": rsvp.code}, follow=True).content.decode()
    assert "check-in opens an hour before it starts" in page
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None
    assert not AuditEntry.objects.filter(action="meeting.checked_in").exists()


def test_the_admins_bulk_check_in_obeys_the_same_rule(desk_client, resident):
    meeting = make_meeting(starts_at=timezone.now() + timedelta(hours=3))
    rsvp = rsvp_create(meeting=meeting, user=resident)
    response = desk_client.post(
        "/admin/meetings/rsvp/", {"action": "check_in", "_selected_action": [rsvp.pk]}, follow=True
    )
    assert "check-in opens an hour before it starts" in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_check_in_works_from_an_hour_before_the_start(officer, resident):
    meeting = make_meeting(starts_at=timezone.now() + timedelta(minutes=59))
    rsvp = rsvp_create(meeting=meeting, user=resident)
    assert rsvp_check_in(meeting=meeting, code=rsvp.code, actor=officer).checked_in_at is not None

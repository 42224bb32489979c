"""A past meeting reads as past: when it took place and its minutes, no seats left, no
"already started" and no registration state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Rsvp
from tests.meetings.conftest import make_meeting


@pytest.mark.django_db
def test_a_past_meeting_says_when_it_took_place_and_nothing_about_seats_or_rsvp(client, resident, neighbourhood):
    starts_at = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    meeting = make_meeting(
        neighbourhood=neighbourhood, starts_at=starts_at, capacity=60, minutes="42 residents attended."
    )
    Rsvp.objects.create(meeting=meeting, user=resident, status=Rsvp.Status.GOING)
    client.force_login(resident)

    content = client.get(meeting.get_absolute_url()).content.decode()

    assert "This meeting took place on" in content
    assert "42 residents attended." in content and 'href="#minutes-heading"' in content
    for stale in ("This meeting has already started", "seats left", "You are going", "Cancel my registration"):
        assert stale not in content


@pytest.mark.django_db
def test_a_meeting_under_way_says_so(client, neighbourhood):
    starts_at = (timezone.now() - timedelta(minutes=30)).replace(microsecond=0)
    meeting = make_meeting(neighbourhood=neighbourhood, starts_at=starts_at, capacity=60)
    content = client.get(meeting.get_absolute_url()).content.decode()
    assert "This meeting is under way: registration is closed." in content
    assert "took place" not in content

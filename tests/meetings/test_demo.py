import pytest

from meetings import demo
from meetings.models import AgendaItem, Meeting
from portal.demo import create_neighbourhoods


@pytest.mark.django_db
def test_demo_data_is_idempotent(officer):
    neighbourhoods = create_neighbourhoods()
    demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    counts = (Meeting.objects.count(), AgendaItem.objects.count())
    demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    assert (Meeting.objects.count(), AgendaItem.objects.count()) == counts
    assert Meeting.objects.filter(is_published=True).count() == 4
    past = Meeting.objects.get(slug=demo.PAST["slug"])
    assert past.has_ended and past.minutes
    assert sum(not meeting.has_started for meeting in Meeting.objects.all()) == 3

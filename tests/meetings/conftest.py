from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Meeting

CHICAGO = ZoneInfo("America/Chicago")


def make_meeting(**overrides) -> Meeting:
    """A published, scheduled in-person meeting a week from now unless told otherwise."""
    starts_at = overrides.pop("starts_at", None) or (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    values = {
        "title": "Riverside town hall",
        "kind": Meeting.Kind.TOWN_HALL,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "mode": Meeting.Mode.IN_PERSON,
        "address": "12 Mill Lane, Riverton",
        "is_published": True,
    }
    values.update(overrides)
    if "slug" not in values:
        values["slug"] = f"meeting-{Meeting.objects.count() + 1}-{starts_at:%Y%m%d%H%M}"
    return Meeting.objects.create(**values)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


@pytest.fixture
def meeting(db, neighbourhood):
    return make_meeting(neighbourhood=neighbourhood)

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from audits.checklists import create_default_template
from audits.models import AuditWalk, ChecklistItem, ChecklistTemplate, DrillPlan
from meetings.models import Meeting, Rsvp
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting
from tests.tips.conftest import jpeg_with_gps  # noqa: F401 (re-exported for the audits tests)


def default_template() -> ChecklistTemplate:
    """The CPTED checklist the data migration ships (made again after a transactional test's flush)."""
    return create_default_template(ChecklistTemplate, ChecklistItem)


def make_walk(*, area="Mill Lane underpass", started_ago=timedelta(minutes=30), previous_walk=None, **meeting):
    """A published safety-audit walk that started ``started_ago`` (a negative value: in the future)."""
    starts_at = (timezone.now() - started_ago).replace(microsecond=0)
    meeting = make_meeting(
        title=meeting.pop("title", f"Safety walk: {area}"),
        kind=Meeting.Kind.SAFETY_AUDIT,
        starts_at=starts_at,
        **meeting,
    )
    template = default_template()
    return AuditWalk.objects.create(meeting=meeting, area=area, template=template, previous_walk=previous_walk)


def check_in(walk_or_meeting, user) -> Rsvp:
    meeting = getattr(walk_or_meeting, "meeting", walk_or_meeting)
    return Rsvp.objects.create(meeting=meeting, user=user, checked_in_at=timezone.now())


def make_drill(*, ended_ago=timedelta(hours=1), **meeting) -> DrillPlan:
    starts_at = (timezone.now() - ended_ago - timedelta(hours=2)).replace(microsecond=0)
    meeting = make_meeting(
        title=meeting.pop("title", "Flood drill"), kind=Meeting.Kind.PREPAREDNESS_DRILL, starts_at=starts_at, **meeting
    )
    return DrillPlan.objects.create(
        meeting=meeting, scenario="The river rises overnight.", roles="Wardens knock on doors.", materials="Go-bags."
    )


def photo_file(data: bytes, name: str = "IMG_0001.jpg") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def plain_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def walk(db, neighbourhood):
    return make_walk(neighbourhood=neighbourhood)


@pytest.fixture
def participant(walk):
    user = make_user("walker@example.com", first_name="Wendy")
    check_in(walk, user)
    return user

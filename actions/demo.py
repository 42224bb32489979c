"""Demo action plans: from a meeting question, a feedback response, a watch concern and none,
in several states (one overdue), so a local run shows the whole loop."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from actions import services
from actions.models import ActionItem
from meetings.models import FeedbackResponse, Meeting, Question
from watch.models import Concern, WatchGroup

RESIDENT_EMAIL = "resident@precinct.example"
PAST_MEETING_SLUG = "demo-eastwood-community-forum"
WATCH_GROUP_SLUG = "riverside-river-road-watch"
LIGHTS_TITLE = "Six lights on Eastwood Park's east path"


def _resident():
    user, _created = get_user_model().objects.get_or_create(
        username=RESIDENT_EMAIL, defaults={"email": RESIDENT_EMAIL, "first_name": "Jordan"}
    )
    return user


def _sources(officer, resident):
    meeting = Meeting.objects.get(slug=PAST_MEETING_SLUG)
    question, _created = Question.objects.get_or_create(
        meeting=meeting,
        author=resident,
        text="The east path of Eastwood Park is pitch dark after 7 pm. Can it get lights?",
        defaults={"status": Question.Status.ANSWERED, "answer": "Yes: we have asked the city for lights."},
    )
    response, _created = FeedbackResponse.objects.get_or_create(
        meeting=meeting,
        defaults={
            "summary": "You asked to see officers in the park outside emergencies.",
            "response": "A monthly walk-and-talk in the park.",
            "published_at": timezone.now(),
            "author": officer,
        },
    )
    group = WatchGroup.objects.get(slug=WATCH_GROUP_SLUG)
    concern, _created = Concern.objects.get_or_create(
        group=group,
        subject="Broken street light at the River Road bridge",
        defaults={"reporter": group.coordinator, "body": "The light by the bridge steps has been out for weeks."},
    )
    return question, response, concern


def create_demo_data(*, officer, neighbourhoods) -> None:
    """Idempotent: nothing is added once the demo actions exist."""
    if ActionItem.objects.filter(title=LIGHTS_TITLE).exists():
        return
    by_slug = {neighbourhood.slug: neighbourhood for neighbourhood in neighbourhoods}
    question, response, concern = _sources(officer, _resident())
    today = timezone.localdate()

    lights = services.create_action(
        by=officer,
        title=LIGHTS_TITLE,
        description="The city's parks department installs six lights along the east path.",
        neighbourhood=by_slug.get("eastwood"),
        owner="City parks department",
        due_date=today + timedelta(days=5),
        status=ActionItem.Status.PLANNED,
        source=question,
        owner_officer=officer,
        translations={"es": {"title": "Seis farolas en el camino este del parque Eastwood"}},
    )
    services.change_status(lights, by=officer, status=ActionItem.Status.IN_PROGRESS, note="The poles are in.")

    walk = services.create_action(
        by=officer,
        title="A monthly walk-and-talk in Eastwood Park",
        neighbourhood=by_slug.get("eastwood"),
        owner="Eastwood beat team",
        due_date=today - timedelta(days=3),
        status=ActionItem.Status.PLANNED,
        source=response,
    )
    services.change_status(walk, by=officer, status=ActionItem.Status.DONE, note="First walk held on Saturday.")

    services.create_action(
        by=officer,
        title="Repair the River Road bridge light",
        description="Public works replaces the lamp above the bridge steps and checks the others on the bridge.",
        neighbourhood=by_slug.get("riverside"),
        owner="Public works",
        due_date=today - timedelta(days=2),  # overdue
        status=ActionItem.Status.PLANNED,
        source=concern,
        owner_officer=officer,
    )

    shelters = services.create_action(
        by=officer,
        title="Cameras in every bus shelter",
        owner="Transit authority",
        status=ActionItem.Status.PROPOSED,
    )
    services.change_status(
        shelters,
        by=officer,
        status=ActionItem.Status.NOT_POSSIBLE,
        reason="The transit authority will not put cameras in shelters; it is adding lighting instead.",
    )

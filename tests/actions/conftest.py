import pytest

from actions import services
from actions.models import ActionItem
from meetings.models import Question, QuestionVote, Rsvp
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting


@pytest.fixture
def meeting(db, neighbourhood):
    return make_meeting(neighbourhood=neighbourhood)


@pytest.fixture
def question(meeting, resident):
    return Question.objects.create(meeting=meeting, author=resident, text="Can the park lights stay on later?")


def add_voters(question, count: int, *, start: int = 0):
    users = [make_user(f"voter{start + n}@example.com") for n in range(count)]
    QuestionVote.objects.bulk_create([QuestionVote(question=question, user=user) for user in users])
    return users


def add_attendees(meeting, users):
    Rsvp.objects.bulk_create([Rsvp(meeting=meeting, user=user, status=Rsvp.Status.GOING) for user in users])


@pytest.fixture
def action(officer, neighbourhood):
    return services.create_action(by=officer, title="Fix the lights on Mill Lane", neighbourhood=neighbourhood)


def make_action(officer, **overrides) -> ActionItem:
    values = {"title": "An action"}
    values.update(overrides)
    return services.create_action(by=officer, **values)

"""An action is public; what a resident wrote in private at its source never becomes its text."""

import pytest

from actions import services, sources
from actions.models import ActionItem
from meetings.models import Question
from watch.models import Concern, WatchGroup

pytestmark = pytest.mark.django_db

BODY = "The side gate behind number 14 swings open every night after ten."


@pytest.fixture
def concern(neighbourhood, resident):
    group = WatchGroup.objects.create(name="Mill Lane watch", slug="mill-lane", neighbourhood=neighbourhood)
    return Concern.objects.create(group=group, reporter=resident, subject="Gate left open at night", body=BODY)


@pytest.mark.parametrize(
    "copy",
    [
        BODY,
        "the SIDE gate, behind number 14 -- swings open",  # six words in a row, other case and punctuation
        "Update: gate behind number 14 swings open every night, we are on it.",
        "ＴＨＥ ｓｉｄｅ gate behind number 14",  # full-width letters are the same words
    ],
)
def test_a_copy_of_a_concern_is_refused_wherever_it_is_written(officer, concern, copy):
    with pytest.raises(services.ActionError):
        services.create_action(by=officer, title="Gate", description=copy, source=concern)
    with pytest.raises(services.ActionError):
        services.create_action(by=officer, title="Gate", translations={"es": {"description": copy}}, source=concern)
    assert not ActionItem.objects.exists()


def test_a_short_private_text_is_refused_whole_and_two_words_are_free(officer, concern):
    with pytest.raises(services.ActionError):
        services.create_action(by=officer, title="Gate left open at night", source=concern)
    # Two words of a resident's sentence ("side gate") are not a quotation: any summary needs them.
    action = services.create_action(
        by=officer, title="Lock the side gate", description="Parks will fit a self-closing latch.", source=concern
    )
    assert action.source == concern


def test_the_timeline_and_later_edits_refuse_a_copy_too(officer, concern):
    action = services.create_action(by=officer, title="Lock the side gate", source=concern)

    with pytest.raises(services.ActionError):
        services.add_update(action, by=officer, body=f"Resident said: {BODY}")
    with pytest.raises(services.ActionError):
        services.change_status(action, by=officer, status=ActionItem.Status.PLANNED, note=BODY)
    action.description = BODY
    with pytest.raises(services.ActionError):
        services.update_details(action, by=officer, fields=["description"])

    action.refresh_from_db()
    assert (action.status, action.description, action.updates.count()) == (ActionItem.Status.PROPOSED, "", 1)


def test_a_published_question_is_public_already_and_a_pending_one_is_not(officer, meeting, resident):
    text = "Can the park lights stay on later in the winter months?"
    question = Question.objects.create(meeting=meeting, author=resident, text=text, status=Question.Status.PENDING)
    registration = sources.source_for(question)
    assert registration.prefill(question) == {"neighbourhood": meeting.neighbourhood}
    with pytest.raises(services.ActionError):
        services.create_action(by=officer, title="Lights", description=text, source=question)

    question.status = Question.Status.PUBLISHED
    question.save(update_fields=["status"])
    assert registration.prefill(question)["description"] == text
    assert services.create_action(by=officer, title="Lights", description=text, source=question).source == question


def test_an_action_without_a_source_or_from_a_public_source_is_not_checked(officer):
    assert services.create_action(by=officer, title=BODY, description=BODY).title == BODY

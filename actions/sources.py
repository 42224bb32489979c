"""What can become an action: each app declares its sources here (usually from AppConfig.ready()).

A source tells the actions app three things: its ``kind`` (a ``ActionItem.SourceKind`` value, for
filtering), how to ``prefill`` an action from it (title, description, neighbourhood), its
``audience``: the ids of the people who raised, voted on or attended it, who hear of each status
change, and its ``private_text``: what a resident wrote there that is not public. An audience must
never single out anyone who spoke anonymously, and an action (always public) never repeats private
text: the prefill leaves it out, the officer reads it beside the form and writes the action in the
department's own words (``actions.services`` refuses a copy).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Source:
    model: type[models.Model]
    kind: str
    label: str
    prefill: Callable[[models.Model], dict]
    audience: Callable[[models.Model], Iterable[int]]
    private_text: Callable[[models.Model], list[str]]


def _nothing_private(obj) -> list[str]:
    return []


_registry: dict[type[models.Model], Source] = {}


def register_source(
    model: type[models.Model],
    *,
    kind: str,
    label: str,
    prefill: Callable[[models.Model], dict],
    audience: Callable[[models.Model], Iterable[int]],
    private_text: Callable[[models.Model], list[str]] = _nothing_private,
) -> Source:
    """Declare that objects of ``model`` can become actions. Registering a model twice replaces it."""
    from actions.models import ActionItem

    ActionItem.SourceKind(kind)  # an unknown kind fails here, at start-up, not on the first action
    source = Source(
        model=model, kind=kind, label=str(label), prefill=prefill, audience=audience, private_text=private_text
    )
    _registry[model] = source
    return source


def source_for(obj_or_model) -> Source | None:
    """The registration for an object or model class, or None when it cannot become an action."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _registry.get(model._meta.concrete_model)


def registered_sources() -> list[Source]:
    return list(_registry.values())


# --- The sources the actions app knows itself ----------------------------------------------------


def _attendee_ids(meeting) -> set[int]:
    """People who attended (checked in, once the meeting used check-in; else who held a seat)."""
    from meetings.services import feedback_eligible_rsvps

    return set(feedback_eligible_rsvps(meeting).values_list("user_id", flat=True))


def _question_is_public(question) -> bool:
    from meetings.models import Question

    return question.status in (Question.Status.PUBLISHED, Question.Status.ANSWERED)


def _question_prefill(question) -> dict:
    if not _question_is_public(question):
        return {"neighbourhood": question.meeting.neighbourhood}
    return {
        "title": question.text[:200],
        "description": question.text,
        "neighbourhood": question.meeting.neighbourhood,
    }


def _question_private_text(question) -> list[str]:
    # A question waiting for moderation, or hidden by it, was never shown on the meeting's page.
    return [] if _question_is_public(question) else [question.text]


def _question_audience(question) -> set[int]:
    from meetings.models import QuestionVote

    voters = set(QuestionVote.objects.filter(question=question).values_list("user_id", flat=True))
    return {question.author_id, *voters, *_attendee_ids(question.meeting)}


def _feedback_prefill(response) -> dict:
    return {
        "title": str(response.meeting)[:200],
        "description": "\n\n".join(filter(None, [response.summary, response.response])),
        "neighbourhood": response.meeting.neighbourhood,
    }


def _feedback_audience(response) -> set[int]:
    # Feedback may be anonymous: everyone who attended hears, so no list says who gave feedback.
    return _attendee_ids(response.meeting)


def _concern_prefill(concern) -> dict:
    return {"neighbourhood": concern.group.neighbourhood}


def _concern_private_text(concern) -> list[str]:
    # A concern goes to the group's liaison officer only.
    return [concern.subject, concern.body]


def _concern_audience(concern) -> set[int]:
    return {concern.reporter_id} if concern.reporter_id else set()


def register_builtin_sources() -> None:
    from django.utils.translation import gettext_lazy as _

    from meetings.models import FeedbackResponse, Question
    from watch.models import Concern

    register_source(
        Question,
        kind="question",
        label=_("Meeting question"),
        prefill=_question_prefill,
        audience=_question_audience,
        private_text=_question_private_text,
    )
    register_source(
        FeedbackResponse,
        kind="feedback",
        label=_("Meeting feedback"),
        prefill=_feedback_prefill,
        audience=_feedback_audience,
    )
    register_source(
        Concern,
        kind="concern",
        label=_("Watch-group concern"),
        prefill=_concern_prefill,
        audience=_concern_audience,
        private_text=_concern_private_text,
    )

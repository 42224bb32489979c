"""Builders for the figures' fixtures: rows made in bulk, so 10,000 cost a few queries."""

import uuid
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from meetings.models import Feedback, Meeting, Question, Rsvp
from neighbourhoods.models import Neighbourhood
from tests.meetings.conftest import CHICAGO
from tips.models import Tip, TipCategory


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def make_area(slug: str) -> Neighbourhood:
    return Neighbourhood.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").title()})[0]


def make_users(count: int, prefix: str = "person") -> list:
    User = get_user_model()
    start = User.objects.count()
    users = [
        User(username=f"{prefix}{start + i}@example.org", email=f"{prefix}{start + i}@example.org")
        for i in range(count)
    ]
    return User.objects.bulk_create(users)


def make_held_meetings(count: int, *, starts_at: datetime, neighbourhood=None) -> list[Meeting]:
    meetings = [
        Meeting(
            title=f"Meeting {uuid.uuid4().hex[:8]}",
            slug=f"meeting-{uuid.uuid4().hex}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            neighbourhood=neighbourhood,
            is_published=True,
            status=Meeting.Status.COMPLETED,
        )
        for _ in range(count)
    ]
    return Meeting.objects.bulk_create(meetings)


def check_in(meeting: Meeting, users) -> None:
    Rsvp.objects.bulk_create(
        [Rsvp(meeting=meeting, user=user, status=Rsvp.Status.GOING, checked_in_at=meeting.starts_at) for user in users]
    )


def ask(meeting: Meeting, users, *, answered: int = 0) -> None:
    Question.objects.bulk_create(
        [
            Question(
                meeting=meeting,
                author=user,
                text="Why?",
                status=Question.Status.ANSWERED if index < answered else Question.Status.PUBLISHED,
            )
            for index, user in enumerate(users)
        ]
    )


def give_feedback(meeting: Meeting, ratings: list[int], concerns: list[str]) -> None:
    Feedback.objects.bulk_create(
        [
            Feedback(
                meeting=meeting,
                rating_information=rating,
                rating_listening=rating,
                rating_organisation=rating,
                rating_overall=rating,
                concern_addressed=concern,
            )
            for rating, concern in zip(ratings, concerns, strict=True)
        ]
    )


def tip_category(slug: str) -> TipCategory:
    return TipCategory.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]


def make_tips(count: int, *, category: TipCategory, received_at: datetime, neighbourhood=None, status=Tip.Status.NEW):
    tips = []
    for _ in range(count):
        token = uuid.uuid4().hex
        tips.append(
            Tip(
                reference=token[:12],
                category=category,
                neighbourhood=neighbourhood,
                content_encrypted="x",
                status=status,
                receipt_index=token,
                receipt_hash="x",
                received_at=received_at,
                settled=True,
            )
        )
    return Tip.objects.bulk_create(tips)


def make_actions(
    count: int, *, created_at: datetime, neighbourhood=None, status="proposed", due_date=None, done_on=None
):
    from actions.models import ActionItem

    items = ActionItem.objects.bulk_create(
        [
            ActionItem(
                title=f"Action {uuid.uuid4().hex[:8]}",
                neighbourhood=neighbourhood,
                status=status,
                status_reason="Not in our hands." if status == "not_possible" else "",
                due_date=due_date,
                done_on=done_on,
            )
            for _ in range(count)
        ]
    )
    # created_at is set by the database on insert: move it to the moment the test needs.
    ActionItem.objects.filter(pk__in=[item.pk for item in items]).update(created_at=created_at)
    return items

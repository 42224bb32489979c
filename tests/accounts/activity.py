"""A resident's record on the portal, ``count`` of each kind, for the "my activity" tests."""

import itertools
from datetime import timedelta

from django.utils import timezone

from meetings.models import Feedback, FeedbackReceipt, PendingFeedback, Question, Rsvp
from newsletters.models import ConsentRecord, Subscription
from outbox.models import Email
from programs.models import Application
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program
from watch.models import Concern, Membership, Post, WatchGroup

_numbers = itertools.count(1)

RATINGS = {"rating_information": 4, "rating_listening": 5, "rating_organisation": 3, "rating_overall": 4}
ANONYMOUS_COMMENT = "Anonymous words nobody may tie to a person"


def fill_activity(user, *, count: int, neighbourhood, other=None) -> None:
    """``count`` RSVPs, applications, questions, feedback receipts (named and anonymous), watch
    groups (``other`` a fellow member), posts and concerns, e-mails; and a subscription."""
    now = timezone.now()
    for index in range(count):
        number = next(_numbers)
        meeting = make_meeting(neighbourhood=neighbourhood, title=f"Town hall {number}", slug=f"town-hall-{number}")
        Rsvp.objects.create(meeting=meeting, user=user)
        Question.objects.create(
            meeting=meeting,
            author=user,
            text=f"My question {number}",
            status=Question.Status.ANSWERED,
            answer=f"The answer {number}",
        )
        past = make_meeting(
            neighbourhood=neighbourhood,
            title=f"Past meeting {number}",
            slug=f"past-meeting-{number}",
            starts_at=(now - timedelta(days=3)).replace(microsecond=0),
        )
        FeedbackReceipt.objects.create(meeting=past, user=user)
        if index % 2:
            Feedback.objects.create(
                meeting=past, user=user, concern_addressed="yes", comment=f"Named {number}", **RATINGS
            )
        else:
            PendingFeedback.objects.create(meeting=past, concern_addressed="no", comment=ANONYMOUS_COMMENT, **RATINGS)
        program = make_program(title=f"Academy {number}", slug=f"academy-x{number}")
        Application.objects.create(
            program=program, applicant=user, answers=[{"question": "Why?", "answer": f"My reason {number}"}]
        )
        group = WatchGroup.objects.create(
            name=f"Street {number} Watch",
            slug=f"street-{number}-watch",
            neighbourhood=neighbourhood,
            description="Our street.",
            status=WatchGroup.Status.APPROVED,
            coordinator=user if index == 0 else other,
        )
        Membership.objects.create(group=group, user=user, approved_at=now)
        if other is not None:
            Membership.objects.create(group=group, user=other, approved_at=now)
        Post.objects.create(
            group=group, author=user, author_role=Post.AuthorRole.COORDINATOR, title=f"Post {number}", body="Hello"
        )
        Concern.objects.create(group=group, reporter=user, subject=f"Concern {number}", body="A broken light")
        Email.objects.create(
            to=user.email, template="meetings/emails/rsvp_confirmed", idempotency_key=f"test:{number}", sealed=""
        )
    subscription, _created = Subscription.objects.get_or_create(
        email=user.email, defaults={"user": user, "status": Subscription.Status.ACTIVE, "confirmed_at": now}
    )
    subscription.neighbourhoods.add(neighbourhood)
    ConsentRecord.objects.create(
        subscription=subscription, source=ConsentRecord.Source.WEB, changes={"status": [None, "pending"]}
    )

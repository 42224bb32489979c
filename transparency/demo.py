"""Demo history for "How we're doing": a year of past meetings with attendance, questions and
feedback, and a year of tips, so the page has figures at once; then the figures are computed.

Idempotent: meetings are keyed by slug and tips by reference, so a second run adds nothing.
"""

import hashlib
import json
import random
from datetime import timedelta

from django.contrib.auth import get_user_model

from meetings.models import Feedback, Meeting, Question, Rsvp
from tips.crypto import encrypt_text
from tips.models import Tip, TipCategory
from transparency.periods import Month, local_today
from transparency.services import figures_compute

HISTORY_MONTHS = 12
RESIDENTS = 30
TIP_CATEGORIES = ("theft", "vandalism", "drugs", "traffic")
TIP_STATUSES = [Tip.Status.CLOSED] * 5 + [Tip.Status.REFERRED] * 2 + [Tip.Status.ACTIONABLE, Tip.Status.SPAM]
CONCERNS = [Feedback.Concern.YES] * 4 + [Feedback.Concern.PARTLY, Feedback.Concern.NO, Feedback.Concern.NONE] * 2


def _residents() -> list:
    User = get_user_model()
    users = []
    for number in range(1, RESIDENTS + 1):
        email = f"demo-resident-{number}@precinct.example"
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_unusable_password()  # demo attendees only: nobody logs in as them
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _months_before(today) -> list[Month]:
    months, month = [], Month.of(today)
    for _ in range(HISTORY_MONTHS):
        month = month.previous()
        months.append(month)
    return months


def _rng(seed: str) -> random.Random:
    # The same history on every run: each item draws from its own seed (its key), not a secret.
    return random.Random(seed)  # noqa: S311


def _meetings(months, neighbourhoods, residents) -> None:
    areas = [*neighbourhoods, None]
    existing = set(Meeting.objects.filter(slug__startswith="demo-history-").values_list("slug", flat=True))
    for month in months:
        for area in areas:
            prefix = f"demo-history-{area.slug if area else 'city'}-{month.key}"
            for number in range(_rng(prefix).randint(1, 3)):
                slug = f"{prefix}-{number}"
                if slug in existing:
                    continue
                rng = _rng(slug)
                attendees = rng.sample(residents, rng.randint(6, 25))
                askers = rng.sample(residents, rng.randint(2, 8))
                answers = rng.randint(3, len(attendees) // 2 + 3)
                starts_at = (month.starts_at + timedelta(days=rng.randint(0, 26))).replace(hour=18)
                meeting = Meeting.objects.create(
                    slug=slug,
                    title=f"{area.name if area else 'City-wide'} community meeting",
                    kind=Meeting.Kind.BEAT_MEETING if area else Meeting.Kind.TOWN_HALL,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2),
                    neighbourhood=area,
                    status=Meeting.Status.COMPLETED,
                    is_published=True,
                    address="Community centre",
                )
                Rsvp.objects.bulk_create(
                    Rsvp(meeting=meeting, user=user, checked_in_at=starts_at + timedelta(minutes=5))
                    for user in attendees
                )
                Question.objects.bulk_create(
                    Question(
                        meeting=meeting,
                        author=user,
                        text="What is being done about speeding on our street?",
                        status=Question.Status.ANSWERED if rng.random() < 0.75 else Question.Status.PUBLISHED,
                    )
                    for user in askers
                )
                Feedback.objects.bulk_create(
                    Feedback(
                        meeting=meeting,
                        rating_information=rng.randint(3, 5),
                        rating_listening=rng.randint(2, 5),
                        rating_organisation=rng.randint(3, 5),
                        rating_overall=rng.randint(3, 5),
                        concern_addressed=rng.choice(CONCERNS),
                    )
                    for _ in range(answers)
                )


def _tips(months) -> None:
    categories = {c.slug: c for c in TipCategory.objects.filter(slug__in=TIP_CATEGORIES)}
    existing = set(Tip.objects.filter(reference__startswith="DEMO-").values_list("reference", flat=True))
    content = encrypt_text(json.dumps({"what": "A demo tip.", "where": "", "when": ""}))
    new = []
    for month in months:
        for slug, category in categories.items():
            for number in range(_rng(f"{month.key}-{slug}").randint(2, 14)):
                reference = f"DEMO-{month.key}-{slug[:3]}{number}"
                if reference in existing:
                    continue
                rng = _rng(reference)
                received_at = month.starts_at + timedelta(days=rng.randint(0, 27), hours=rng.randint(0, 23))
                status = rng.choice(TIP_STATUSES)
                new.append(
                    Tip(
                        reference=reference,
                        category=category,
                        content_encrypted=content,
                        status=status,
                        # No receipt phrase opens a demo history tip.
                        receipt_index=hashlib.sha256(reference.encode()).hexdigest(),
                        receipt_hash="!",
                        received_at=received_at,
                        settled=True,
                        reviewers_notified=True,
                        closed_at=received_at + timedelta(days=7)
                        if status in (Tip.Status.CLOSED, Tip.Status.SPAM)
                        else None,
                    )
                )
    Tip.objects.bulk_create(new)


def create_demo_data(*, officer, neighbourhoods) -> None:
    months = _months_before(local_today())
    _meetings(months, neighbourhoods, _residents())
    _tips(months)
    figures_compute()

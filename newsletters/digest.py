"""The weekly digest: per subscriber, one e-mail with what is new for their neighbourhoods and topics.

The week's candidates (meetings ahead, programs open for applications, recent newsletters,
safety alerts and action items that changed) are read once per run, a handful of queries; each
subscriber's digest is then a filter in memory over their neighbourhoods. Subscribers stream in
batches; each batch's outbox rows and DigestDelivery rows (unique per subscription and ISO week)
commit together, so a second run in the same week, or a run resumed after a crash, sends nobody a second digest.
"""

import contextlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation

from newsletters import selectors
from newsletters.models import DigestDelivery, Newsletter, Subscription
from outbox.headers import list_id
from outbox.models import Email
from outbox.services import email_queue_many
from portal.translated import translated

BATCH_SIZE = 500
MEETINGS_AHEAD = timedelta(days=14)
LOOK_BACK = timedelta(days=7)
# Digests go out from Monday 08:00 local time; the hourly beat run picks up any week not yet sent.
SEND_FROM_HOUR = 8


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    when: datetime | None
    neighbourhood_ids: frozenset[int]  # empty: city-wide
    detail: str = ""
    # {language: {"title", "title_lang", "detail", "detail_lang"}}: the texts in each site language,
    # "<x>_lang" naming the language of an untranslated fallback (see ``_texts``).
    texts: dict = field(default_factory=dict, compare=False, hash=False)

    def concerns(self, followed: set[int]) -> bool:
        """City-wide items concern everyone; subscribers who follow no neighbourhood get everything."""
        return not self.neighbourhood_ids or not followed or bool(self.neighbourhood_ids & followed)


def _texts(obj, title_field: str, detail_field: str | None = None) -> dict:
    """An item's title (and detail) in every site language, read once per run."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        entry = {}
        for key, name in (("title", title_field), ("detail", detail_field)):
            if name:
                text = translated(obj, name, language)
                entry[key], entry[f"{key}_lang"] = str(text), text.language if text.fallback else ""
        texts[language] = entry
    return texts


def iso_week(moment: datetime) -> str:
    year, week, _weekday = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02}"


def _upcoming_meetings(now: datetime) -> list[Item]:
    from meetings.models import Meeting

    meetings = (
        Meeting.objects.filter(
            is_published=True,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + MEETINGS_AHEAD,
        )
        .select_related("neighbourhood")
        .order_by("starts_at", "id")
    )
    return [
        Item(
            title=meeting.title,
            url=settings.SITE_URL + meeting.get_absolute_url(),
            when=meeting.starts_at,
            neighbourhood_ids=frozenset([meeting.neighbourhood_id] if meeting.neighbourhood_id else []),
            detail=meeting.neighbourhood.name if meeting.neighbourhood_id else "",
            texts=_texts(meeting, "title"),
        )
        for meeting in meetings
    ]


def _open_programs(now: datetime) -> list[Item]:
    from programs.models import Program

    programs = (
        Program.objects.filter(
            status=Program.Status.PUBLISHED, applications_open_at__lte=now, applications_close_at__gt=now
        )
        .select_related("neighbourhood")
        .order_by("applications_close_at", "id")
    )
    return [
        Item(
            title=program.title,
            url=settings.SITE_URL + program.get_absolute_url(),
            when=program.applications_close_at,
            neighbourhood_ids=frozenset([program.neighbourhood_id] if program.neighbourhood_id else []),
            detail=program.summary,
            texts=_texts(program, "title", "summary"),
        )
        for program in programs
    ]


def _recent_newsletters(now: datetime) -> list[Item]:
    newsletters = Newsletter.objects.filter(
        status__in=[Newsletter.Status.SENDING, Newsletter.Status.SENT], started_at__gt=now - LOOK_BACK
    ).order_by("-started_at", "-id")
    return [
        Item(
            title=newsletter.subject,
            url=settings.SITE_URL + newsletter.get_absolute_url(),
            when=newsletter.started_at,
            neighbourhood_ids=frozenset(),
            texts=_texts(newsletter, "subject"),
        )
        for newsletter in newsletters
    ]


def _recent_alerts(now: datetime) -> list[Item]:
    from alerts.models import Alert

    alerts = (
        Alert.objects.filter(status=Alert.Status.PUBLISHED, published_at__gt=now - LOOK_BACK)
        .prefetch_related("neighbourhoods")
        .order_by("-published_at", "-id")
    )
    return [
        Item(
            title=alert.headline,
            url=settings.SITE_URL + alert.get_absolute_url(),
            when=alert.published_at,
            neighbourhood_ids=frozenset() if alert.city_wide else frozenset(n.pk for n in alert.neighbourhoods.all()),
            texts=_texts(alert, "headline"),
        )
        for alert in alerts
    ]


def _changed_actions(now: datetime) -> list[Item]:
    """Action items whose status changed or that got a progress update in the past week."""
    from actions.models import ActionItem
    from actions.selectors import changed_between

    items = []
    for action in changed_between(start=now - LOOK_BACK, end=now):
        texts = _texts(action, "title")
        for language, entry in texts.items():
            with translation.override(language):
                # The status (and "overdue") in each language, as the item's detail.
                status = str(ActionItem.Status(action.status).label)
                entry["detail"] = f"{status}, {translation.gettext('overdue')}" if action.is_overdue else status
                entry["detail_lang"] = ""
        items.append(
            Item(
                title=action.title,
                url=settings.SITE_URL + action.get_absolute_url(),
                when=action.updated_at,
                neighbourhood_ids=frozenset([action.neighbourhood_id] if action.neighbourhood_id else []),
                texts=texts,
            )
        )
    return items


def _as_context(items: list[Item], *, with_time: bool) -> list[dict]:
    date_format = "DATETIME_FORMAT" if with_time else "DATE_FORMAT"
    language = translation.get_language()
    return [
        {
            "title": item.title,
            "title_lang": "",
            "url": item.url,
            "when": formats.date_format(timezone.localtime(item.when), date_format) if item.when else "",
            "detail": item.detail,
            "detail_lang": "",
            # The subscriber's language (the caller overrides it), or the marked source text.
            **item.texts.get(language, {}),
        }
        for item in items
    ]


def digest_context(subscription: Subscription, followed: set[int], candidates: dict[str, list[Item]]) -> dict | None:
    """What this subscriber's digest shows, as JSON for the outbox; None when nothing is new for them."""
    chosen = {
        "meetings": subscription.wants_meetings,
        "programs": subscription.wants_programs,
        "newsletters": subscription.wants_newsletter,
        "alerts": subscription.wants_safety_alerts,
        # What came out of meetings, questions and concerns: for those who follow meetings.
        "actions": subscription.wants_meetings,
    }
    sections = {
        name: [item for item in candidates[name] if item.concerns(followed)] if wanted else []
        for name, wanted in chosen.items()
    }
    if not any(sections.values()):
        return None
    with translation.override(subscription.language):
        return {
            "meetings": _as_context(sections["meetings"], with_time=True),
            "programs": _as_context(sections["programs"], with_time=False),
            "newsletters": _as_context(sections["newsletters"], with_time=False),
            "alerts": _as_context(sections["alerts"], with_time=True),
            "actions": _as_context(sections["actions"], with_time=False),
        }


def digests_send(*, now: datetime | None = None) -> int:
    """Queue this week's digest for every weekly subscriber who has something new. Returns how many were queued.

    Before Monday 08:00 local time it does nothing (the beat task runs hourly). Safe to run any
    number of times a week: the second run finds every DigestDelivery row and queues nothing.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.weekday() == 0 and local.hour < SEND_FROM_HOUR:
        return 0
    week = iso_week(now)
    candidates = {
        "meetings": _upcoming_meetings(now),
        "programs": _open_programs(now),
        "newsletters": _recent_newsletters(now),
        "alerts": _recent_alerts(now),
        "actions": _changed_actions(now),
    }
    if not any(candidates.values()):
        return 0
    weekly = (
        selectors.active_subscriptions()
        .filter(digest_frequency=Subscription.DigestFrequency.WEEKLY)
        .iterator(chunk_size=BATCH_SIZE * 2)
    )
    queued = 0
    # Closed even when a batch fails, so its server-side cursor goes with the connection's transaction.
    with contextlib.closing(weekly) as subscriptions:
        while batch := list(itertools.islice(subscriptions, BATCH_SIZE)):
            queued += _send_batch(batch, week, candidates)
    return queued


def _send_batch(batch: list[Subscription], week: str, candidates: dict[str, list[Item]]) -> int:
    ids = [subscription.pk for subscription in batch]
    done = set(
        DigestDelivery.objects.filter(week=week, subscription_id__in=ids).values_list("subscription_id", flat=True)
    )
    followed: dict[int, set[int]] = {pk: set() for pk in ids}
    through = Subscription.neighbourhoods.through
    for subscription_id, neighbourhood_id in through.objects.filter(subscription_id__in=ids).values_list(
        "subscription_id", "neighbourhood_id"
    ):
        followed[subscription_id].add(neighbourhood_id)
    messages = []
    for subscription in batch:
        if subscription.pk in done:
            continue
        context = digest_context(subscription, followed[subscription.pk], candidates)
        if context is None:
            continue
        messages.append(
            {
                "to": subscription.email,
                "template": "newsletters/emails/digest",
                "context": {**context, "week": week},
                "language": subscription.language,
                "kind": Email.Kind.BULK,
                "headers": {"List-Id": list_id("digest")},
                "idempotency_key": f"newsletters:digest:{subscription.pk}:{week}",
                "subscription_id": subscription.pk,
            }
        )
    if not messages:
        return 0
    with transaction.atomic():
        email_ids = email_queue_many(messages=messages)
        DigestDelivery.objects.bulk_create(
            [
                DigestDelivery(
                    subscription_id=message["subscription_id"],
                    week=week,
                    email_id=email_ids[message["idempotency_key"]],
                )
                for message in messages
            ],
            ignore_conflicts=True,
        )
    return len(messages)

"""Every write to action plans: atomic, audited, and e-mails queued in the same transaction
(the outbox delivers them once it commits)."""

import re
import unicodedata
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.roles import OFFICERS
from actions import sources
from actions.models import ActionFollower, ActionItem, ActionUpdate
from audit.services import audit_record
from outbox.services import email_queue_many
from portal.dates import format_moment
from portal.translated import translated

# Officers hear of open items due within this many days (and of overdue ones) once a day.
DUE_SOON_DAYS = 7


class ActionError(Exception):
    """A refusal an officer or resident can read (the reason is in ``message``)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _check_reason(status: str, reason: str) -> None:
    if status == ActionItem.Status.NOT_POSSIBLE and not reason.strip():
        raise ActionError(_("Say publicly why the action is not possible."))


def _apply_status(action: ActionItem, status: str, *, today: date) -> None:
    action.status = status
    # Done on the day it was marked done (the city's day): on time when done_on <= due_date.
    action.done_on = today if status == ActionItem.Status.DONE else None


def create_action(
    *,
    by,
    title: str,
    description: str = "",
    neighbourhood=None,
    owner: str = "",
    due_date=None,
    status: str = ActionItem.Status.PROPOSED,
    source=None,
    owner_officer=None,
    status_reason: str = "",
    translations: dict | None = None,
) -> ActionItem:
    """Record a new action, linked to ``source`` (an object of a registered source, or None).

    Its timeline starts with its first status. Raises ActionError for an empty title, a source
    that cannot become an action, or "not possible" without a public reason.
    """
    if not title.strip():
        raise ActionError(_("Give the action a title."))
    status = ActionItem.Status(status)
    _check_reason(status, status_reason)
    registration = None
    if source is not None:
        registration = sources.source_for(source)
        if registration is None or source.pk is None:
            raise ActionError(_("This cannot become an action."))
        check_no_private_text(source, [title, description, status_reason, *_translated_texts(translations)])
    with transaction.atomic():
        action = ActionItem(
            title=title.strip(),
            description=description,
            neighbourhood=neighbourhood,
            owner=owner,
            owner_officer=owner_officer,
            due_date=due_date,
            status_reason=status_reason,
            translations=translations or {},
        )
        _apply_status(action, status, today=timezone.localdate())
        if registration is not None:
            action.source_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
            action.source_id = source.pk
            action.source_kind = registration.kind
        action.save()
        ActionUpdate.objects.create(action=action, status=status, status_changed=True, author=_person(by))
        audit_record(
            actor=by,
            action="actions.create",
            target=action,
            detail={"status": status, "source_kind": action.source_kind},
        )
    return action


# A run of this many of a resident's private words in an action's text is a copy, not a summary.
QUOTED_WORDS = 6


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def _quotes(private: str, public: list[str]) -> bool:
    """Whether any of ``public`` repeats ``private``: all of it when short (three words or more),
    else any run of ``QUOTED_WORDS`` words, whatever the case, punctuation and spacing."""
    words = _words(private)
    if len(words) < 3:
        return False
    run = min(len(words), QUOTED_WORDS)
    runs = {tuple(words[start : start + run]) for start in range(len(words) - run + 1)}
    for text in public:
        found = _words(text or "")
        if any(tuple(found[start : start + run]) in runs for start in range(len(found) - run + 1)):
            return True
    return False


def _translated_texts(translations: dict | None) -> list[str]:
    return [value for fields in (translations or {}).values() for value in fields.values() if isinstance(value, str)]


def check_no_private_text(source, public: list[str]) -> None:
    """Refuse public text (an action and its timeline are public) that repeats what a resident wrote
    in private at the action's source: a concern, a question never published, a drill debrief."""
    registration = sources.source_for(source) if source is not None else None
    if registration is None:
        return
    if any(_quotes(text, public) for text in registration.private_text(source) if text):
        raise ActionError(
            _(
                "This repeats what a resident wrote in private. An action and its timeline are public: "
                "say it in the department's own words."
            )
        )


def update_details(action: ActionItem, *, by, fields: list[str]) -> ActionItem:
    """Save what an officer edited on ``action`` other than its status (title, owner, due date…)."""
    fields = [name for name in fields if name not in ("status", "done_on")]
    if not fields:
        return action
    _check_reason(action.status, action.status_reason)
    check_no_private_text(
        action.source,
        [action.title, action.description, action.status_reason, *_translated_texts(action.translations)],
    )
    with transaction.atomic():
        action.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=by, action="actions.change", target=action, detail={"fields": fields})
    return action


def change_status(action: ActionItem, *, by, status: str, note: str = "", reason: str = "") -> ActionUpdate:
    """Move ``action`` to ``status`` with a dated timeline entry, and tell its audience and followers.

    Each distinct person gets one e-mail per change (keyed on the update and the person), so a
    repeated run queues nothing new. A second submit of the same change (a double click) is refused:
    the status is already that. ``reason`` is the public reason, required for "not possible".
    Raises ActionError.
    """
    status = ActionItem.Status(status)
    check_no_private_text(action.source, [note, reason])
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=action.pk)
        if locked.status == status:
            raise ActionError(_("The action is already “%(status)s”.") % {"status": status.label})
        reason = reason.strip() or (locked.status_reason if status == ActionItem.Status.NOT_POSSIBLE else "")
        _check_reason(status, reason)
        previous = locked.status
        _apply_status(locked, status, today=timezone.localdate())
        if reason:
            locked.status_reason = reason
        locked.save(update_fields=["status", "status_reason", "done_on", "updated_at"])
        update = ActionUpdate.objects.create(
            action=locked, status=status, status_changed=True, body=note.strip(), author=_person(by)
        )
        audit_record(actor=by, action="actions.status", target=locked, detail={"from": previous, "to": status})
        notify_status_change(update_id=update.pk)
    # The caller's object shows the new state too.
    action.status, action.status_reason, action.done_on = locked.status, locked.status_reason, locked.done_on
    action.updated_at = locked.updated_at
    return update


def add_update(action: ActionItem, *, by, body: str) -> ActionUpdate:
    """A progress note in the public timeline (no e-mail: residents hear of status changes).

    The same note twice in a row (a form submitted again) is written once: the first is returned."""
    if not body.strip():
        raise ActionError(_("Write what has happened."))
    check_no_private_text(action.source, [body])
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=action.pk)
        latest = locked.updates.order_by("-created_at", "-id").first()
        if latest is not None and latest.body == body.strip():
            return latest
        update = ActionUpdate.objects.create(action=locked, status=locked.status, body=body.strip(), author=_person(by))
        locked.save(update_fields=["updated_at"])
        audit_record(actor=by, action="actions.update", target=locked)
    return update


def follow(action: ActionItem, user) -> ActionFollower:
    """``user`` hears of every status change of ``action`` from now on. Following twice is harmless."""
    return _choose(action, user, muted=False)


def unfollow(action: ActionItem, user) -> ActionFollower:
    """``user`` hears nothing more about ``action``, even as one of the people its source concerns."""
    return _choose(action, user, muted=True)


def _choose(action: ActionItem, user, *, muted: bool) -> ActionFollower:
    try:
        with transaction.atomic():
            follower, _created = ActionFollower.objects.update_or_create(
                action=action, user=user, defaults={"muted": muted}
            )
    except IntegrityError:  # a concurrent click chose first; this choice is the later one
        ActionFollower.objects.filter(action=action, user=user).update(muted=muted)
        follower = ActionFollower.objects.get(action=action, user=user)
    return follower


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


# --- E-mails -------------------------------------------------------------------------------------


def audience_ids(action: ActionItem) -> set[int]:
    """Everyone who raised, voted on or attended the action's source, plus its followers, less
    whoever asked for no e-mails about it."""
    choices = dict(ActionFollower.objects.filter(action=action).values_list("user_id", "muted"))
    ids = {user_id for user_id, muted in choices.items() if not muted}
    if action.source_type_id is not None:
        registration = sources.source_for(action.source_type.model_class())
        source = action.source
        if registration is not None and source is not None:
            ids |= set(registration.audience(source))
    return {user_id for user_id in ids if user_id is not None and not choices.get(user_id, False)}


def _recipients(user_ids):
    """(user id, address, language) of each active person with an address nobody suppressed."""
    from newsletters.selectors import suppressed_addresses

    rows = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("pk", "email", "profile__preferred_language")
        .order_by("pk")
    )
    suppressed = suppressed_addresses(email for _pk, email, _language in rows)
    from newsletters.selectors import normalise_email

    return [
        (pk, email, language or settings.LANGUAGE_CODE)
        for pk, email, language in rows
        if normalise_email(email) not in suppressed
    ]


def _update_context(update: ActionUpdate, *, language: str) -> dict:
    action = update.action
    with translation.override(language):
        return {
            "title": str(translated(action, "title", language)),
            "status": str(ActionItem.Status(update.status).label),
            "note": str(translated(update, "body", language)),
            "reason": str(translated(action, "status_reason", language))
            if update.status == ActionItem.Status.NOT_POSSIBLE
            else "",
            "date": format_moment(timezone.localtime(update.created_at), "LONG_DATE_FORMAT"),
            "url": settings.SITE_URL + action.get_absolute_url(),
        }


def notify_status_change(*, update_id: int) -> int:
    """Queue the status e-mail of ``update_id`` for each distinct person of its audience.

    Idempotent: the outbox key is (update, person), so a retried run queues only what is missing.
    Returns how many people the change concerns.
    """
    update = ActionUpdate.objects.select_related("action").get(pk=update_id)
    followers = set(ActionFollower.objects.filter(action=update.action, muted=False).values_list("user_id", flat=True))
    recipients = _recipients(audience_ids(update.action))
    contexts: dict[tuple[str, bool], dict] = {}
    messages = []
    for pk, email, language in recipients:
        key = (language, pk in followers)
        if key not in contexts:
            contexts[key] = {**_update_context(update, language=language), "following": pk in followers}
        messages.append(
            {
                "to": email,
                "template": "actions/emails/status_changed",
                "context": contexts[key],
                "idempotency_key": f"actions:status:{update.pk}:{pk}",
                "language": language,
            }
        )
    if messages:
        with transaction.atomic():
            email_queue_many(messages=messages)
    return len(messages)


def _reminder_officer_ids(action_owner_ids: set[int | None]) -> dict[int | None, list[int]]:
    """Who is reminded of an item: its officer, or every active officer when it has none."""
    officers = list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=OFFICERS)
        .values_list("pk", flat=True)
        .distinct()
    )
    return {owner: ([owner] if owner is not None else officers) for owner in action_owner_ids}


def officer_reminders_send(*, today: date | None = None) -> int:
    """Once a day: each officer gets one e-mail listing the open items they answer for that are due
    within ``DUE_SOON_DAYS`` days or overdue (items with no officer go to every officer).

    "Today" is the city's date; the outbox key (officer, day) makes a second run that day a no-op.
    Returns the number of officers reminded.
    """
    from actions.selectors import due_soon_or_overdue

    today = today or timezone.localdate()
    items = list(due_soon_or_overdue(today=today, within_days=DUE_SOON_DAYS))
    if not items:
        return 0
    per_officer: dict[int, list[ActionItem]] = {}
    owners = _reminder_officer_ids({item.owner_officer_id for item in items})
    for item in items:
        for officer_id in owners[item.owner_officer_id]:
            per_officer.setdefault(officer_id, []).append(item)
    messages = []
    for pk, email, language in _recipients(per_officer):
        with translation.override(language):
            context = {
                "day": format_moment(today, "LONG_DATE_FORMAT"),
                "items": [
                    {
                        "title": str(translated(item, "title", language)),
                        "due": format_moment(item.due_date, "LONG_DATE_FORMAT"),
                        "overdue": item.due_date < today,
                        "status": str(item.get_status_display()),
                        "url": settings.SITE_URL + item.get_absolute_url(),
                    }
                    for item in per_officer[pk]
                ],
            }
        messages.append(
            {
                "to": email,
                "template": "actions/emails/officer_reminder",
                "context": context,
                "idempotency_key": f"actions:reminder:{today.isoformat()}:{pk}",
                "language": language,
            }
        )
    if messages:
        with transaction.atomic():
            email_queue_many(messages=messages)
    return len(messages)

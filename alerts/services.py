"""Writes about safety alerts: publish, update, cancel, and the fan-out of each message to residents."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertRecipient, AlertRevision
from audit.services import audit_record
from neighbourhoods.models import Neighbourhood
from outbox.services import email_queue_many
from portal.cache import bump_cache_version
from portal.translated import translated_context

# The queue a newsletter fan-out never fills: alert mail is never stuck behind bulk mail.
ALERT_QUEUE = "high"
ACTIVE_ALERTS_CACHE_KEY = "alerts:active-banner:v2"
FANOUT_BATCH_SIZE = 200
# A fan-out whose heartbeat is older than this died with its worker: beat starts it again. The
# high queue's bound (a dead worker's alerts out within 30 s) is this, one beat tick and the send.
FANOUT_STALE_AFTER = timedelta(seconds=15)
# Revisions older than this are never resumed (an alert that old is no longer news).
FANOUT_RESUME_WINDOW = timedelta(hours=1)
# Fields an update may change; anything else (status, code, history) belongs to the services.
CONTENT_FIELDS = [
    "headline",
    "event",
    "description",
    "instruction",
    "category",
    "severity",
    "urgency",
    "certainty",
    "city_wide",
    "starts_at",
    "expires_at",
    # {"es": {"headline": ...}}: the alert's text in the other site languages (portal.translated).
    "translations",
]


class AlertError(Exception):
    """A refused alert action; the message is safe to show to the officer."""


def alert_validate(*, city_wide: bool, neighbourhoods, starts_at, expires_at) -> None:
    """Raise AlertError if the alert has no audience or ends before it starts."""
    if not city_wide and not list(neighbourhoods):
        raise AlertError(_("Choose at least one neighbourhood, or mark the alert city-wide."))
    if expires_at <= starts_at:
        raise AlertError(_("The alert must expire after it starts."))


def alert_draft_save(*, actor, alert: Alert) -> None:
    """Record who wrote a draft's words last (the admin's save calls it after saving the draft)."""
    Alert.objects.filter(pk=alert.pk).update(last_edited_by=actor)
    alert.last_edited_by = actor


def alert_update_propose(*, actor, alert: Alert, changes: dict, neighbourhoods=None) -> None:
    """With approval required: keep an update for a second approver to send (``alert_update_approve``).

    Replaces any earlier proposal; whoever proposes it may not send it. Raises AlertError if the
    alert cannot be updated or the proposed values are invalid.
    """
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"alert_update_propose cannot change {sorted(unknown)}")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if not actor.has_perm("alerts.change_alert"):
            raise AlertError(_("You do not have permission to send alerts."))
        _check_updatable(alert)
        proposal = {
            field: value.isoformat() if isinstance(value, datetime) else value for field, value in changes.items()
        }
        if neighbourhoods is not None:
            proposal["neighbourhoods"] = sorted(n.pk for n in neighbourhoods)
        Alert.objects.filter(pk=alert.pk).update(pending_update=proposal, pending_update_by=actor)
        audit_record(actor=actor, action="alerts.update_proposed", target=alert, detail={"changed": sorted(proposal)})


def alert_update_approve(*, actor, alert: Alert) -> AlertRevision:
    """Send the update another officer proposed. Raises AlertError if there is none, or ``actor``
    proposed it, or it is no longer valid."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if not alert.pending_update:
            raise AlertError(_("There is no proposed update to send."))
        if alert.pending_update_by_id == actor.pk:
            raise AlertError(_("You proposed this update; another approver must send it."))
        proposal = dict(alert.pending_update)
        ids = proposal.pop("neighbourhoods", None)
        changes = {
            field: datetime.fromisoformat(value) if field in ("starts_at", "expires_at") else value
            for field, value in proposal.items()
        }
        neighbourhoods = list(Neighbourhood.objects.filter(pk__in=ids)) if ids is not None else None
        return _alert_update(
            actor=actor,
            alert=alert,
            changes=changes,
            neighbourhoods=neighbourhoods,
            editor_id=alert.pending_update_by_id,
        )


def alert_publish(*, actor, alert: Alert) -> AlertRevision:
    """Publish a draft: first CAP message (msgType Alert), banner, and e-mail to its area's subscribers.

    Raises AlertError if the alert is not a draft, has no audience, has expired, ends before it
    starts, or ``actor`` may not publish it (with approval on, an approver other than its composer).
    """
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        _check_may_send(actor, alert, first_publication=True)
        if alert.status == Alert.Status.PUBLISHED:
            raise AlertError(_("This alert is already published. Send an update instead."))
        if alert.status == Alert.Status.CANCELLED:
            raise AlertError(_("This alert was cancelled and cannot be published again."))
        alert_validate(
            city_wide=alert.city_wide,
            neighbourhoods=alert.neighbourhoods.all(),
            starts_at=alert.starts_at,
            expires_at=alert.expires_at,
        )
        now = timezone.now()
        if alert.expires_at <= now:
            raise AlertError(_("This alert has already expired. Change its expiry before publishing."))
        alert.status = Alert.Status.PUBLISHED
        alert.published_at = now
        alert.save(update_fields=["status", "published_at"])
        revision = _revision_create(actor=actor, alert=alert, msg_type=AlertRevision.MessageType.ALERT)
        audit_record(actor=actor, action="alerts.publish", target=alert, detail={"identifier": revision.identifier})
    return revision


def alert_update(*, actor, alert: Alert, changes: dict, neighbourhoods=None) -> AlertRevision:
    """Change a published alert and send the change (msgType Update) to everyone who got it before.

    ``changes`` maps CONTENT_FIELDS to new values; ``neighbourhoods`` (optional) replaces the targets.
    Raises AlertError if the alert is not published, has expired, or the new values are invalid, and,
    with approval required, always: the officer who writes an update may not send it alone
    (``alert_update_propose``, then another approver's ``alert_update_approve``).
    """
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"alert_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        return _alert_update(
            actor=actor, alert=alert, changes=changes, neighbourhoods=neighbourhoods, editor_id=actor.pk
        )


def _alert_update(*, actor, alert: Alert, changes: dict, neighbourhoods, editor_id) -> AlertRevision:
    """The update itself, inside the caller's transaction on a locked ``alert``; ``editor_id`` wrote it."""
    _check_may_send(actor, alert, first_publication=False)
    if settings.ALERTS_REQUIRE_APPROVAL and editor_id == actor.pk:
        raise AlertError(_("You wrote this update; it is saved for approval and another approver must send it."))
    _check_updatable(alert)
    for field, value in changes.items():
        setattr(alert, field, value)
    targets = list(neighbourhoods) if neighbourhoods is not None else list(alert.neighbourhoods.all())
    alert_validate(
        city_wide=alert.city_wide, neighbourhoods=targets, starts_at=alert.starts_at, expires_at=alert.expires_at
    )
    if alert.expires_at <= timezone.now():
        raise AlertError(_("The new expiry is in the past. To end an alert early, cancel it."))
    alert.last_edited_by_id = editor_id
    alert.pending_update = {}
    alert.pending_update_by = None
    alert.save()
    if neighbourhoods is not None:
        alert.neighbourhoods.set(targets)
    revision = _revision_create(actor=actor, alert=alert, msg_type=AlertRevision.MessageType.UPDATE)
    changed = sorted(changes) + (["neighbourhoods"] if neighbourhoods is not None else [])
    audit_record(
        actor=actor,
        action="alerts.update",
        target=alert,
        detail={"identifier": revision.identifier, "changed": changed, "written_by": editor_id},
    )
    return revision


def _check_updatable(alert: Alert) -> None:
    if alert.status != Alert.Status.PUBLISHED:
        raise AlertError(_("Only a published alert can be updated."))
    if alert.expires_at <= timezone.now():
        raise AlertError(_("This alert has expired; publish a new alert instead of updating it."))


def alert_cancel(*, actor, alert: Alert, note: str = "", note_translations: dict | None = None) -> AlertRevision:
    """Withdraw a published alert: the banner goes, the feed says msgType Cancel, its recipients are told.

    ``note_translations`` ({language: text}, optional) gives the note in other site languages.
    Raises AlertError if the alert is a draft or already cancelled.
    """
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        _check_may_send(actor, alert, first_publication=False)
        if alert.status == Alert.Status.DRAFT:
            raise AlertError(_("A draft was never sent; delete it instead of cancelling it."))
        if alert.status == Alert.Status.CANCELLED:
            raise AlertError(_("This alert is already cancelled."))
        alert.status = Alert.Status.CANCELLED
        alert.save(update_fields=["status"])
        revision = _revision_create(
            actor=actor,
            alert=alert,
            msg_type=AlertRevision.MessageType.CANCEL,
            note=note,
            note_translations=note_translations,
        )
        audit_record(actor=actor, action="alerts.cancel", target=alert, detail={"identifier": revision.identifier})
    return revision


def _check_may_send(actor, alert: Alert, *, first_publication: bool) -> None:
    if not actor.has_perm("alerts.change_alert"):
        raise AlertError(_("You do not have permission to send alerts."))
    if not settings.ALERTS_REQUIRE_APPROVAL:
        return
    if not actor.has_perm("alerts.publish_alert"):
        raise AlertError(_("Alerts need an approver: ask an officer in the “Alert approvers” group to send it."))
    if first_publication and alert.created_by_id == actor.pk:
        raise AlertError(_("You composed this alert; another approver must publish it."))
    if first_publication and alert.last_edited_by_id == actor.pk:
        raise AlertError(_("You edited this alert last; another approver must publish it."))


def _revision_create(
    *, actor, alert: Alert, msg_type: str, note: str = "", note_translations: dict | None = None
) -> AlertRevision:
    now = timezone.now()
    number = alert.revisions.count() + 1
    revision = AlertRevision.objects.create(
        alert=alert,
        number=number,
        identifier=f"{alert.code}-{number}",
        msg_type=msg_type,
        sent_at=now,
        sent_by=actor,
        snapshot=alert_snapshot(alert, note=note, note_translations=note_translations),
    )
    Alert.objects.filter(pk=alert.pk).update(last_sent_at=now)
    transaction.on_commit(lambda: _after_commit(revision.pk))
    # Every public page shows the alerts banner: cached copies are stale once this commits.
    bump_cache_version("alerts")
    return revision


def alert_snapshot(alert: Alert, *, note: str, note_translations: dict | None = None) -> dict:
    """What a message says about the alert, frozen: the CAP documents and e-mails are built from it.

    Its "translations" hold the alert's text and the note in each other language (portal.translated)."""
    translations = {language: dict(texts) for language, texts in (alert.translations or {}).items()}
    for language, text in (note_translations or {}).items():
        if text and text.strip():
            translations.setdefault(language, {})["note"] = text.strip()
    return {
        **{field: getattr(alert, field) for field in CONTENT_FIELDS if field not in ("starts_at", "expires_at")},
        "starts_at": alert.starts_at.isoformat(),
        "expires_at": alert.expires_at.isoformat(),
        "neighbourhoods": [{"slug": n.slug, "name": n.name} for n in alert.neighbourhoods.order_by("name")],
        "note": note,
        "translations": translations,
    }


def _after_commit(revision_id: int) -> None:
    from alerts.tasks import deliver_alert_revision

    cache.delete(ACTIVE_ALERTS_CACHE_KEY)
    deliver_alert_revision.apply_async((revision_id,), queue=ALERT_QUEUE, retry=False)


def alerts_deliveries_resume() -> int:
    """Beat, every few seconds: start again each recent revision's fan-out that stopped (its worker
    died, or the broker was down when it was sent). Safe alongside a live run: every row is keyed.
    Returns how many were started again."""
    from alerts.tasks import deliver_alert_revision

    now = timezone.now()
    stale = now - FANOUT_STALE_AFTER
    revision_ids = list(
        AlertRevision.objects.filter(fanout_completed_at=None, sent_at__gte=now - FANOUT_RESUME_WINDOW)
        .filter(Q(fanout_heartbeat_at__lt=stale) | Q(fanout_heartbeat_at=None, sent_at__lt=stale))
        .values_list("pk", flat=True)
    )
    for revision_id in revision_ids:
        # The conditional update claims it: two beats never both start it, and the next tick waits.
        if (
            AlertRevision.objects.filter(pk=revision_id, fanout_completed_at=None)
            .filter(Q(fanout_heartbeat_at__lt=stale) | Q(fanout_heartbeat_at=None))
            .update(fanout_heartbeat_at=now)
        ):
            deliver_alert_revision.apply_async((revision_id,), queue=ALERT_QUEUE, retry=False)
    return len(revision_ids)


def _fan_out_beats(revision: AlertRevision) -> None:
    AlertRevision.objects.filter(pk=revision.pk).update(fanout_heartbeat_at=timezone.now())


def alert_revision_deliver(*, revision_id: int) -> int:
    """Queue one e-mail per recipient of this revision, on the high-priority queue. Safe to run twice.

    A first publication or an update reaches the safety-alert subscribers of the alert's area
    (recorded as the alert's recipients); an update or cancellation also reaches everyone who got
    an earlier message about it. Returns the number of recipients.
    """
    from alerts.selectors import alert_audience
    from newsletters.selectors import STREAM_CHUNK_SIZE

    revision = AlertRevision.objects.select_related("alert").get(pk=revision_id)
    alert = revision.alert
    _fan_out_beats(revision)
    contexts: dict[str, dict] = {}  # one rendering of the context per language

    def context_in(language: str) -> dict:
        if language not in contexts:
            contexts[language] = alert_email_context(revision, language=language)
        return contexts[language]

    count, last_id = 0, 0

    def queue_recorded() -> None:
        """Queue the e-mails of every recipient recorded since the last call (earlier ones first)."""
        nonlocal count, last_id
        while recipients := list(alert.recipients.filter(pk__gt=last_id).order_by("pk")[:FANOUT_BATCH_SIZE]):
            with transaction.atomic():
                email_queue_many(
                    messages=[
                        {
                            "to": recipient.email,
                            "template": "alerts/emails/alert",
                            "context": context_in(recipient.language),
                            "idempotency_key": f"alerts:{revision.identifier}:{recipient.email}",
                            "language": recipient.language,
                        }
                        for recipient in recipients
                    ],
                    queue=ALERT_QUEUE,
                )
            _fan_out_beats(revision)
            count += len(recipients)
            last_id = recipients[-1].pk

    if revision.msg_type != AlertRevision.MessageType.CANCEL:
        batch = []
        for subscription in alert_audience(alert, city_wide=revision.snapshot["city_wide"]).iterator(
            chunk_size=STREAM_CHUNK_SIZE
        ):
            batch.append(AlertRecipient(alert=alert, email=subscription.email, language=subscription.language))
            if len(batch) >= FANOUT_BATCH_SIZE:
                AlertRecipient.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
                # The first e-mails leave while the rest of the area is still being recorded.
                queue_recorded()
        AlertRecipient.objects.bulk_create(batch, ignore_conflicts=True)
    queue_recorded()
    AlertRevision.objects.filter(pk=revision.pk).update(fanout_completed_at=timezone.now())
    return count


def alert_email_context(revision: AlertRevision, *, language: str) -> dict:
    snapshot = revision.snapshot
    with translation.override(language):
        starts_at = timezone.localtime(datetime.fromisoformat(snapshot["starts_at"]))
        expires_at = timezone.localtime(datetime.fromisoformat(snapshot["expires_at"]))
        return {
            "msg_type": revision.msg_type,
            # In the recipient's language; an untranslated field comes in English and says so.
            **translated_context(snapshot, [*Alert.translated_fields, "note"], language),
            "severity": str(Alert.Severity(snapshot["severity"]).label),
            "urgency": str(Alert.Urgency(snapshot["urgency"]).label),
            "area": ", ".join(n["name"] for n in snapshot["neighbourhoods"]) if not snapshot["city_wide"] else "",
            "starts_at": formats.date_format(starts_at, "DATETIME_FORMAT"),
            "expires_at": formats.date_format(expires_at, "DATETIME_FORMAT"),
            "alert_url": settings.SITE_URL + revision.alert.get_absolute_url(),
        }

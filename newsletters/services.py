"""Writes for subscriptions, suppressions and newsletters. Views, admin, tasks and commands call these."""

import contextlib
import itertools
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from audit.services import audit_record
from newsletters import links, rendering, selectors
from newsletters.models import (
    TOPIC_FIELDS,
    ConsentRecord,
    Newsletter,
    NewsletterDelivery,
    Subscription,
    Suppression,
    Topic,
)
from outbox.headers import list_id
from outbox.models import Email
from outbox.services import bulk_sql_supported, email_queue, email_queue_many
from portal.cache import bump_cache_version
from portal.ratelimit import rate_limit_consume
from portal.translated import translated_context, translation_languages

logger = logging.getLogger(__name__)

FANOUT_BATCH_SIZE = 500
# A fan-out that has not reported progress for this long is presumed dead and is resumed.
FANOUT_STALE_AFTER = timedelta(minutes=5)


class SubscriptionError(Exception):
    """A subscription change the portal refuses; the message is shown to the person."""


class NewsletterError(Exception):
    """A newsletter action the portal refuses; the message is shown to the officer."""


# --- Subscriptions ---------------------------------------------------------------------------


def _snapshot(subscription: Subscription) -> dict:
    neighbourhoods = sorted(n.slug for n in subscription.neighbourhoods.all()) if subscription.pk else []
    return {
        "status": subscription.status,
        "topics": sorted(subscription.topics),
        "neighbourhoods": neighbourhoods,
        "digest_frequency": subscription.digest_frequency,
        "language": subscription.language,
    }


def _record(subscription: Subscription, before: dict, *, source: str, actor=None) -> ConsentRecord | None:
    after = _snapshot(subscription)
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if not changes:
        return None
    return ConsentRecord.objects.create(
        subscription=subscription,
        source=source,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        changes=changes,
    )


def _apply_choices(subscription: Subscription, *, topics, digest_frequency, language) -> None:
    if topics is not None:
        for topic, field in TOPIC_FIELDS.items():
            setattr(subscription, field, topic in {Topic(value) for value in topics})
    if digest_frequency is not None:
        subscription.digest_frequency = digest_frequency
    if language is not None:
        subscription.language = language


def subscription_request(
    *,
    email: str,
    topics: Iterable[str],
    neighbourhoods: Iterable,
    language: str | None = None,
) -> Subscription:
    """A visitor asks to subscribe: store the choices as pending and mail a confirmation link.

    Nothing bulk is sent until the link is opened (double opt-in). An address that is already
    subscribed is left as it is, so nobody can change someone else's choices by typing their
    address; at most one confirmation e-mail per address per hour.
    """
    address = selectors.normalise_email(email)
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(
            email=address, defaults={"language": language or settings.LANGUAGE_CODE}
        )
        if subscription.status == Subscription.Status.ACTIVE:
            return subscription
        before = _snapshot(subscription)
        _apply_choices(subscription, topics=topics, digest_frequency=None, language=language)
        subscription.status = Subscription.Status.PENDING
        subscription.save()
        subscription.neighbourhoods.set(list(neighbourhoods))
        _record(subscription, before, source=ConsentRecord.Source.WEB)
        hour = timezone.now().strftime("%Y%m%d%H")
        email_queue(
            to=address,
            template="newsletters/emails/confirm",
            context={"confirm_url": links.confirm_url(address)},
            language=subscription.language,
            idempotency_key=f"newsletters:confirm:{subscription.pk}:{hour}",
        )
    return subscription


def subscription_confirm(*, token: str) -> Subscription:
    """Open a confirmation link: the pending subscription becomes active. Raises SubscriptionError."""
    address = links.address_from_token(token, salt=links.CONFIRM_SALT, max_age=links.CONFIRM_MAX_AGE)
    if address is None:
        raise SubscriptionError(_("This confirmation link is not valid or has expired. Please subscribe again."))
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(email=address).first()
        if subscription is None:
            raise SubscriptionError(_("There is no subscription for this address any more. Please subscribe again."))
        if subscription.status != Subscription.Status.ACTIVE:
            before = _snapshot(subscription)
            subscription.status = Subscription.Status.ACTIVE
            subscription.confirmed_at = timezone.now()
            subscription.unsubscribed_at = None
            subscription.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
            _record(subscription, before, source=ConsentRecord.Source.CONFIRMATION)
    return subscription


def subscription_update(
    *,
    email: str,
    subscribed: bool,
    topics: Iterable[str],
    neighbourhoods: Iterable,
    digest_frequency: str,
    language: str,
    source: str,
    user=None,
    actor=None,
) -> Subscription:
    """Save someone's choices from the preferences page (or the admin) and record what changed.

    The caller has proved the address is theirs (logged in, or a signed link sent to it), so
    subscribing here needs no further confirmation. ``user`` links the address to an account.
    """
    address = selectors.normalise_email(email)
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            email=address, defaults={"status": Subscription.Status.UNSUBSCRIBED}
        )
        before = {} if created else _snapshot(subscription)
        _apply_choices(subscription, topics=topics, digest_frequency=digest_frequency, language=language)
        now = timezone.now()
        if subscribed and subscription.status != Subscription.Status.ACTIVE:
            subscription.status = Subscription.Status.ACTIVE
            subscription.confirmed_at = now
            subscription.unsubscribed_at = None
        elif not subscribed and subscription.status != Subscription.Status.UNSUBSCRIBED:
            subscription.status = Subscription.Status.UNSUBSCRIBED
            subscription.unsubscribed_at = now
        if user is not None and subscription.user_id is None:
            subscription.user = user
        subscription.save()
        subscription.neighbourhoods.set(list(neighbourhoods))
        _record(subscription, before, source=source, actor=actor)
    return subscription


def subscription_language_follow(*, user, language: str) -> None:
    """The resident chose ``language`` (header switcher, profile or preferences page): their
    subscription, linked to the account or made with its address, is written in it from now on.
    A change is recorded like any other preference change; no subscription, nothing to do."""
    address = selectors.normalise_email(user.email or "")
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(user=user).first()
        if subscription is None and address:
            subscription = Subscription.objects.select_for_update().filter(email=address).first()
        if subscription is None or subscription.language == language:
            return
        before = _snapshot(subscription)
        subscription.language = language
        subscription.save(update_fields=["language"])
        _record(subscription, before, source=ConsentRecord.Source.PREFERENCES, actor=user)


def subscription_unsubscribe(*, email: str, source: str, actor=None) -> Subscription:
    """Stop all newsletters and digests to ``email`` (transactional mail still goes). Idempotent."""
    address = selectors.normalise_email(email)
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            email=address, defaults={"status": Subscription.Status.UNSUBSCRIBED, "unsubscribed_at": timezone.now()}
        )
        before = _snapshot(subscription) if not created else {"status": None}
        if subscription.status != Subscription.Status.UNSUBSCRIBED:
            subscription.status = Subscription.Status.UNSUBSCRIBED
            subscription.unsubscribed_at = timezone.now()
            subscription.save(update_fields=["status", "unsubscribed_at"])
        _record(subscription, before, source=source, actor=actor)
    return subscription


# --- Bounces and complaints -------------------------------------------------------------------

BOUNCE_TYPES = {"hard_bounce": Suppression.Reason.HARD_BOUNCE, "complaint": Suppression.Reason.COMPLAINT}
IGNORED_BOUNCE_TYPES = {"soft_bounce"}


def suppression_add(*, email: str, reason: str, detail: str = "", actor=None) -> Suppression:
    """Stop e-mail to ``email``: all of it for a hard bounce or a complaint, bulk mail only for an
    officer's (MANUAL). A complaint also unsubscribes. Idempotent: the first reason stays, except
    that a bounce or complaint replaces an officer's suppression (it must then stop everything)."""
    address = selectors.normalise_email(email)
    with transaction.atomic():
        suppression, created = Suppression.objects.select_for_update().get_or_create(
            email=address, defaults={"reason": reason, "detail": detail[:2000]}
        )
        if not created and suppression.reason == Suppression.Reason.MANUAL and reason != Suppression.Reason.MANUAL:
            suppression.reason, suppression.detail = reason, detail[:2000]
            suppression.save(update_fields=["reason", "detail"])
            created = True  # what follows a new bounce or complaint follows this one too
        if created and reason == Suppression.Reason.COMPLAINT:
            subscription_unsubscribe(email=address, source=ConsentRecord.Source.BOUNCE, actor=actor)
        if created and actor is not None:
            audit_record(
                actor=actor, action="newsletters.suppression.add", target=suppression, detail={"reason": reason}
            )
    return suppression


def bounce_report_process(*, payload) -> dict[str, int]:
    """Apply a bounce report (see docs/newsletters.md for the JSON shape). Raises SubscriptionError if malformed.

    Hard bounces and complaints suppress the address; soft bounces are counted and ignored
    (the outbox retries those on its own). Returns {"suppressed": n, "ignored": n}.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise SubscriptionError('Expected a JSON object with an "events" list.')
    events = payload["events"]
    if len(events) > 1000:
        raise SubscriptionError("At most 1000 events per report.")
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    cleaned = []
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            raise SubscriptionError(f"Event {position} is not an object.")
        kind, address = event.get("type"), event.get("email")
        if kind not in BOUNCE_TYPES and kind not in IGNORED_BOUNCE_TYPES:
            raise SubscriptionError(f"Event {position}: type must be hard_bounce, soft_bounce or complaint.")
        try:
            validate_email(address)
        except (ValidationError, TypeError):
            raise SubscriptionError(f"Event {position}: email is not a valid address.") from None
        detail = event.get("detail", "")
        cleaned.append((kind, address, detail if isinstance(detail, str) else str(detail)))
    counts = {"suppressed": 0, "ignored": 0}
    with transaction.atomic():
        for kind, address, detail in cleaned:
            if kind in IGNORED_BOUNCE_TYPES:
                counts["ignored"] += 1
                continue
            suppression_add(email=address, reason=BOUNCE_TYPES[kind], detail=detail)
            counts["suppressed"] += 1
    return counts


# --- Newsletters -------------------------------------------------------------------------------


def newsletter_email_context(newsletter: Newsletter, language: str | None = None) -> dict:
    """The newsletter in ``language`` (default: the source language). A missing translation of the
    subject or body gives the source text, named by ``subject_lang`` / ``body_lang`` so the e-mail
    marks it (``lang`` on its HTML, a notice in the text)."""
    texts = translated_context(newsletter, Newsletter.translated_fields, language or settings.LANGUAGE_CODE)
    return {
        "subject": texts["subject"],
        "subject_lang": texts["subject_lang"],
        "body_html": rendering.markdown_to_html(texts["body"]),
        "body_text": rendering.markdown_to_text(texts["body"]),
        "body_lang": texts["body_lang"],
        "untranslated_language": texts["untranslated_language"],
        "newsletter_code": str(newsletter.code),
        # The public copy, the same for everyone (no personal token): "view in your browser".
        "web_url": settings.SITE_URL + newsletter.get_absolute_url(),
    }


def newsletter_languages(newsletter: Newsletter) -> list[str]:
    """The source language and every language the newsletter has some translated text in."""
    return [settings.LANGUAGE_CODE] + [
        language for language, _name in translation_languages() if (newsletter.translations or {}).get(language)
    ]


def _check_sendable(newsletter: Newsletter) -> None:
    if newsletter.audience == Newsletter.Audience.TOPIC and not newsletter.topic:
        raise NewsletterError(_("Choose the topic whose subscribers receive this newsletter."))
    if newsletter.audience == Newsletter.Audience.NEIGHBOURHOODS and not newsletter.neighbourhoods.exists():
        raise NewsletterError(_("Choose at least one neighbourhood for this newsletter."))


def newsletter_send_test(*, newsletter: Newsletter, actor) -> list[Email]:
    """Mail the newsletter to the officer themself, marked as a test: one copy in the source
    language and one in each language it is translated into. Each call sends new copies."""
    if not actor.email:
        raise NewsletterError(_("Your account has no e-mail address to send the test to."))
    with transaction.atomic():
        return [
            _newsletter_send_test_copy(newsletter=newsletter, actor=actor, language=language)
            for language in newsletter_languages(newsletter)
        ]


def _newsletter_send_test_copy(*, newsletter: Newsletter, actor, language: str) -> Email:
    context = {**newsletter_email_context(newsletter, language), "is_test": True}
    return email_queue(
        to=actor.email,
        template="newsletters/emails/newsletter",
        context=context,
        language=language,
        kind=Email.Kind.BULK,
        headers={"List-Id": list_id("newsletter")},
        idempotency_key=f"newsletters:test:{newsletter.code}:{actor.pk}:{get_random_string(12)}",
    )


def newsletter_schedule(*, newsletter_id: int, send_at: datetime | None, actor) -> Newsletter:
    """Send at ``send_at`` (None or a past time: now). Only a draft or a cancelled newsletter can be scheduled."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter_id)
        if newsletter.status not in (Newsletter.Status.DRAFT, Newsletter.Status.CANCELLED):
            raise NewsletterError(
                _("“%(subject)s” is %(status)s: it cannot be scheduled again.")
                % {"subject": newsletter.subject, "status": newsletter.get_status_display().lower()}
            )
        _check_sendable(newsletter)
        now = timezone.now()
        if send_at is None or send_at <= now:
            newsletter.status = Newsletter.Status.SENDING
            newsletter.scheduled_for = now
            newsletter.started_at = now
            newsletter.fanout_heartbeat_at = now
            action = "newsletters.newsletter.send"
        else:
            newsletter.status = Newsletter.Status.SCHEDULED
            newsletter.scheduled_for = send_at
            action = "newsletters.newsletter.schedule"
        newsletter.save(update_fields=["status", "scheduled_for", "started_at", "fanout_heartbeat_at"])
        audit_record(
            actor=actor, action=action, target=newsletter, detail={"send_at": newsletter.scheduled_for.isoformat()}
        )
        if newsletter.status == Newsletter.Status.SENDING:
            transaction.on_commit(lambda: _enqueue_fan_out(newsletter.pk))
    return newsletter


def newsletter_cancel(*, newsletter_id: int, actor) -> Newsletter:
    """Cancel a scheduled newsletter before it goes out. Raises NewsletterError once sending has started."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter_id)
        if newsletter.status != Newsletter.Status.SCHEDULED:
            raise NewsletterError(
                _("Only a scheduled newsletter can be cancelled; “%(subject)s” is %(status)s.")
                % {"subject": newsletter.subject, "status": newsletter.get_status_display().lower()}
            )
        newsletter.status = Newsletter.Status.CANCELLED
        newsletter.save(update_fields=["status"])
        audit_record(actor=actor, action="newsletters.newsletter.cancel", target=newsletter)
    return newsletter


def _enqueue_fan_out(newsletter_id: int) -> None:
    from newsletters.tasks import fan_out_newsletter

    try:
        fan_out_newsletter.apply_async((newsletter_id,), retry=False)
    except Exception as exc:  # Broker down: the beat task resumes stale fan-outs.
        logger.warning("Broker unavailable, newsletter %s waits for the beat task: %s", newsletter_id, exc)


def newsletter_fan_out(*, newsletter_id: int, batch_size: int | None = None) -> int:
    """Queue one e-mail per recipient of a sending newsletter, in batches. Safe to run again.

    Streams the audience from a server-side cursor after ``fanout_cursor``; each batch writes
    its NewsletterDelivery rows (unique per recipient), its outbox rows (unique idempotency key)
    and the new cursor in one transaction, then hands the e-mails to workers in batches. A run
    that dies half-way is resumed by ``newsletters_resume`` and nobody gets a second copy.
    Returns how many deliveries this run created.
    """
    newsletter = Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SENDING).first()
    if newsletter is None or newsletter.fanout_completed_at is not None:
        return 0
    batch_size = batch_size or FANOUT_BATCH_SIZE
    # One context per language, shared by that language's copies (sealed once by the outbox).
    contexts = {language: newsletter_email_context(newsletter, language) for language, _name in settings.LANGUAGES}
    audience = (
        selectors.newsletter_audience(newsletter)
        .filter(pk__gt=newsletter.fanout_cursor)
        .values_list("pk", "email", "language")
        .iterator(chunk_size=max(batch_size, 1000))
    )
    created = 0
    # Closed even when a batch fails, so its server-side cursor goes with the connection's transaction.
    with contextlib.closing(audience) as recipients:
        while batch := list(itertools.islice(recipients, batch_size)):
            created += _fan_out_batch(newsletter, batch, contexts)
    with transaction.atomic():
        Newsletter.objects.filter(pk=newsletter.pk, fanout_completed_at=None).update(
            fanout_completed_at=timezone.now(),
            fanout_heartbeat_at=timezone.now(),
            recipient_count=NewsletterDelivery.objects.filter(newsletter=newsletter).count(),
        )
    return created


def _fan_out_batch(newsletter: Newsletter, batch: list[tuple[int, str, str]], contexts: dict[str, dict]) -> int:
    with transaction.atomic():
        keys = {pk: f"newsletters:{newsletter.code}:{pk}" for pk, _email, _language in batch}
        email_ids = email_queue_many(
            messages=[
                {
                    "to": email,
                    "template": "newsletters/emails/newsletter",
                    # A subscription's language no longer offered gets the source language's copy.
                    "context": contexts.get(language) or contexts[settings.LANGUAGE_CODE],
                    "language": language,
                    "kind": Email.Kind.BULK,
                    "headers": {"List-Id": list_id("newsletter")},
                    "idempotency_key": keys[pk],
                }
                for pk, email, language in batch
            ]
        )
        created = _record_deliveries(newsletter, keys, email_ids)
        Newsletter.objects.filter(pk=newsletter.pk).update(
            fanout_cursor=batch[-1][0], fanout_heartbeat_at=timezone.now()
        )
    return created


def _record_deliveries(newsletter: Newsletter, keys: dict[int, str], email_ids: dict[str, int]) -> int:
    """Record who was sent ``newsletter`` (subscription id -> key); returns how many rows are new.

    One statement, not a model instance per recipient: a resumed run's existing rows are left
    alone (the one-per-recipient constraint) and not counted."""
    if not bulk_sql_supported():
        return _record_deliveries_portable(newsletter, keys, email_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO newsletters_newsletterdelivery (newsletter_id, subscription_id, email_id, created_at)"
            " SELECT %s, m.subscription_id, m.email_id, %s FROM unnest(%s::bigint[], %s::bigint[])"
            " AS m(subscription_id, email_id) ON CONFLICT (newsletter_id, subscription_id) DO NOTHING",
            [newsletter.pk, timezone.now(), list(keys), [email_ids[key] for key in keys.values()]],
        )
        return cursor.rowcount


def _record_deliveries_portable(newsletter: Newsletter, keys: dict[int, str], email_ids: dict[str, int]) -> int:
    """``_record_deliveries`` through the ORM, for the embedded SQLite of ``bin/run``."""
    existing = set(
        NewsletterDelivery.objects.filter(newsletter=newsletter, subscription_id__in=list(keys)).values_list(
            "subscription_id", flat=True
        )
    )
    rows = [
        NewsletterDelivery(newsletter=newsletter, subscription_id=pk, email_id=email_ids[key])
        for pk, key in keys.items()
        if pk not in existing
    ]
    NewsletterDelivery.objects.bulk_create(rows)
    return len(rows)


def newsletters_resume() -> dict[str, int]:
    """Beat task body: start due scheduled newsletters, resume stalled fan-outs, refresh progress."""
    now = timezone.now()
    started = 0
    for newsletter_id in Newsletter.objects.filter(
        status=Newsletter.Status.SCHEDULED, scheduled_for__lte=now
    ).values_list("pk", flat=True):
        # The conditional update claims the newsletter: two beat runs cannot both start it.
        if Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SCHEDULED).update(
            status=Newsletter.Status.SENDING, started_at=now, fanout_heartbeat_at=now
        ):
            # update() sends no post_save: the archive learns of the newsletter here.
            bump_cache_version("newsletters")
            _enqueue_fan_out(newsletter_id)
            started += 1
    stale = list(
        Newsletter.objects.filter(
            status=Newsletter.Status.SENDING,
            fanout_completed_at=None,
            fanout_heartbeat_at__lt=now - FANOUT_STALE_AFTER,
        ).values_list("pk", flat=True)
    )
    for newsletter_id in stale:
        Newsletter.objects.filter(pk=newsletter_id).update(fanout_heartbeat_at=now)
        _enqueue_fan_out(newsletter_id)
    refreshed = 0
    for newsletter_id in Newsletter.objects.filter(status=Newsletter.Status.SENDING).values_list("pk", flat=True):
        newsletter_progress_refresh(newsletter_id=newsletter_id)
        refreshed += 1
    return {"started": started, "resumed": len(stale), "refreshed": refreshed}


def newsletter_progress_refresh(*, newsletter_id: int) -> Newsletter:
    """Store the queued / sent / failed counts (one grouped query) and mark the newsletter sent when done."""
    counts = selectors.newsletter_progress(newsletter_id=newsletter_id)
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter_id)
        newsletter.queued_count = counts["queued"]
        newsletter.sent_count = counts["sent"]
        newsletter.failed_count = counts["failed"]
        fields = ["queued_count", "sent_count", "failed_count"]
        if newsletter.fanout_completed_at is not None:
            newsletter.recipient_count = counts["total"]
            fields.append("recipient_count")
            if newsletter.status == Newsletter.Status.SENDING and counts["queued"] == 0:
                newsletter.status = Newsletter.Status.SENT
                newsletter.sent_at = timezone.now()
                fields += ["status", "sent_at"]
        newsletter.save(update_fields=fields)
    return newsletter


# --- Fresh links ------------------------------------------------------------------------------


def preferences_link_send(*, email: str) -> None:
    """E-mail ``email`` a fresh link to its preferences page (from an expired link's page).

    The link itself is made when the message is rendered, like every message's (outbox
    ``personal_values``): nothing usable is stored. Raises ``RateLimited`` past
    NEWSLETTER_FRESH_LINK_LIMIT messages to one address in NEWSLETTER_FRESH_LINK_PERIOD seconds.
    """
    address = selectors.normalise_email(email)
    rate_limit_consume(
        scope="newsletters.fresh-link",
        key=address,
        limit=settings.NEWSLETTER_FRESH_LINK_LIMIT,
        period=settings.NEWSLETTER_FRESH_LINK_PERIOD,
    )
    subscription = selectors.subscription_for_email(address)
    with transaction.atomic():
        email_queue(
            to=address,
            template="newsletters/emails/fresh_link",
            context={"days": links.preferences_max_age().days},
            language=subscription.language if subscription else settings.LANGUAGE_CODE,
            idempotency_key=f"newsletters:fresh-link:{get_random_string(24)}",
        )

"""Reads about subscriptions and newsletters. Recipient lists stream: they never load every row at once."""

from collections.abc import Iterable, Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from newsletters.models import TOPIC_FIELDS, Newsletter, Subscription, Suppression, Topic
from portal.text import email_canonical

STREAM_CHUNK_SIZE = 2000


def normalise_email(address: str) -> str:
    """One spelling per mailbox (portal.text.email_canonical): limits, suppressions and subscriptions
    keyed on it cannot be dodged by writing the domain another way."""
    return email_canonical(address)


def _neighbourhood_filter(neighbourhood_ids: list[int]) -> Q:
    """Subscribers of any of these neighbourhoods, plus those who follow the whole city (chose none)."""
    through = Subscription.neighbourhoods.through
    follows_one = Exists(through.objects.filter(subscription=OuterRef("pk"), neighbourhood_id__in=neighbourhood_ids))
    follows_any = Exists(through.objects.filter(subscription=OuterRef("pk")))
    return Q(follows_one) | ~Q(follows_any)


def active_subscriptions(*, topic: str | None = None, neighbourhoods: Iterable | None = None) -> QuerySet:
    """Confirmed, not suppressed subscriptions wanting ``topic`` and (if given) following ``neighbourhoods``.

    ``neighbourhoods`` takes Neighbourhood objects or ids; subscribers who chose no neighbourhood
    follow the whole city and are always included. Ordered by id so callers can page through it.
    """
    queryset = Subscription.objects.filter(status=Subscription.Status.ACTIVE)
    if topic is not None:
        queryset = queryset.filter(**{TOPIC_FIELDS[Topic(topic)]: True})
    if neighbourhoods is not None:
        ids = [getattr(item, "pk", item) for item in neighbourhoods]
        queryset = queryset.filter(_neighbourhood_filter(ids))
    suppressed = Suppression.objects.filter(email=OuterRef("email"))
    return queryset.filter(~Exists(suppressed)).order_by("pk")


def newsletter_audience(newsletter: Newsletter) -> QuerySet[Subscription]:
    """Who a newsletter goes to: the fan-out sends to these, and "Send now" asks to confirm their count."""
    if newsletter.audience == Newsletter.Audience.TOPIC:
        return active_subscriptions(topic=newsletter.topic)
    if newsletter.audience == Newsletter.Audience.NEIGHBOURHOODS:
        return active_subscriptions(
            topic=Topic.NEWSLETTER, neighbourhoods=newsletter.neighbourhoods.values_list("pk", flat=True)
        )
    return active_subscriptions(topic=Topic.NEWSLETTER)


def subscribers_for(
    *, topic: str, neighbourhoods: Iterable | None = None, chunk_size: int = STREAM_CHUNK_SIZE
) -> Iterator[Subscription]:
    """Stream the subscriptions that should hear about ``topic`` in ``neighbourhoods`` (None: anywhere).

    Yields Subscription rows (``email``, ``language``, ``user_id`` …) from a server-side cursor,
    so 100,000 recipients never sit in memory at once. ``topic`` is a ``Topic`` value, e.g.
    ``Topic.SAFETY_ALERTS``; an unknown topic raises ValueError.
    """
    return active_subscriptions(topic=topic, neighbourhoods=neighbourhoods).iterator(chunk_size=chunk_size)


def subscription_for_email(address: str) -> Subscription | None:
    return Subscription.objects.prefetch_related("neighbourhoods").filter(email=normalise_email(address)).first()


def suppressed_addresses(addresses: Iterable[str]) -> set[str]:
    """The lower-cased addresses among ``addresses`` that must not be mailed. One query."""
    wanted = {normalise_email(address) for address in addresses}
    if not wanted:
        return set()
    return set(Suppression.objects.filter(email__in=wanted).values_list("email", flat=True))


def undeliverable_addresses(recipients: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Which (address, kind) pairs the outbox must not send, with the reason to record. Two queries.

    Addresses that bounced hard or complained get nothing; addresses an officer suppressed get no
    bulk mail (transactional mail still goes); bulk mail also skips addresses that unsubscribed
    after it was queued.
    """
    recipients = list(recipients)
    if not recipients:
        return {}
    # Each address spelt one way once: a batch of a fan-out has hundreds.
    canonical = {address: normalise_email(address) for address, _kind in recipients}
    suppressed = dict(Suppression.objects.filter(email__in=set(canonical.values())).values_list("email", "reason"))
    bulk = {canonical[address] for address, kind in recipients if kind == "bulk"}
    unsubscribed = set(
        Subscription.objects.filter(email__in=bulk)
        .exclude(status=Subscription.Status.ACTIVE)
        .values_list("email", flat=True)
    )
    blocked = {}
    for address, kind in recipients:
        key = canonical[address]
        reason = suppressed.get(key)
        if reason and (reason != Suppression.Reason.MANUAL or kind == "bulk"):
            blocked[(address, kind)] = f"Suppressed: {Suppression.Reason(reason).label}"
        elif kind == "bulk" and key in unsubscribed:
            blocked[(address, kind)] = "Not sent: the recipient is not subscribed any more."
    return blocked


def newsletter_progress(*, newsletter_id: int) -> dict[str, int]:
    """Queued / sent / failed counts of one newsletter's e-mails: one grouped query over its deliveries."""
    from django.db.models import Count

    from newsletters.models import NewsletterDelivery

    rows = (
        NewsletterDelivery.objects.filter(newsletter_id=newsletter_id)
        .values("email__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {"queued": 0, "sent": 0, "failed": 0, "total": 0}
    for row in rows:
        # A copy a worker is sending right now is still on its way: it counts as queued.
        status = {"sending": "queued", None: "failed"}.get(row["email__status"], row["email__status"])
        counts[status] = counts.get(status, 0) + row["n"]
        counts["total"] += row["n"]
    return counts


# --- The public archive ------------------------------------------------------------------------


def archived_newsletters(*, topic: str | None = None) -> QuerySet:
    """Newsletters whose sending has started, newest first; ``topic`` narrows to one ``Topic`` value
    (see ``Newsletter.archive_topic``). Drafts, scheduled and cancelled ones are never listed."""
    queryset = Newsletter.objects.filter(status__in=Newsletter.PUBLIC_STATUSES)
    if topic == Topic.NEWSLETTER:
        queryset = queryset.filter(~Q(audience=Newsletter.Audience.TOPIC) | Q(topic__in=["", Topic.NEWSLETTER]))
    elif topic:
        queryset = queryset.filter(audience=Newsletter.Audience.TOPIC, topic=topic)
    return queryset.order_by("-started_at", "-id")


def archived_newsletter(code) -> Newsletter:
    """The public newsletter with this code; Http404 for any other (draft, scheduled, cancelled, unknown)."""
    newsletter = archived_newsletters().filter(code=code).first()
    if newsletter is None:
        raise Http404("No such newsletter.")
    return newsletter

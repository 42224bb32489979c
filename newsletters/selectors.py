"""Reads about subscriptions and newsletters. Recipient lists stream: they never load every row at once."""

from collections.abc import Iterable, Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet

from newsletters.models import TOPIC_FIELDS, Subscription, Suppression, Topic

STREAM_CHUNK_SIZE = 2000


def normalise_email(address: str) -> str:
    return address.strip().lower()


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

"""Reads about safety alerts: public lists, feeds and the banner."""

from datetime import datetime

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from alerts.models import Alert, AlertRevision
from alerts.services import ACTIVE_ALERTS_CACHE_KEY
from portal.translated import translated

BANNER_CACHE_SECONDS = 60
BANNER_AREAS_CACHE_SECONDS = 60


def public_alerts(*, neighbourhood=None) -> QuerySet:
    """Alerts the public may read (published or cancelled, never drafts), newest message first.

    With ``neighbourhood``, those aimed at it and the city-wide ones.
    """
    queryset = Alert.objects.exclude(status=Alert.Status.DRAFT).prefetch_related("neighbourhoods")
    if neighbourhood is not None:
        queryset = queryset.filter(Q(city_wide=True) | Q(neighbourhoods=neighbourhood)).distinct()
    return queryset.order_by("-last_sent_at", "-pk")


def public_alert(*, code) -> Alert:
    return (
        Alert.objects.exclude(status=Alert.Status.DRAFT).prefetch_related("neighbourhoods", "revisions").get(code=code)
    )


def latest_revisions(*, limit: int = 50) -> list[AlertRevision]:
    """The latest message of each public alert, newest first: what the CAP feed lists."""
    alerts = list(public_alerts()[:limit])
    revisions = {
        revision.alert_id: revision
        for revision in AlertRevision.objects.filter(alert__in=alerts).select_related("alert").order_by("number")
    }
    return [revisions[alert.pk] for alert in alerts if alert.pk in revisions]


def active_banner_alerts() -> list[dict]:
    """Published, unexpired alerts as small dicts, from one query, cached for a minute.

    Publishing, updating and cancelling clear the cache at once; expiry is checked on every
    read, so an alert never outlives its expiry by the cache's lifetime.
    """
    rows = cache.get(ACTIVE_ALERTS_CACHE_KEY)
    if rows is None:
        by_code: dict[str, dict] = {}
        for row in Alert.objects.filter(status=Alert.Status.PUBLISHED, expires_at__gt=timezone.now()).values(
            "code", "headline", "translations", "severity", "city_wide", "expires_at", "neighbourhoods__id"
        ):
            entry = by_code.setdefault(
                str(row["code"]),
                {
                    "code": str(row["code"]),
                    "headline": row["headline"],
                    # Only the headline's translations: the banner shows nothing else.
                    "translations": {
                        language: {"headline": texts["headline"]}
                        for language, texts in (row["translations"] or {}).items()
                        if texts.get("headline")
                    },
                    "severity": row["severity"],
                    "city_wide": row["city_wide"],
                    "expires_at": row["expires_at"].isoformat(),
                    "neighbourhood_ids": [],
                },
            )
            if row["neighbourhoods__id"] is not None:
                entry["neighbourhood_ids"].append(row["neighbourhoods__id"])
        rows = list(by_code.values())
        cache.set(ACTIVE_ALERTS_CACHE_KEY, rows, BANNER_CACHE_SECONDS)
    now = timezone.now()
    return [row for row in rows if datetime.fromisoformat(row["expires_at"]) > now]


def followed_neighbourhood_ids(user) -> set[int]:
    """The neighbourhoods a user lives in or follows by subscription; cached a minute per user."""
    from accounts.models import Profile
    from newsletters.models import Subscription

    key = f"alerts:followed-areas:{user.pk}"
    ids = cache.get(key)
    if ids is None:
        home = Profile.objects.filter(user=user, home_neighbourhood__isnull=False).values_list(
            "home_neighbourhood_id", flat=True
        )
        # A subscription belongs to the account, or was made with the account's address before it existed.
        followed = (
            Subscription.neighbourhoods.through.objects.filter(subscription__status=Subscription.Status.ACTIVE)
            .filter(Q(subscription__user=user) | Q(subscription__email=user.email.strip().lower()))
            .values_list("neighbourhood_id", flat=True)
        )
        ids = list(home.union(followed))
        cache.set(key, ids, BANNER_AREAS_CACHE_SECONDS)
    return set(ids)


def banner_alerts_for(user) -> list[dict]:
    """The active alerts to show this visitor: city-wide ones, and those for areas they follow."""
    alerts = active_banner_alerts()
    if not alerts:
        return []
    areas = followed_neighbourhood_ids(user) if user.is_authenticated else set()
    return [
        {
            **alert,
            "headline": translated(alert, "headline"),
            "severity_label": Alert.Severity(alert["severity"]).label,
        }
        for alert in alerts
        if alert["city_wide"] or areas.intersection(alert["neighbourhood_ids"])
    ]


def alert_audience(alert: Alert, *, city_wide: bool | None = None) -> QuerySet:
    """The safety-alert subscriptions a publication or update of ``alert`` reaches (its area's, or the
    whole city's): the delivery records them as recipients; the confirmation page counts them."""
    from newsletters.models import Topic
    from newsletters.selectors import active_subscriptions

    city_wide = alert.city_wide if city_wide is None else city_wide
    area = None if city_wide else alert.neighbourhoods.values_list("pk", flat=True)
    return active_subscriptions(topic=Topic.SAFETY_ALERTS, neighbourhoods=area)

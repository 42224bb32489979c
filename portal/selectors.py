"""Reads for the portal's own pages: the home page's sections, from each app's selectors."""

from django.db.models import Q
from django.utils import timezone

from alerts.models import Alert
from alerts.selectors import active_banner_alerts
from meetings.selectors import published_meetings
from portal.translated import translated
from programs.selectors import program_list
from watch.selectors import approved_groups

HOME_ALERTS = 5
HOME_MEETINGS = 3
HOME_PROGRAMS = 3
HOME_WATCH_GROUPS = 6


def home_sections(*, neighbourhood=None) -> dict:
    """What the home page lists for ``neighbourhood`` (None: the whole city), each list short and in
    one query at most, whatever the number of rows: ``alerts`` (active, city-wide or for the
    neighbourhood; for the whole city every one in force, as the meetings and programs are; most
    severe first), ``meetings`` (the next ones, here or city-wide),
    ``programs`` (open for application now, here or city-wide) and ``watch_groups`` (approved, of
    the neighbourhood, each with ``has_active_liaison`` and its liaison's profile loaded)."""
    alerts = [
        # The headline in the visitor's language, as the banner and the alerts page give it.
        {**alert, "headline": translated(alert, "headline"), "severity_label": Alert.Severity(alert["severity"]).label}
        for alert in active_banner_alerts()
        if neighbourhood is None or alert["city_wide"] or neighbourhood.pk in alert["neighbourhood_ids"]
    ]
    severity_rank = {value: rank for rank, value in enumerate(Alert.Severity.values)}
    alerts.sort(key=lambda alert: severity_rank.get(alert["severity"], len(severity_rank)))

    # The home page shows no seats: nothing counts the RSVPs and applications.
    meetings = published_meetings().filter(ends_at__gt=timezone.now())
    if neighbourhood is not None:
        meetings = meetings.filter(Q(neighbourhood=neighbourhood) | Q(neighbourhood__isnull=True))
    programs = program_list(neighbourhood=neighbourhood, open_only=True, seats=False)
    watch_groups = approved_groups(neighbourhood=neighbourhood) if neighbourhood is not None else None
    return {
        "alerts": alerts[:HOME_ALERTS],
        "meetings": list(meetings.order_by("starts_at", "id")[:HOME_MEETINGS]),
        "programs": list(programs[:HOME_PROGRAMS]),
        "watch_groups": list(watch_groups[:HOME_WATCH_GROUPS]) if watch_groups is not None else None,
    }

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import ALERT_APPROVERS, OFFICERS
from alerts.models import Alert
from newsletters.models import Subscription
from tests.conftest import make_user


def make_alert(*, created_by, neighbourhoods=(), city_wide=False, **fields) -> Alert:
    now = timezone.now()
    alert = Alert.objects.create(
        headline=fields.pop("headline", "Burglaries on Elm Street"),
        event=fields.pop("event", "Burglary pattern"),
        description=fields.pop("description", "Three homes were broken into overnight."),
        instruction=fields.pop("instruction", "Lock doors and windows; report anything unusual."),
        starts_at=fields.pop("starts_at", now),
        expires_at=fields.pop("expires_at", now + timedelta(hours=6)),
        city_wide=city_wide,
        created_by=created_by,
        **fields,
    )
    alert.neighbourhoods.set(neighbourhoods)
    return alert


def make_subscription(
    email: str, *neighbourhoods, language="en", safety_alerts=True, newsletter=True, user=None
) -> Subscription:
    subscription = Subscription.objects.create(
        email=email,
        user=user,
        status=Subscription.Status.ACTIVE,
        wants_safety_alerts=safety_alerts,
        wants_newsletter=newsletter,
        language=language,
        confirmed_at=timezone.now(),
    )
    subscription.neighbourhoods.set(neighbourhoods)
    return subscription


@pytest.fixture
def alert_for_a(officer, neighbourhood):
    return make_alert(created_by=officer, neighbourhoods=[neighbourhood])


@pytest.fixture
def approver(db):
    user = make_user("approver.erin@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS), Group.objects.get(name=ALERT_APPROVERS))
    return user

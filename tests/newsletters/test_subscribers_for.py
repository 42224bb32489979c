"""The recipient selector other apps (safety alerts) use: streams, filters by topic and neighbourhood."""

import types

import pytest

from newsletters.models import Subscription, Suppression, Topic
from newsletters.selectors import subscribers_for
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db


def emails(rows) -> list[str]:
    return sorted(row.email for row in rows)


def test_it_streams_active_unsuppressed_subscribers_of_a_topic_in_those_neighbourhoods(
    neighbourhood, other_neighbourhood
):
    make_subscription("here@example.com", neighbourhoods=[neighbourhood])
    make_subscription("there@example.com", neighbourhoods=[other_neighbourhood])
    make_subscription("both@example.com", neighbourhoods=[neighbourhood, other_neighbourhood])
    make_subscription("city@example.com")
    make_subscription("no-alerts@example.com", wants_safety_alerts=False)
    make_subscription("pending@example.com", status=Subscription.Status.PENDING)
    make_subscription("bounced@example.com")
    Suppression.objects.create(email="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)

    rows = subscribers_for(topic=Topic.SAFETY_ALERTS, neighbourhoods=[neighbourhood])

    assert isinstance(rows, types.GeneratorType)  # an iterator, not a list in memory
    assert emails(rows) == ["both@example.com", "city@example.com", "here@example.com"]
    assert emails(subscribers_for(topic="safety_alerts", neighbourhoods=[other_neighbourhood.pk])) == [
        "both@example.com",
        "city@example.com",
        "there@example.com",
    ]
    assert len(emails(subscribers_for(topic=Topic.SAFETY_ALERTS))) == 4


def test_the_query_count_does_not_grow_with_the_number_of_recipients(neighbourhood, django_assert_max_num_queries):
    for n in range(60):
        make_subscription(f"reader{n}@example.com", neighbourhoods=[neighbourhood])

    with django_assert_max_num_queries(2):
        assert len(list(subscribers_for(topic=Topic.NEWSLETTER, neighbourhoods=[neighbourhood], chunk_size=100))) == 60


def test_an_unknown_topic_is_refused():
    with pytest.raises(ValueError):
        list(subscribers_for(topic="gossip"))

"""The live banner for the visitor's neighbourhoods, and the public alert pages."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from accounts.selectors import profile_for
from alerts.services import alert_cancel, alert_publish
from tests.alerts.conftest import make_alert, make_subscription

pytestmark = pytest.mark.django_db


def _banner(response) -> str:
    content = response.content.decode()
    start = content.find('class="alert-banner"')
    return "" if start == -1 else content[start : content.find("</aside>", start)]


def _live_in(user, neighbourhood):
    profile = profile_for(user)
    profile.home_neighbourhood = neighbourhood
    profile.save()


def test_residents_see_the_banner_for_their_neighbourhood_until_it_expires(
    client, officer, resident, other_resident, neighbourhood, other_neighbourhood, alert_for_a
):
    _live_in(resident, neighbourhood)
    _live_in(other_resident, other_neighbourhood)
    alert_publish(actor=officer, alert=alert_for_a)

    client.force_login(resident)
    banner = _banner(client.get("/meetings/"))
    assert "Burglaries on Elm Street" in banner
    assert alert_for_a.get_absolute_url() in banner
    assert "Burglaries" in _banner(client.get("/alerts/"))  # every page

    client.force_login(other_resident)
    assert _banner(client.get("/meetings/")) == ""

    client.force_login(resident)
    with time_machine.travel(alert_for_a.expires_at + timedelta(seconds=1)):
        assert _banner(client.get("/meetings/")) == ""


def test_subscribers_following_a_neighbourhood_see_its_banner(
    client, officer, other_resident, neighbourhood, alert_for_a
):
    make_subscription(other_resident.email, neighbourhood, user=other_resident)
    alert_publish(actor=officer, alert=alert_for_a)
    client.force_login(other_resident)
    assert "Burglaries on Elm Street" in _banner(client.get("/meetings/"))


def test_a_subscription_made_with_the_same_address_counts_too(
    client, officer, other_resident, neighbourhood, alert_for_a
):
    make_subscription(other_resident.email, neighbourhood)  # subscribed before having an account
    alert_publish(actor=officer, alert=alert_for_a)
    client.force_login(other_resident)
    assert "Burglaries on Elm Street" in _banner(client.get("/meetings/"))


def test_a_cancelled_alert_leaves_the_banner_at_once(
    client, officer, resident, neighbourhood, alert_for_a, django_capture_on_commit_callbacks
):
    _live_in(resident, neighbourhood)
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert_for_a)
    client.force_login(resident)
    assert _banner(client.get("/meetings/"))
    with django_capture_on_commit_callbacks(execute=True):
        alert_cancel(actor=officer, alert=alert_for_a)
    assert _banner(client.get("/meetings/")) == ""


def test_anonymous_visitors_see_city_wide_alerts_only(client, officer, alert_for_a):
    alert_publish(actor=officer, alert=alert_for_a)
    storm = make_alert(created_by=officer, city_wide=True, headline="Severe storm tonight")
    alert_publish(actor=officer, alert=storm)
    banner = _banner(client.get("/alerts/"))
    assert "Severe storm tonight" in banner
    assert "Burglaries" not in banner


def test_the_banner_costs_at_most_one_query_and_none_once_cached(
    client, officer, resident, neighbourhood, alert_for_a, django_assert_max_num_queries, django_assert_num_queries
):
    from alerts.selectors import banner_alerts_for

    _live_in(resident, neighbourhood)
    alert_publish(actor=officer, alert=alert_for_a)
    cache.clear()
    with django_assert_max_num_queries(2):  # the active alerts, then this resident's areas
        assert len(banner_alerts_for(resident)) == 1
    with django_assert_num_queries(0):
        assert len(banner_alerts_for(resident)) == 1


def test_the_alert_page_is_public_and_shareable(client, officer, alert_for_a):
    alert_publish(actor=officer, alert=alert_for_a)
    response = client.get(f"/alerts/{alert_for_a.code}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Burglaries on Elm Street" in content
    assert "Lock doors and windows" in content
    assert f"/alerts/{alert_for_a.code}/cap.xml" in content
    assert client.post(f"/alerts/{alert_for_a.code}/").status_code == 405
    assert client.get("/alerts/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_alert_list_filters_by_neighbourhood(client, officer, neighbourhood, other_neighbourhood):
    alert_publish(
        actor=officer, alert=make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline="Riverside thing")
    )
    alert_publish(
        actor=officer,
        alert=make_alert(created_by=officer, neighbourhoods=[other_neighbourhood], headline="Old Town thing"),
    )
    content = client.get("/alerts/?neighbourhood=old-town").content.decode()
    assert "Old Town thing" in content
    assert "Riverside thing" not in content
    assert client.get("/alerts/?neighbourhood=atlantis").status_code == 404


@pytest.mark.parametrize("count", [5, 55])
def test_the_alert_list_query_count_is_flat(client, officer, neighbourhood, count, django_assert_max_num_queries):
    for number in range(count):
        alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline=f"Alert {number}")
        alert_publish(actor=officer, alert=alert)
    cache.clear()
    with django_assert_max_num_queries(6):
        response = client.get("/alerts/")
    assert response.status_code == 200


def test_every_alert_message_invalidates_cached_anonymous_pages(officer):
    """Anonymous pages cached under the "alerts" namespace carry the city-wide banner: each message renews them."""
    from unittest import mock

    from alerts import services

    storm = make_alert(created_by=officer, city_wide=True, headline="Severe storm tonight")
    with mock.patch.object(services, "bump_cache_version", wraps=services.bump_cache_version) as bump:
        alert_publish(actor=officer, alert=storm)
        alert_cancel(actor=officer, alert=storm)
    assert [call.args for call in bump.call_args_list] == [("alerts",), ("alerts",)]


def test_the_banner_is_a_labelled_landmark_and_the_pages_first_heading_is_its_h1(client, officer, alert_for_a):
    import re

    alert_for_a.city_wide = True
    alert_for_a.save()
    alert_publish(actor=officer, alert=alert_for_a)
    content = client.get("/meetings/").content.decode()
    assert '<aside class="alert-banner" aria-label="Safety alerts">' in content
    assert re.search(r"<h[1-6]\b", content).group() == "<h1"

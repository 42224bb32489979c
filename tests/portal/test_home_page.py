"""The home page is a neighbourhood's front door: its alerts, next meetings, open programs, watch
groups with their liaison officer and the numbers to call; in few queries and cached per
neighbourhood and language."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.selectors import profile_for
from alerts.models import Alert
from meetings.models import Meeting
from neighbourhoods.models import Neighbourhood
from portal.cache import CACHE_STATUS_HEADER
from programs.models import Program
from tests.alerts.conftest import make_alert
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program
from watch.models import WatchGroup


def _published_alert(officer, **fields):
    alert = make_alert(created_by=officer, **fields)
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.PUBLISHED, last_sent_at=timezone.now())
    return alert


def _approved_group(name, neighbourhood, liaison):
    return WatchGroup.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        neighbourhood=neighbourhood,
        status=WatchGroup.Status.APPROVED,
        liaison=liaison,
        approved_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_home_page_gives_an_alerts_headline_in_the_visitors_language(client, officer, neighbourhood):
    _published_alert(
        officer,
        headline="Car break-ins near Riverside Park",
        translations={"es": {"headline": "Robos en coches cerca del parque Riverside"}},
        neighbourhoods=[neighbourhood],
    )
    _published_alert(officer, headline="Storm warning", city_wide=True)

    page = client.get("/", {"neighbourhood": neighbourhood.slug, "lang": "es"}).content.decode()

    assert "Robos en coches cerca del parque Riverside" in page
    assert "Car break-ins near Riverside Park" not in page
    # Without a Spanish headline, the English one is marked as English.
    assert '<span lang="en">Storm warning</span>' in page


@pytest.mark.django_db
def test_a_visitor_chooses_a_neighbourhood_and_sees_its_front_door(client, officer, neighbourhood, other_neighbourhood):
    profile = profile_for(officer)
    profile.display_name = "Sgt. Rivera"
    profile.save()
    _published_alert(officer, headline="Burglaries on Elm Street", neighbourhoods=[neighbourhood])
    _published_alert(officer, headline="Fog on Old Town bridge", neighbourhoods=[other_neighbourhood])
    _published_alert(officer, headline="Storm warning", city_wide=True)
    make_meeting(title="Riverside town hall", neighbourhood=neighbourhood)
    make_meeting(title="Old Town forum", neighbourhood=other_neighbourhood)
    make_program(title="Riverside academy", neighbourhood=neighbourhood)
    make_program(
        title="Closed academy",
        applications_open_at=timezone.now() - timedelta(days=9),
        applications_close_at=timezone.now() - timedelta(days=1),
    )
    _approved_group("Elm Street Watch", neighbourhood, officer)
    _approved_group("Bridge Watch", other_neighbourhood, officer)

    page = client.get("/?neighbourhood=riverside").content.decode()

    assert '<option value="riverside" selected>' in page
    for shown in ("Burglaries on Elm Street", "Storm warning", "Riverside town hall", "Riverside academy"):
        assert shown in page
    assert "Elm Street Watch" in page and "Liaison officer: Sgt. Rivera" in page
    for hidden in ("Fog on Old Town bridge", "Old Town forum", "Closed academy", "Bridge Watch"):
        assert hidden not in page
    assert 'href="tel:911"' in page and 'href="tel:311"' in page


@pytest.mark.django_db
def test_a_resident_sees_their_own_neighbourhood_without_choosing(client, resident, officer, neighbourhood):
    profile = profile_for(resident)
    profile.home_neighbourhood = neighbourhood
    profile.save()
    _approved_group("Elm Street Watch", neighbourhood, officer)
    client.force_login(resident)
    page = client.get("/").content.decode()
    assert "Neighbourhood Watch in Riverside" in page and "Elm Street Watch" in page


@pytest.mark.django_db
def test_an_unknown_neighbourhood_shows_the_city_and_says_so(client, neighbourhood):
    response = client.get("/?neighbourhood=atlantis")
    assert response.status_code == 200
    assert "We do not know that neighbourhood" in response.content.decode()


@pytest.mark.django_db
def test_the_non_emergency_number_is_a_setting(client, settings):
    settings.NON_EMERGENCY_NUMBER = "(555) 010-2000"
    page = client.get("/").content.decode()
    assert 'href="tel:5550102000"' in page and "(555) 010-2000" in page


def _rows(count: int, *, officer, neighbourhood) -> None:
    tag = neighbourhood.slug
    now = timezone.now()
    start = now + timedelta(days=3)
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Meeting {n}",
            slug=f"{tag}-meeting-{n}",
            kind=Meeting.Kind.TOWN_HALL,
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n + 1),
            mode=Meeting.Mode.IN_PERSON,
            is_published=True,
            neighbourhood=neighbourhood,
        )
        for n in range(count)
    )
    Program.objects.bulk_create(
        Program(
            kind=Program.Kind.ACADEMY,
            title=f"Program {n}",
            slug=f"{tag}-program-{n}",
            summary="A program.",
            capacity=10,
            applications_open_at=now - timedelta(days=1),
            applications_close_at=now + timedelta(days=5),
            status=Program.Status.PUBLISHED,
            neighbourhood=neighbourhood,
        )
        for n in range(count)
    )
    WatchGroup.objects.bulk_create(
        WatchGroup(
            name=f"Group {n}",
            slug=f"{tag}-group-{n}",
            neighbourhood=neighbourhood,
            status=WatchGroup.Status.APPROVED,
            liaison=officer,
        )
        for n in range(count)
    )
    alerts = Alert.objects.bulk_create(
        Alert(
            code=uuid.uuid4(),
            headline=f"Alert {n}",
            event="Burglary pattern",
            description="Homes were broken into.",
            instruction="Lock doors.",
            starts_at=now,
            expires_at=now + timedelta(hours=6),
            status=Alert.Status.PUBLISHED,
            last_sent_at=now,
            created_by=officer,
        )
        for n in range(count)
    )
    Alert.neighbourhoods.through.objects.bulk_create(
        Alert.neighbourhoods.through(alert_id=alert.pk, neighbourhood_id=neighbourhood.pk) for alert in alerts
    )


def _queries(client, address: str) -> int:
    from django.core.cache import cache

    cache.clear()  # the banner's alert rows are cached a minute: count the cold page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_home_page_costs_the_same_queries_with_5_or_500_rows(client, resident, officer, neighbourhood):
    other = Neighbourhood.objects.create(name="Old Town", slug="old-town")
    _rows(5, officer=officer, neighbourhood=neighbourhood)
    _rows(5, officer=officer, neighbourhood=other)
    few = _queries(client, "/?neighbourhood=riverside")
    client.force_login(resident)
    few_logged_in = _queries(client, "/?neighbourhood=riverside")
    client.logout()

    Meeting.objects.all().delete()
    Program.objects.all().delete()
    WatchGroup.objects.all().delete()
    Alert.objects.all().delete()
    _rows(500, officer=officer, neighbourhood=neighbourhood)

    assert _queries(client, "/?neighbourhood=riverside") == few
    client.force_login(resident)
    assert _queries(client, "/?neighbourhood=riverside") == few_logged_in
    assert few <= 8


@pytest.mark.django_db
def test_the_home_page_is_cached_per_neighbourhood_and_language(client, settings, officer, neighbourhood):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    Neighbourhood.objects.create(name="Old Town", slug="old-town")
    first = client.get("/?neighbourhood=riverside")
    assert first[CACHE_STATUS_HEADER] == "miss"
    assert client.get("/?neighbourhood=riverside&utm=1")[CACHE_STATUS_HEADER] == "hit"
    old_town = client.get("/?neighbourhood=old-town")
    assert old_town[CACHE_STATUS_HEADER] == "miss"
    assert '<option value="old-town" selected>' in old_town.content.decode()
    spanish = client.get("/?neighbourhood=riverside", headers={"accept-language": "es"})
    assert spanish[CACHE_STATUS_HEADER] == "miss" and spanish["Content-Language"] == "es"
    assert client.get("/?neighbourhood=riverside", headers={"accept-language": "es"})[CACHE_STATUS_HEADER] == "hit"
    # Unknown neighbourhoods are answered, never kept.
    client.get("/?neighbourhood=atlantis")
    assert client.get("/?neighbourhood=atlantis").get(CACHE_STATUS_HEADER) is None


@pytest.mark.django_db(transaction=True)
def test_a_new_watch_group_shows_on_the_cached_home_page_at_once(client, settings, officer, neighbourhood):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    assert "Elm Street Watch" not in client.get("/?neighbourhood=riverside").content.decode()
    _approved_group("Elm Street Watch", neighbourhood, officer)
    assert "Elm Street Watch" in client.get("/?neighbourhood=riverside").content.decode()


@pytest.mark.django_db
def test_a_resident_can_look_at_the_whole_city_instead_of_their_neighbourhood(client, resident, neighbourhood):
    profile = profile_for(resident)
    profile.home_neighbourhood = neighbourhood
    profile.save()
    client.force_login(resident)
    assert "Current alerts in Riverside" in client.get("/").content.decode()
    page = client.get("/?neighbourhood=all").content.decode()
    assert '<option value="all">The whole city</option>' in page and "Current alerts</h2>" in page
    assert "We do not know that neighbourhood" not in page


@pytest.mark.django_db
def test_the_whole_city_shows_every_alert_in_force_not_only_city_wide_ones(client, officer, neighbourhood):
    # A visitor who has not chosen a neighbourhood must not read "No alert is in force" while one is.
    _published_alert(officer, headline="Burglaries on Elm Street", neighbourhoods=[neighbourhood])
    page = client.get("/").content.decode()
    assert "Burglaries on Elm Street" in page
    assert "No alert is in force." not in page

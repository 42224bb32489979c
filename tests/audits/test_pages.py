"""The public pages are reachable: navigation, the home page's neighbourhood links, the meeting page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.audits.conftest import check_in, make_walk

pytestmark = pytest.mark.django_db


def test_the_navigation_and_the_neighbourhood_home_page_link_to_safety_audits(client, neighbourhood):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("audits:list")}"' in html
    html = client.get(reverse("home") + f"?neighbourhood={neighbourhood.slug}").content.decode()
    assert f'href="{reverse("audits:list")}?neighbourhood={neighbourhood.slug}"' in html
    assert "Safety audits in Riverside" in html


def test_the_list_shows_coming_walks_of_the_chosen_neighbourhood(client, neighbourhood, other_neighbourhood):
    make_walk(area="Mill Lane", neighbourhood=neighbourhood, started_ago=-timedelta(days=3), title="Mill walk")
    make_walk(area="Market", neighbourhood=other_neighbourhood, started_ago=-timedelta(days=3), title="Market walk")
    html = client.get(reverse("audits:list") + f"?neighbourhood={neighbourhood.slug}").content.decode()
    assert "Mill walk" in html and "Market walk" not in html
    assert client.get(reverse("audits:list") + "?neighbourhood=nowhere").status_code == 404


def test_the_meeting_page_offers_findings_to_people_checked_in_only(client, walk, resident, other_resident):
    check_in(walk, resident)
    client.force_login(resident)
    html = client.get(walk.meeting.get_absolute_url()).content.decode()
    assert "Area walked: Mill Lane underpass." in html
    assert reverse("audits:finding-create", args=[walk.meeting.slug]) in html
    client.force_login(other_resident)
    html = client.get(walk.meeting.get_absolute_url()).content.decode()
    assert "Area walked" in html and reverse("audits:finding-create", args=[walk.meeting.slug]) not in html

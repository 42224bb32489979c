"""The guide for officers (docs/officers.md) opens from the desk, with its screenshots, for staff only."""

import pytest
from django.urls import reverse

from tests.conftest import desk_client_for

pytestmark = pytest.mark.django_db


def test_the_desk_links_the_guide_which_shows_its_screenshots(officer):
    client = desk_client_for(officer)
    desk = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("officers-guide")}"' in desk

    guide = client.get(reverse("officers-guide"))
    html = guide.content.decode()
    assert guide.status_code == 200
    assert "<h2>The desk (home page)</h2>" in html
    assert '<img alt="The desk' in html and 'src="screenshots/officers/desk.png"' in html
    assert 'href="check-in.md"' in html  # adminux's door guide, served the same way
    assert "<table>" in html
    picture = client.get("/admin/guide/screenshots/officers/desk.png")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"


def test_only_named_pages_and_pictures_are_served(officer):
    client = desk_client_for(officer)
    assert client.get("/admin/guide/deploy.md").status_code == 404
    assert client.get("/admin/guide/screenshots/officers/nothing.png").status_code == 404


def test_residents_and_visitors_are_sent_to_sign_in(resident_client, client):
    for visitor in (resident_client, client):
        response = visitor.get(reverse("officers-guide"))
        assert response.status_code == 302 and "login" in response["Location"]

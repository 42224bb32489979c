"""Another website cannot make a visitor's browser send the tip forms (tip pages have no CSRF cookie)."""

import pytest
from django.test import Client

from tests.tips.conftest import submit_tip
from tips.models import Tip

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://blog.testserver"},
        {"HTTP_ORIGIN": "https://elsewhere.example"},  # an older browser: Origin only
        {"HTTP_ORIGIN": "null"},  # a sandboxed frame or a data: page
    ],
)
def test_a_tip_posted_from_another_site_is_refused_with_a_clear_page(headers):
    response = submit_tip(Client(**headers), what="Planted by another site")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your tip was not sent" in page and "from another website" in page
    assert "Planted by another site" not in page
    assert not Tip.objects.exists()
    assert not response.cookies
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"


def test_the_follow_up_forms_refuse_other_sites_too():
    client = Client(HTTP_SEC_FETCH_SITE="cross-site")
    assert client.post("/tips/follow-up/", {"phrase": "some guessed words"}).status_code == 403
    assert client.post("/tips/follow-up/send/", {"text": "x"}).status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver"},
        {},  # no browser headers at all: not a browser another site could steer
    ],
)
def test_a_tip_from_this_site_is_accepted(headers):
    assert submit_tip(Client(**headers)).status_code == 200
    assert Tip.objects.count() == 1

"""The public pages, feeds and files merged with actions, audits and transparency meet odd input
(script in a filter, a negative or huge page, NUL bytes, repeated or very long parameters, other
methods) with a clean page or a 4xx, never a 500; HEAD is answered as GET is; and what officers and
residents wrote is escaped in pages, feeds and the PDF."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.actions.conftest import make_action
from tests.audits.test_report import _walk_with

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert(1)</script> & <para><font size="99">big</font>'

ODD_QUERIES = [
    "status=<script>alert(1)</script>",
    "page=-1",
    "page=0",
    "page=abc",
    "page=99999999999999999999999",
    "page=1.5",
    "neighbourhood=%00",
    "neighbourhood=x%00y",
    "neighbourhood[]=a",
    "source=%ff%fe",
    "status=" + "a" * 5000,
    "status=done&status=planned&page=1&page=2",
    "area=%00",
    "area=" + "z" * 3000,
    "period=%00",
    "period=2026-13",
    "period=0000-01",
    "period=9999-12",
    "period=0000",
    "period=0000-Q1",
    "period=" + "9" * 400,
    "period=0001-01--9999-12",
    "period=custom&start=0000-01&end=9999-12",
    "period=custom&start=2026-05&end=2026-01",
    "period=custom&start=%00&end=2026-01",
    "period=custom&start=2026-01&end=2026-01&start=x",
]


@pytest.fixture
def public_urls(officer, neighbourhood):
    walk = _walk_with(officer, neighbourhood, ["urgent"], notes=MARKUP)
    action = make_action(officer, title=MARKUP, description=MARKUP, neighbourhood=neighbourhood)
    slug = neighbourhood.slug
    return {
        "actions:list": reverse("actions:list"),
        "actions:neighbourhood": reverse("actions:neighbourhood", args=[slug]),
        "actions:feed": reverse("actions:feed", args=[slug]),
        "actions:detail": action.get_absolute_url(),
        "audits:list": reverse("audits:list"),
        "audits:report": reverse("audits:report", args=[walk.meeting.slug]),
        "audits:report-pdf": reverse("audits:report-pdf", args=[walk.meeting.slug]),
        "transparency:dashboard": reverse("transparency:dashboard"),
        "transparency:open-data": reverse("transparency:open-data"),
        "transparency:catalogue": reverse("transparency:catalogue"),
        "transparency:dictionary": reverse("transparency:dictionary", args=["meetings"]),
    }


URL_NAMES = [
    "actions:list",
    "actions:neighbourhood",
    "actions:feed",
    "actions:detail",
    "audits:list",
    "audits:report",
    "audits:report-pdf",
    "transparency:dashboard",
    "transparency:open-data",
    "transparency:catalogue",
    "transparency:dictionary",
]


@pytest.mark.parametrize("name", URL_NAMES)
def test_odd_query_strings_get_a_page_or_a_4xx(client, public_urls, name):
    url = public_urls[name]
    failures = []
    for query in ODD_QUERIES:
        response = client.get(f"{url}?{query}")
        if response.status_code >= 500:
            failures.append((query[:60], response.status_code))
    assert failures == []


@pytest.mark.parametrize("name", URL_NAMES)
def test_head_is_answered_as_get_and_writes_are_refused(client, public_urls, name):
    url = public_urls[name]
    assert client.get(url).status_code == 200
    # Feed readers, link checkers and uptime monitors ask with HEAD first.
    assert client.head(url).status_code == 200
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/actions/in/%00/",
        "/actions/in/nowhere/feed/",
        "/actions/00000000-0000-0000-0000-000000000000/",
        "/audits/nowhere/report.pdf",
        "/transparency/data/meetings/0000-01.csv",
        "/transparency/data/meetings/0001-01--9999-12.csv",
        "/transparency/data/meetings/0000-Q1.json",
        "/transparency/data/meetings/0000.csv",
        "/transparency/data/no-such-set/2026-01.json",
        "/transparency/data/meetings/2026-01.xlsx",
    ],
)
def test_addresses_that_name_nothing_are_not_found(client, db, path):
    assert client.get(path).status_code == 404


def test_follow_and_unfollow_refuse_get_and_strangers(resident_client, officer):
    action = make_action(officer)
    for name in ("actions:follow", "actions:unfollow", "actions:stop-emails"):
        url = reverse(name, args=[action.code])
        assert resident_client.get(url).status_code == 405
        anonymous = Client().post(url)
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    missing = "/actions/00000000-0000-0000-0000-000000000000/follow/"
    assert resident_client.post(missing).status_code == 404


def test_officer_and_resident_text_is_escaped_in_pages_and_feeds(client, public_urls):
    for name in ("actions:list", "actions:neighbourhood", "actions:detail", "audits:report"):
        html = client.get(public_urls[name]).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html, name
    feed = client.get(public_urls["actions:feed"]).content.decode()
    assert "<script>" not in feed and "<para>" not in feed


def test_reportlab_markup_in_a_note_is_printed_as_text(client, public_urls):
    # Paragraph parses <para>, <font>, <a>: a resident's note must not become markup (or a 500).
    response = client.get(public_urls["audits:report-pdf"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "name",
    ["home", "contact", "meetings:list", "meetings:feed", "programs:list", "alerts:feed", "newsletters:archive-feed"],
)
def test_head_is_answered_on_the_older_public_pages_and_feeds_too(client, db, name):
    assert client.head(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405

"""The layout's links, reversed once per process, still follow the script prefix the site runs under."""

import pytest
from django.templatetags.static import static
from django.urls import set_script_prefix

pytestmark = pytest.mark.django_db


def test_layout_links_follow_the_script_prefix(client):
    plain = client.get("/contact/").content.decode()
    set_script_prefix("/precinct/")  # as the WSGI handler does for SCRIPT_NAME (the test client does not)
    try:
        prefixed = client.get("/contact/").content.decode()
    finally:
        set_script_prefix("/")
    for link in ('href="/"', 'href="/meetings/"', 'action="/i18n/setlang/"', 'href="/transparency/data/"'):
        assert link in plain
        assert link.replace('="/', '="/precinct/') in prefixed
    assert 'href="/meetings/"' not in prefixed
    assert f'<link rel="stylesheet" href="{static("css/precinct.css")}">' in plain
    assert f'<img src="{static("img/favicon.svg")}" alt=""' in plain


def test_layout_links_for_a_resident(resident_client):
    page = resident_client.get("/contact/").content.decode()
    for link in ('href="/programs/mine/"', 'href="/me/activity/"', 'action="/accounts/logout/"'):
        assert link in page

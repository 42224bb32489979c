"""Each sent newsletter is readable on the web, with no personal token in the public copy, listed
by topic with an Atom feed, cached like the other public pages; the e-mail and the digest link to it."""

import re
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from newsletters import digest, services
from newsletters.models import Newsletter, Topic
from portal.cache import CACHE_STATUS_HEADER
from tests.newsletters.helpers import link_in, make_subscription
from tests.newsletters.test_digest import WEDNESDAY_NOON
from tests.newsletters.test_newsletter_sending import BODY, send_now

pytestmark = pytest.mark.django_db


def make_newsletter(officer, **fields) -> Newsletter:
    return Newsletter.objects.create(**{"subject": "Spring news", "body": BODY, "created_by": officer, **fields})


def sent(officer, captured, **fields) -> Newsletter:
    newsletter = make_newsletter(officer, **fields)
    send_now(newsletter, officer, captured)
    services.newsletters_resume()
    newsletter.refresh_from_db()
    return newsletter


def test_the_email_links_to_a_public_copy_that_carries_nothing_personal(
    client, officer, django_capture_on_commit_callbacks
):
    make_subscription("reader@example.com")
    newsletter = sent(officer, django_capture_on_commit_callbacks)
    assert newsletter.status == Newsletter.Status.SENT
    (message,) = mail.outbox
    html_email = message.alternatives[0][0]
    web_path = link_in(message.body, f"/newsletters/archive/{newsletter.code}/")
    assert "View this newsletter in your browser" in message.body and web_path in html_email

    page = client.get(web_path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Spring news" in html and "<strong>bikes</strong>" in html and "<script>alert" not in html
    # Everything personal in the e-mail: its address, and each signed link's token.
    personal_tokens = re.findall(r"/newsletters/(?:unsubscribe|preferences)/([^/\s\"<>]+)/", message.body)
    assert personal_tokens
    for secret in ["reader@example.com", *personal_tokens]:
        assert secret not in html
    assert "/newsletters/unsubscribe/" not in html and "/newsletters/preferences/" not in html


@pytest.mark.parametrize("status", [Newsletter.Status.DRAFT, Newsletter.Status.SCHEDULED, Newsletter.Status.CANCELLED])
def test_unsent_newsletters_are_not_public(client, officer, status):
    newsletter = make_newsletter(officer, status=status, scheduled_for=timezone.now() + timedelta(days=1))
    assert client.get(newsletter.get_absolute_url()).status_code == 404
    assert "Spring news" not in client.get("/newsletters/archive/").content.decode()
    assert feedparser.parse(client.get("/newsletters/archive/feed/").content).entries == []


def test_an_unknown_code_is_404(client):
    assert client.get("/newsletters/archive/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/newsletters/archive/not-a-code/").status_code == 404


def test_the_archive_lists_by_topic(client, officer, django_capture_on_commit_callbacks):
    make_subscription("reader@example.com")
    general = sent(officer, django_capture_on_commit_callbacks, subject="Winter news")
    meetings = sent(
        officer,
        django_capture_on_commit_callbacks,
        subject="Town halls this spring",
        audience=Newsletter.Audience.TOPIC,
        topic=Topic.MEETINGS,
    )
    everything = client.get("/newsletters/archive/").content.decode()
    assert general.subject in everything and meetings.subject in everything
    for value in Topic.values:  # each topic is a link, so every topic's page and feed can be found
        assert f'href="/newsletters/archive/?topic={value}"' in everything
    only_meetings = client.get("/newsletters/archive/?topic=meetings").content.decode()
    assert meetings.subject in only_meetings and general.subject not in only_meetings
    only_newsletters = client.get("/newsletters/archive/?topic=newsletter").content.decode()
    assert general.subject in only_newsletters and meetings.subject not in only_newsletters

    junk = client.get("/newsletters/archive/?topic=nonsense")
    assert junk.status_code == 200
    assert "There is no such topic" in junk.content.decode()
    assert general.subject in junk.content.decode()


def test_the_feeds_parse_and_follow_the_topic(client, officer, django_capture_on_commit_callbacks):
    make_subscription("reader@example.com")
    general = sent(officer, django_capture_on_commit_callbacks, subject="Winter news")
    sent(
        officer,
        django_capture_on_commit_callbacks,
        subject="Academy places",
        audience=Newsletter.Audience.TOPIC,
        topic=Topic.PROGRAMS,
    )
    response = client.get("/newsletters/archive/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Academy places", "Winter news"]
    winter = feed.entries[1]
    assert winter.link == settings.SITE_URL + general.get_absolute_url()
    assert "<strong>bikes</strong>" in winter.summary and "reader@example.com" not in response.content.decode()

    programs = feedparser.parse(client.get("/newsletters/archive/feed/programs/").content)
    assert not programs.bozo and [entry.title for entry in programs.entries] == ["Academy places"]
    assert client.get("/newsletters/archive/feed/nonsense/").status_code == 404
    page = client.get("/newsletters/archive/").content.decode()
    assert 'type="application/atom+xml"' in page and "/newsletters/archive/feed/" in page


def test_the_archive_is_cached_and_a_newly_sent_newsletter_shows_at_once(
    client, officer, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    make_subscription("reader@example.com")
    first = sent(officer, django_capture_on_commit_callbacks, subject="Winter news")
    for url in ["/newsletters/archive/", first.get_absolute_url(), "/newsletters/archive/feed/"]:
        assert client.get(url)[CACHE_STATUS_HEADER] == "miss"
        assert client.get(url)[CACHE_STATUS_HEADER] == "hit"
    # Only the parameters the view reads make a new entry.
    assert client.get("/newsletters/archive/?utm_source=x")[CACHE_STATUS_HEADER] == "hit"

    scheduled = make_newsletter(officer, subject="Spring news")
    send_at = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_schedule(newsletter_id=scheduled.pk, send_at=send_at, actor=officer)
    response = client.get("/newsletters/archive/")
    assert response[CACHE_STATUS_HEADER] == "miss" and "Spring news" not in response.content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 404

    with time_machine.travel(send_at + timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.newsletters_resume()
        response = client.get("/newsletters/archive/")
    assert response[CACHE_STATUS_HEADER] == "miss" and "Spring news" in response.content.decode()


def test_a_logged_in_reader_sees_the_same_copy_uncached(client, resident, officer, django_capture_on_commit_callbacks):
    make_subscription("reader@example.com")
    newsletter = sent(officer, django_capture_on_commit_callbacks)
    client.force_login(resident)
    response = client.get(newsletter.get_absolute_url())
    assert response.status_code == 200 and CACHE_STATUS_HEADER not in response


def test_the_test_copy_has_no_browser_link_yet(officer, django_capture_on_commit_callbacks):
    newsletter = make_newsletter(officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_send_test(newsletter=newsletter, actor=officer)
    (message,) = mail.outbox
    assert "in your browser" not in message.body and str(newsletter.code) not in message.body


def test_the_weekly_digest_links_each_newsletter(officer, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(WEDNESDAY_NOON, tick=False)
    make_subscription("reader@example.com")
    newsletter = sent(officer, django_capture_on_commit_callbacks, subject="Winter news")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.digests_send() == 1
    (message,) = mail.outbox
    url = settings.SITE_URL + newsletter.get_absolute_url()
    assert url in message.body
    assert f'href="{url}"' in message.alternatives[0][0]


def test_the_archive_dates_follow_the_readers_language(client, officer, django_capture_on_commit_callbacks):
    make_subscription("reader@example.com")
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        newsletter = sent(officer, django_capture_on_commit_callbacks)
    english = client.get(newsletter.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "December 2, 2026" in english
    spanish = client.get("/newsletters/archive/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "2 de diciembre de 2026" in spanish


def test_the_archive_only_answers_reads(client, officer, django_capture_on_commit_callbacks):
    make_subscription("reader@example.com")
    newsletter = sent(officer, django_capture_on_commit_callbacks)
    for url in ["/newsletters/archive/", newsletter.get_absolute_url()]:
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405


def test_the_public_copy_and_the_list_are_in_the_visitors_language(client, officer, django_capture_on_commit_callbacks):
    spanish = {"es": {"subject": "Noticias de primavera", "body": "Bajan los robos de **bicicletas**."}}
    newsletter = sent(officer, django_capture_on_commit_callbacks, translations=spanish)
    untranslated = sent(officer, django_capture_on_commit_callbacks, subject="Summer news")

    listing = client.get("/newsletters/archive/", {"lang": "es"}).content.decode()
    assert "Noticias de primavera" in listing and "Spring news" not in listing
    assert '<span lang="en">Summer news</span>' in listing

    page = client.get(f"/newsletters/archive/{newsletter.code}/", {"lang": "es"}).content.decode()
    assert "<h1>Noticias de primavera</h1>" in page and "<strong>bicicletas</strong>" in page
    fallback = client.get(f"/newsletters/archive/{untranslated.code}/", {"lang": "es"}).content.decode()
    assert '<h1 lang="en">Summer news</h1>' in fallback and '<div lang="en"><h2>' in fallback

    feed = feedparser.parse(client.get("/newsletters/archive/feed/", HTTP_ACCEPT_LANGUAGE="es").content)
    assert "Noticias de primavera" in [entry.title for entry in feed.entries]

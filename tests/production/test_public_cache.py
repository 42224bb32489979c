"""Anonymous public pages come from the cache, and an officer's change shows at the next visit."""

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import override_settings
from django.urls import path

from portal import urls as portal_urls
from portal.cache import CACHE_STATUS_HEADER, bump_cache_version, cache_public_page
from tests.alerts.conftest import make_alert
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program


@cache_public_page("test")
def page_with_a_form(request):
    template = Template('<form method="post">{% csrf_token %}<button>Go</button></form>')
    return HttpResponse(template.render(Context({"csrf_token": get_token(request)})))


@cache_public_page("test")
def page_that_sets_a_cookie(request):
    response = HttpResponse("hello")
    response.set_cookie("visited", "yes")
    return response


@cache_public_page("test")
def page_that_adds_a_message(request):
    messages.info(request, "Thanks for visiting")
    return HttpResponse("ok")


urlpatterns = [
    path("form/", page_with_a_form),
    path("cookie/", page_that_sets_a_cookie),
    path("message/", page_that_adds_a_message),
    *portal_urls.urlpatterns,
]


def status(response) -> str | None:
    return response.get(CACHE_STATUS_HEADER)


@pytest.fixture(autouse=True)
def _public_page_cache_on(settings):
    # The suite turns whole-page caching off (tests/settings.py); these tests are about it.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120


@pytest.mark.django_db
def test_an_anonymous_visit_is_served_from_the_cache_the_second_time(client, django_assert_num_queries):
    first = client.get("/")
    assert status(first) == "miss"
    with django_assert_num_queries(0):
        second = client.get("/")
    assert status(second) == "hit"
    assert second.content == first.content
    # Headers that depend on the request are still added to a cached page.
    assert "Content-Security-Policy" in second
    assert second["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.django_db
def test_the_query_parameters_a_page_reads_are_part_of_its_address(client):
    for number in range(12):
        make_meeting(title=f"Meeting {number}")
    client.get("/meetings/")
    second_page = client.get("/meetings/?page=2")
    assert status(second_page) == "miss"
    assert status(client.get("/meetings/?page=2")) == "hit"
    assert "Page 2 of 2" in second_page.content.decode()


@pytest.mark.django_db
def test_query_parameters_no_view_reads_make_no_new_cache_entry(client):
    from django.core.cache import cache

    assert status(client.get("/")) == "miss"
    keys_before = _page_keys(cache)
    for number in range(20):
        response = client.get(f"/?utm_source=mail{number}&x={number}")
        assert status(response) == "hit"
    assert status(client.get("/meetings/")) == "miss"
    assert status(client.get("/meetings/?junk=1&page=1&utm=2")) == "miss"  # page=1 is read: its own address
    assert status(client.get("/meetings/?utm=3")) == "hit"
    assert len(_page_keys(cache)) == len(keys_before) + 2


@pytest.mark.django_db
def test_a_parameter_the_view_ignores_never_reaches_its_links(client):
    for number in range(12):
        make_meeting(title=f"Meeting {number}")
    # Otherwise the first visitor's junk would be in the cached page's links for everyone.
    content = client.get("/meetings/?page=1&evil=%22%3E%3Cscript%3E").content.decode()
    assert "evil" not in content and "page=2" in content


@pytest.mark.django_db
def test_values_a_view_does_not_accept_are_answered_but_not_kept(client, neighbourhood):
    from django.core.cache import cache

    client.get("/meetings/")
    keys_before = _page_keys(cache)
    for address in (
        "/meetings/?neighbourhood=no-such-place",
        "/meetings/?kind=rodeo",
        "/meetings/?when=someday",
        "/meetings/?page=999",
        "/meetings/?page=abc",
        "/meetings/calendar/?neighbourhood=nowhere",
        "/programs/?kind=rodeo",
        "/programs/?page=007",
        "/alerts/?page=999",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert status(response) is None, address
    assert _page_keys(cache) == keys_before
    assert status(client.get(f"/meetings/?neighbourhood={neighbourhood.slug}")) == "miss"


def _page_keys(cache) -> set:
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client()
        return set(client.scan_iter(match="*public-page:*"))
    return {key for key in cache._cache if "public-page:" in key}


@pytest.mark.django_db
def test_each_language_has_its_own_copy(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").get("Content-Language") == "en"
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert status(spanish) == "miss"
    assert spanish["Content-Language"] == "es"
    assert '<html lang="es">' in spanish.content.decode()


@pytest.mark.django_db
def test_logged_in_visitors_never_get_or_fill_the_cache(client, resident):
    client.get("/")
    client.force_login(resident)
    response = client.get("/")
    assert status(response) is None
    assert "Log out" in response.content.decode()
    client.logout()
    assert status(client.get("/")) == "hit"


@pytest.mark.django_db
def test_publishing_an_alert_shows_on_the_next_anonymous_visit(
    client, officer, neighbourhood, django_capture_on_commit_callbacks
):
    from alerts.services import alert_publish

    assert status(client.get("/")) == "miss"
    assert status(client.get("/")) == "hit"
    alert = make_alert(created_by=officer, city_wide=True, headline="Water main break on Oak Avenue")
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)
    response = client.get("/")
    assert status(response) == "miss"
    assert "Water main break on Oak Avenue" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_invalidates_only_when_its_transaction_commits(client):
    from django.db import transaction

    client.get("/")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        bump_cache_version("alerts")
        raise Abort
    assert status(client.get("/")) == "hit"
    with transaction.atomic():
        bump_cache_version("alerts")
    assert status(client.get("/")) == "miss"


@pytest.mark.django_db
def test_a_lost_version_number_never_revives_an_old_copy(client):
    from django.core.cache import cache

    client.get("/")
    cache.delete("public-page-version:alerts")
    assert status(client.get("/")) == "miss"
    assert status(client.get("/")) == "hit"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_page_with_a_csrf_token_is_never_cached(client):
    first = client.get("/form/").content.decode()
    second = client.get("/form/")
    assert status(second) is None
    assert "csrfmiddlewaretoken" in first


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_page_that_sets_a_cookie_is_never_cached(client):
    client.get("/cookie/")
    response = client.get("/cookie/")
    assert status(response) is None
    assert response.cookies["visited"].value == "yes"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_visit_with_pending_messages_renders_them_instead_of_the_cached_page(client):
    client.get("/")
    assert status(client.get("/")) == "hit"
    client.get("/message/")
    response = client.get("/")
    assert status(response) is None
    assert "Thanks for visiting" in response.content.decode()
    assert status(client.get("/")) == "hit"


@pytest.mark.django_db
def test_a_post_is_neither_served_from_nor_stored_in_the_cache(client):
    client.get("/")
    response = client.post("/")
    assert response.status_code == 405
    assert status(response) is None


@pytest.mark.django_db
def test_errors_are_not_cached(client):
    client.get("/alerts/no-such-alert/")
    assert status(client.get("/alerts/no-such-alert/")) is None


@pytest.mark.redis
@pytest.mark.django_db
def test_pages_are_shared_between_processes_through_redis(client, settings):
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "portal.cache_backend.ResilientRedisCache"
    client.get("/")
    keys = list(cache._cache.get_client().scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*public-page:*"))
    assert keys


# --- Each app's public pages ----------------------------------------------------------------


@pytest.fixture
def public_content(officer, neighbourhood):
    meeting = make_meeting(title="Riverside town hall", capacity=50, neighbourhood=neighbourhood)
    program = make_program(title="Citizen Police Academy", capacity=10)
    alert = make_alert(created_by=officer, city_wide=True, headline="Boil water notice")
    from alerts.services import alert_publish

    alert_publish(actor=officer, alert=alert)
    return {"meeting": meeting, "program": program, "alert": alert}


def public_urls(content) -> list[str]:
    return [
        "/",
        "/meetings/",
        "/meetings/calendar/",
        f"/meetings/{content['meeting'].slug}/",
        "/programs/",
        f"/programs/{content['program'].slug}/",
        "/alerts/",
        f"/alerts/{content['alert'].code}/",
    ]


@pytest.mark.django_db
def test_every_public_list_and_detail_page_is_served_from_the_cache(client, public_content):
    for url in public_urls(public_content):
        assert status(client.get(url)) == "miss", url
        assert status(client.get(url)) == "hit", url


@pytest.mark.django_db
def test_an_officer_editing_a_meeting_shows_on_the_next_visit(
    client, officer, public_content, django_capture_on_commit_callbacks
):
    from meetings.services import meeting_save

    meeting = public_content["meeting"]
    for url in ("/meetings/", f"/meetings/{meeting.slug}/"):
        client.get(url)
    meeting.title = "Riverside town hall (moved to the library)"
    with django_capture_on_commit_callbacks(execute=True):
        meeting_save(meeting=meeting, actor=officer)
    for url in ("/meetings/", f"/meetings/{meeting.slug}/"):
        response = client.get(url)
        assert status(response) == "miss"
        assert "moved to the library" in response.content.decode()
    # Other apps' pages stay cached.
    client.get("/programs/")
    assert status(client.get("/programs/")) == "hit"


@pytest.mark.django_db
def test_an_rsvp_updates_the_seats_left_that_visitors_see(
    client, resident, public_content, django_capture_on_commit_callbacks
):
    from meetings.services import rsvp_create

    meeting = public_content["meeting"]
    assert "50 of 50 seats left" in client.get(f"/meetings/{meeting.slug}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=meeting, user=resident)
    assert "49 of 50 seats left" in client.get(f"/meetings/{meeting.slug}/").content.decode()


@pytest.mark.django_db
def test_an_officer_editing_a_program_in_the_admin_shows_on_the_next_visit(
    client, public_content, django_capture_on_commit_callbacks
):
    program = public_content["program"]
    client.get("/programs/")
    client.get(f"/programs/{program.slug}/")
    # What the admin's change form does: a plain save of the edited program.
    program.title = "Citizen Police Academy: spring cohort"
    with django_capture_on_commit_callbacks(execute=True):
        program.save()
    for url in ("/programs/", f"/programs/{program.slug}/"):
        response = client.get(url)
        assert status(response) == "miss"
        assert "spring cohort" in response.content.decode()


@pytest.mark.django_db
def test_an_application_updates_the_seats_left_that_visitors_see(
    client, resident, public_content, django_capture_on_commit_callbacks
):
    from programs.services import application_submit

    program = public_content["program"]
    assert "10 seats left" in client.get("/programs/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(program=program, applicant=resident)
    assert "9 seats left" in client.get("/programs/").content.decode()


@pytest.mark.django_db
def test_cancelling_an_alert_shows_on_its_pages_at_once(
    client, officer, public_content, django_capture_on_commit_callbacks
):
    from alerts.services import alert_cancel

    alert = public_content["alert"]
    for url in ("/alerts/", f"/alerts/{alert.code}/", "/"):
        assert "Boil water notice" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        alert_cancel(actor=officer, alert=alert, note="The water is safe again.")
    assert "Boil water notice" not in client.get("/").content.decode()
    assert status(client.get(f"/alerts/{alert.code}/")) == "miss"

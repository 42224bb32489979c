"""A resident's "my programs" page comes from the cache, with their own CSRF token and fresh data."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.cache import CACHE_STATUS_HEADER
from programs import services
from programs.models import Application
from tests.programs.conftest import apply_as_minor, give_consent, make_program

pytestmark = pytest.mark.django_db
MINE = "/programs/mine/"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    # The suite turns whole-page caching off (tests/settings.py); these tests are about it.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120


@pytest.fixture
def application(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.application_submit(program=make_program(title="Citizen Police Academy"), applicant=resident)


def logged_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_tokens(response) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()))


def test_the_second_visit_is_served_from_the_cache_without_loading_the_user(resident, application):
    client = logged_in(resident)
    first = client.get(MINE)
    assert first[CACHE_STATUS_HEADER] == "miss"

    with CaptureQueriesContext(connection) as queries:
        second = client.get(MINE)

    assert second[CACHE_STATUS_HEADER] == "hit"
    # At most the session (from the database when there is no Redis): not even the user.
    assert [query["sql"] for query in queries.captured_queries if "django_session" not in query["sql"]] == []
    # The headers every page gets are there too.
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"
    assert "Citizen Police Academy" in second.content.decode()
    assert "\x00" not in second.content.decode()


def test_a_cached_copy_carries_each_browsers_own_csrf_token_and_its_forms_work(
    resident, application, django_capture_on_commit_callbacks
):
    laptop, phone = logged_in(resident), logged_in(resident)
    laptop.get(MINE)

    served = phone.get(MINE)

    assert served[CACHE_STATUS_HEADER] == "hit"
    [token] = csrf_tokens(served)  # one token, in every form on the page (log-out and withdraw)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = phone.post(f"/programs/mine/{application.code}/withdraw/", {"csrfmiddlewaretoken": token})
    assert withdrawn.status_code == 302  # not 403: the token matches the phone's own cookie
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_a_change_to_an_application_shows_at_the_next_visit(resident, application, django_capture_on_commit_callbacks):
    client = logged_in(resident)
    client.get(MINE)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=application, user=resident)

    after = client.get(MINE)

    assert after[CACHE_STATUS_HEADER] == "miss"
    assert "Withdrawn" in after.content.decode()


def test_each_resident_gets_their_own_page(resident, other_resident, application):
    logged_in(resident).get(MINE)

    theirs = logged_in(other_resident).get(MINE)

    assert theirs[CACHE_STATUS_HEADER] == "miss"
    assert "Citizen Police Academy" not in theirs.content.decode()


def test_saving_the_resident_or_their_profile_renders_the_page_afresh(
    resident, application, neighbourhood, django_capture_on_commit_callbacks
):
    client = logged_in(resident)
    client.get(MINE)
    with django_capture_on_commit_callbacks(execute=True):
        resident.profile.home_neighbourhood = neighbourhood  # it picks the safety alerts in the banner
        resident.profile.save()
    assert client.get(MINE)[CACHE_STATUS_HEADER] == "miss"

    with django_capture_on_commit_callbacks(execute=True):
        resident.first_name = "Alicia"
        resident.save()
    assert client.get(MINE)[CACHE_STATUS_HEADER] == "miss"


def test_a_session_ended_by_a_password_change_gets_no_cached_copy(
    resident, application, django_capture_on_commit_callbacks
):
    client = logged_in(resident)
    client.get(MINE)
    assert client.get(MINE)[CACHE_STATUS_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        resident.set_password("a-new-and-long-passphrase")
        resident.save()

    response = client.get(MINE)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_visit_with_pending_messages_is_rendered_not_served(
    resident, application, django_capture_on_commit_callbacks
):
    client = logged_in(resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=application, user=resident)
    client.get(MINE)
    assert client.get(MINE)[CACHE_STATUS_HEADER] == "hit"

    # Withdrawing again changes nothing but leaves an error message for the next page.
    [token] = csrf_tokens(client.get(MINE))
    client.post(f"/programs/mine/{application.code}/withdraw/", {"csrfmiddlewaretoken": token})
    response = client.get(MINE)

    assert CACHE_STATUS_HEADER not in response
    assert "can no longer be withdrawn" in response.content.decode()


def test_a_staff_members_page_is_not_kept(officer):
    client = logged_in(officer)
    client.get(MINE)

    assert CACHE_STATUS_HEADER not in client.get(MINE)


def test_a_change_committed_after_the_user_is_loaded_leaves_that_copy_stale(
    resident, application, monkeypatch, django_capture_on_commit_callbacks
):
    from portal.middleware import StaffAccountMiddleware

    real = StaffAccountMiddleware.__call__

    def profile_changes_meanwhile(self, request):
        request.user.pk  # noqa: B018 (the user is loaded and checked by now)
        with django_capture_on_commit_callbacks(execute=True):
            resident.profile.save()
        return real(self, request)

    monkeypatch.setattr(StaffAccountMiddleware, "__call__", profile_changes_meanwhile)
    client = logged_in(resident)
    client.get(MINE)
    monkeypatch.setattr(StaffAccountMiddleware, "__call__", real)

    # The copy was stored under the versions read before the user was loaded, so it is stale.
    assert client.get(MINE)[CACHE_STATUS_HEADER] == "miss"


def test_no_copy_is_served_once_the_cache_is_turned_off(resident, application, settings):
    client = logged_in(resident)
    client.get(MINE)
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0

    assert CACHE_STATUS_HEADER not in client.get(MINE)


def test_head_is_answered_by_the_view_not_the_cache(resident, application):
    client = logged_in(resident)
    client.get(MINE)

    assert client.head(MINE).status_code == 405  # the page is GET only, cached or not


def test_a_resident_promoted_to_staff_or_deactivated_gets_no_copy(
    resident, application, django_capture_on_commit_callbacks
):
    client = logged_in(resident)
    client.get(MINE)
    with django_capture_on_commit_callbacks(execute=True):
        resident.is_staff = True
        resident.save()
    assert CACHE_STATUS_HEADER not in client.get(MINE)  # rendered, and staff pages are not kept

    with django_capture_on_commit_callbacks(execute=True):
        resident.is_staff = False
        resident.save()
    client.get(MINE)
    with django_capture_on_commit_callbacks(execute=True):
        resident.is_active = False
        resident.save()
    assert client.get(MINE).status_code == 302


def test_a_logged_out_session_cookie_replayed_gets_no_copy(resident, application):
    client = logged_in(resident)
    client.get(MINE)
    cookie = client.cookies["sessionid"].value
    client.logout()  # flushes the session from the store, as logging out does

    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get(MINE)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_guardians_consent_shows_at_the_next_visit(resident, django_capture_on_commit_callbacks):
    program = make_program(title="Youth Cadets", kind="youth", min_age=12, max_age=17, requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        application = apply_as_minor(program, resident)
    client = logged_in(resident)
    assert "Waiting for your guardian" in client.get(MINE).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        give_consent(application)

    after = client.get(MINE)
    assert after[CACHE_STATUS_HEADER] == "miss"
    assert "Waiting for your guardian" not in after.content.decode()

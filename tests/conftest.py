"""Shared fixtures: the usual people, service gates, and a real browser."""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from accounts.roles import OFFICERS, TIP_REVIEWERS
from neighbourhoods.models import Neighbourhood

REQUIRE_SERVICES = os.environ.get("PRECINCT_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery-staple"


def _unavailable(reason: str) -> None:
    """Skip a test whose service is missing, except in CI, where every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PRECINCT_REQUIRE_SERVICES=1: CI must run this test)")
    pytest.skip(reason)


def _redis_reachable() -> bool:
    from django.conf import settings

    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _service_gates(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis") and not _redis_reachable():
        _unavailable("needs Redis: set REDIS_URL=redis://… to a running server")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _unavailable(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test starts with an empty cache (rate limits, cached pages), without touching the
    keys of other test processes that share the Redis database."""
    from django.core.cache import cache

    if settings.REDIS_URL:
        # A Redis call that timed out in an earlier test (a busy machine) makes the backend skip
        # Redis for a few seconds: each test starts with it asking Redis again.
        cache._down_until = 0.0
        client = cache._cache.get_client(write=True)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    else:
        cache.clear()


def _forget_broker_connections() -> None:
    from portal.celery import app as celery_app

    # Pooled connections and the producer pool (kept on app.amqp) remember the broker they
    # were made for; drop both so the next task goes where the configuration now says.
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@pytest.fixture
def celery_broker(monkeypatch, settings):
    """Make tasks really go through a broker (not eager) for one test: ``celery_broker(url)``.

    Takes ``default_queue`` so parallel test processes never consume each other's tasks.
    """
    from portal.celery import app as celery_app

    def point_at(url: str, *, default_queue: str | None = None) -> None:
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_transport_options", settings.REDIS_BROKER_TRANSPORT_OPTIONS)
        if default_queue:
            monkeypatch.setitem(celery_app.conf, "task_default_queue", default_queue)
        _forget_broker_connections()

    yield point_at
    _forget_broker_connections()


def make_user(email: str, *, verified: bool = True, **extra):
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


@pytest.fixture
def neighbourhood(db):
    return Neighbourhood.objects.create(name="Riverside", slug="riverside")


@pytest.fixture
def other_neighbourhood(db):
    return Neighbourhood.objects.create(name="Old Town", slug="old-town")


@pytest.fixture
def resident(db):
    return make_user("alice@example.com", first_name="Alice")


@pytest.fixture
def other_resident(db):
    return make_user("bob@example.com", first_name="Bob")


@pytest.fixture
def officer(db):
    user = make_user("officer.charlie@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


@pytest.fixture
def tip_reviewer(db):
    user = make_user("reviewer.dana@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS), Group.objects.get(name=TIP_REVIEWERS))
    return user


def enrol_totp(user) -> str:
    """Give a staff member the authenticator app the officers' desk requires; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def desk_client_for(user):
    """A client logged in as ``user`` with a second factor set up, so the admin opens."""
    from django.test import Client

    enrol_totp(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk_client(officer):
    """An officer at the officers' desk (the admin)."""
    return desk_client_for(officer)


@pytest.fixture
def anonymous_client(client):
    """A visitor with no account and no session."""
    return client


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


# --- Real browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        _unavailable(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # beside it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()

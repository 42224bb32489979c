"""Whole-page caching of anonymous public pages, invalidated by namespace versions.

A view decorated with ``@cache_public_page("meetings")`` serves anonymous GETs from
the cache, keyed by path, the query parameters it reads, language and release; each stored page
remembers the version of every namespace it names. A service that changes what such
pages show calls ``bump_cache_version("meetings")`` inside its transaction; the new
version takes effect when the transaction commits, and from then on every stored page
of that namespace no longer matches and is rendered afresh at its next visit. Nothing
is deleted by pattern, so invalidation is one cache write however many pages were
cached, and a visit costs one round trip to Redis (versions and page together).

Which writes bump which namespace is declared once, in ``PUBLIC_PAGE_SOURCES``: every
committed save or delete of those models bumps it (``watch_public_page_sources``), so
an officer's edit in the admin, an inline, an admin action and a resident's application
(which changes a program's seats left) all invalidate alike, and no service can forget to. Writes that
bypass model signals (``QuerySet.update``, ``bulk_create``) must call
``bump_cache_version`` themselves when they change what a public page shows.

Fast-changing numbers (seats left, question votes) are in namespaces of their own,
``PUBLIC_PAGE_COUNT_SOURCES``, which a write moves on at most once per
``PUBLIC_PAGE_COUNTS_SECONDS``: their version is the number of that time window, so a hundred
votes in a window invalidate the section's pages once, not a hundred times. A page rendered
while such a window was open is kept only until the window closes, so the numbers it shows are
never more than ``PUBLIC_PAGE_COUNTS_SECONDS`` behind (and a resident flipping a vote cannot keep
the section's cache empty).

A page is keyed by its path and by the query parameters its view reads (``query=``), nothing
else: any other parameter is dropped before the view sees it, so ``?x=1``, ``?x=2``… are one
page, not a new cache entry each. A view that meets a value it does not accept (an unknown
neighbourhood, page 999) calls ``keep_out_of_cache(request)`` (or
``keep_out_of_cache_unless_page``), so only canonical addresses fill the cache.

``PUBLIC_PAGE_CACHE_SECONDS`` is the longest a page is kept; 0 turns the cache off (the
test suite does, except where it tests the cache: a test's transaction never commits).

A logged-in resident's page about their own things ("my programs") is kept the same way by
``@cache_own_page``, once per user and session, also invalidated by the user's own version
(bumped by any save of the user or their profile), and served by ``OwnPageCacheMiddleware``
before the user is even loaded; its CSRF token is put in at each visit.

What is never cached by ``cache_public_page``: requests of logged-in users, anything but GET/HEAD, requests
with pending messages, responses other than 200, responses that set a cookie, and
responses that used the CSRF token (a page with a form) — a cached page must be the
same for every anonymous visitor and must never carry one visitor's token.
"""

import functools
import hashlib
import math
import re
import secrets
import time

from django.apps import apps
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages import get_messages
from django.contrib.messages.storage import default_storage as default_message_storage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import translation

# Headers worth keeping with a cached page; the rest (CSP, HSTS, Vary…) are added per request.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition")
CACHE_STATUS_HEADER = "X-Precinct-Cache"


def _version_key(namespace: str) -> str:
    return f"public-page-version:{namespace}"


def _new_version() -> str:
    # Never used before, so a page stored under a lost or older version can never match it (the
    # random part keeps two bumps apart even within one clock tick, or under a frozen test clock).
    return f"{time.time_ns()}-{secrets.token_hex(4)}"


def bump_cache_version(*namespaces: str) -> None:
    """Invalidate every cached page of ``namespaces`` once the current transaction commits."""

    def bump() -> None:
        cache.set_many({_version_key(namespace): _new_version() for namespace in namespaces}, timeout=None)

    transaction.on_commit(bump)


# namespace -> the models whose rows its pages show (seat counts included).
PUBLIC_PAGE_SOURCES = {
    "meetings": [
        "meetings.Meeting",
        "meetings.AgendaItem",
        "meetings.Question",
        "meetings.FeedbackResponse",
        # A drill's plan and debrief summary, a walk's link to its report: on the meeting page.
        "audits.DrillPlan",
        "audits.DebriefAnswer",
        "audits.AuditWalk",
        "audits.ChecklistTemplate",
        "neighbourhoods.Neighbourhood",
        # The meeting page shows the actions that came out of it.
        "actions.ActionItem",
    ],
    "programs": [
        "programs.Program",
        "programs.ProgramSession",
        "programs.Application",
        "programs.GuardianConsent",
        "neighbourhoods.Neighbourhood",
    ],
    "alerts": ["alerts.Alert", "alerts.AlertRevision", "neighbourhoods.Neighbourhood"],
    "newsletters": ["newsletters.Newsletter"],
    # The home page's watch groups (a liaison's new display name shows within PUBLIC_PAGE_CACHE_SECONDS).
    "watch": ["watch.WatchGroup", "neighbourhoods.Neighbourhood"],
    "actions": ["actions.ActionItem", "actions.ActionUpdate", "neighbourhoods.Neighbourhood"],
    # The safety-audit reports (with "meetings" and "actions": the walk's meeting, its actions' status).
    "audits": ["audits.Finding", "audits.ChecklistAnswer", "audits.ChecklistItem", "audits.ChecklistTemplate"],
}


# namespace -> models whose writes change only numbers its pages show (seats left, votes): their
# version moves on at most once per PUBLIC_PAGE_COUNTS_SECONDS (see the module docstring).
PUBLIC_PAGE_COUNT_SOURCES = {
    "meeting-counts": ["meetings.Rsvp", "meetings.QuestionVote"],
}


def _now() -> float:
    return time.time()


def _counts_window(now: float) -> int:
    return int(now // settings.PUBLIC_PAGE_COUNTS_SECONDS)


def _counts_version(window: int) -> str:
    return f"window-{window}"


def _bump_counts_on_write(namespace: str, sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return

    def bump() -> None:
        # Every write of a window sets the same value: only the first one invalidates pages.
        cache.set(_version_key(namespace), _counts_version(_counts_window(_now())), timeout=None)

    transaction.on_commit(bump)


def _counts_fresh_until(versions: dict[str, str | None], read_at: float) -> float | None:
    """When a page made from ``versions`` (read at ``read_at``) may show numbers older than
    ``PUBLIC_PAGE_COUNTS_SECONDS``: the end of the window of the last change, if the page was
    rendered before that window closed (a later write of the same window sets no new version)."""
    until = None
    for namespace, version in versions.items():
        if namespace not in PUBLIC_PAGE_COUNT_SOURCES or not (version or "").startswith("window-"):
            continue
        window_end = (int(version.removeprefix("window-")) + 1) * settings.PUBLIC_PAGE_COUNTS_SECONDS
        if read_at < window_end:
            until = window_end if until is None else min(until, window_end)
    return until


# model -> the field naming the user whose own pages its rows appear on (name, staff flag, the
# areas that pick the alert banner, and the session auth hash that a password change changes).
OWN_PAGE_SOURCES = {
    settings.AUTH_USER_MODEL: "pk",
    "accounts.Profile": "user_id",
    "newsletters.Subscription": "user_id",
}


def own_pages_namespace(user_id: int) -> str:
    return f"user:{user_id}"


def watch_public_page_sources() -> None:
    """Connect the bump of each namespace to the saves and deletes of its models (called once, at start-up)."""
    for namespace, labels in PUBLIC_PAGE_SOURCES.items():
        for label in labels:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(
                    functools.partial(_bump_on_write, namespace),
                    sender=model,
                    weak=False,
                    dispatch_uid=f"public-page:{namespace}:{label}:{id(signal)}",
                )

    for namespace, labels in PUBLIC_PAGE_COUNT_SOURCES.items():
        for label in labels:
            for signal in (post_save, post_delete):
                signal.connect(
                    functools.partial(_bump_counts_on_write, namespace),
                    sender=apps.get_model(label),
                    weak=False,
                    dispatch_uid=f"public-page-counts:{namespace}:{label}:{id(signal)}",
                )

    for label, field in OWN_PAGE_SOURCES.items():
        for signal in (post_save, post_delete):
            signal.connect(
                functools.partial(_bump_own_pages_on_write, field),
                sender=apps.get_model(label),
                weak=False,
                dispatch_uid=f"own-pages:{label}:{id(signal)}",
            )


def _bump_own_pages_on_write(field: str, sender, instance, **kwargs) -> None:
    user_id = getattr(instance, field)
    if not kwargs.get("raw") and user_id is not None:  # a subscription without an account has no pages
        bump_cache_version(own_pages_namespace(user_id))


def _bump_on_write(namespace: str, sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    bump_cache_version(namespace)


def _release() -> str:
    """Changes with each release's static files, so no page outlives the stylesheet it links to."""
    return getattr(staticfiles_storage, "manifest_hash", "") or "dev"


def _page_key(request: HttpRequest, kind: str = "public-page") -> str:
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{kind}:{_release()}:{translation.get_language()}:{address}"


def _read_query(request: HttpRequest, names: tuple[str, ...]) -> QueryDict:
    """The parameters ``names`` of the query string, one value each (the last, as ``GET.get``
    reads it), empty ones dropped, in a fixed order: what the view sees and the page is keyed by."""
    query = QueryDict(mutable=True)
    for name in sorted(names):
        value = request.GET.get(name, "")
        if value:
            query[name] = value
    query._mutable = False
    return query


def keep_out_of_cache(request: HttpRequest) -> None:
    """Called by a view whose query it does not accept as given (an unknown choice, a page out of
    range): the page is still answered but not kept, so junk addresses cannot fill the cache."""
    request._public_page_not_kept = True


def keep_out_of_cache_unless_page(request: HttpRequest, page) -> None:
    """For a paginated view: keep the page only if the ``page`` parameter asked for is the page
    shown (not "abc", "007" or 999 clamped to the last page)."""
    asked = request.GET.get("page")
    if asked is not None and asked != str(page.number):
        keep_out_of_cache(request)


def _public_page_key(request: HttpRequest) -> str:
    address = hashlib.sha256(f"{request.path}?{request.GET.urlencode()}".encode()).hexdigest()
    return f"public-page:{_release()}:{translation.get_language()}:{address}"


def cache_versions(namespaces: tuple[str, ...]) -> dict[str, str | None]:
    """The current version of each namespace (None only while the cache is unreachable)."""
    return _versions_in(cache.get_many([_version_key(namespace) for namespace in namespaces]), namespaces)


def _versions_in(found: dict, namespaces: tuple[str, ...]) -> dict[str, str | None]:
    versions = {}
    for namespace in namespaces:
        key = _version_key(namespace)
        if key not in found:
            # Lost (or never set): start a fresh one; add() keeps the first of two racing processes.
            cache.add(key, _new_version(), timeout=None)
            found[key] = cache.get(key)
        versions[namespace] = found[key]
    return versions


def _lookup(page_key: str, namespaces: tuple[str, ...]) -> tuple[dict[str, str | None], tuple | None]:
    """Current namespace versions and the stored page if it was made under exactly those, in one round trip."""
    found = cache.get_many([*(_version_key(namespace) for namespace in namespaces), page_key])
    versions = _versions_in(found, namespaces)
    stored = found.get(page_key)
    if stored is None or None in versions.values() or stored[0] != versions:
        return versions, None
    if len(stored) > 3 and stored[3] is not None and _now() >= stored[3]:
        return versions, None  # its numbers may be older than PUBLIC_PAGE_COUNTS_SECONDS
    return versions, stored


def _cacheable_request(request: HttpRequest, *, logged_in: bool = False) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.user.is_authenticated == logged_in
        # Looking does not consume the messages: the page still shows them.
        and not len(get_messages(request))
    )


def _cacheable_response(request: HttpRequest, response: HttpResponse, *, csrf_put_in: bool = False) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and (csrf_put_in or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        and not response.has_header("Cache-Control")
    )


def _served(stored: tuple, content: bytes) -> HttpResponse:
    response = HttpResponse(content, headers=stored[2])
    response[CACHE_STATUS_HEADER] = "hit"
    return response


def _rendered(response: HttpResponse) -> HttpResponse:
    if hasattr(response, "render") and callable(response.render):
        return response.render()
    return response


def _kept_headers(response: HttpResponse) -> dict[str, str]:
    return {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}


def cache_public_page(*namespaces: str, query: tuple[str, ...] = (), timeout: int | None = None):
    """Serve anonymous GETs of the decorated view from the cache; see the module docstring.

    ``query`` names the query parameters the view reads; the view sees no others.
    """
    if not namespaces:
        raise ValueError("cache_public_page needs at least one namespace.")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # For every visitor alike, so a view cannot come to depend on a parameter the key ignores.
            request.GET = _read_query(request, query)
            seconds = timeout if timeout is not None else settings.PUBLIC_PAGE_CACHE_SECONDS
            if not seconds or not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _public_page_key(request)
            read_at = _now()
            versions, stored = _lookup(key, namespaces)
            if stored is not None:
                return _served(stored, stored[1])
            response = _rendered(view(request, *args, **kwargs))
            if (
                _cacheable_response(request, response)
                and None not in versions.values()
                and not getattr(request, "_public_page_not_kept", False)
            ):
                fresh_until = _counts_fresh_until(versions, read_at)
                kept = seconds if fresh_until is None else min(seconds, max(1, math.ceil(fresh_until - _now())))
                cache.set(key, (versions, response.content, _kept_headers(response), fresh_until), timeout=kept)
                response[CACHE_STATUS_HEADER] = "miss"
            return response

        return wrapped

    return decorator


_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# NUL never occurs in a rendered page.
_CSRF_PLACEHOLDER = b"\x00csrf-token\x00"


def _without_csrf_token(content: bytes) -> bytes | None:
    """``content`` with its CSRF token replaced by a placeholder; None if it holds several tokens."""
    tokens = set(_CSRF_FIELD.findall(content))
    if len(tokens) > 1:
        return None
    return content.replace(tokens.pop(), _CSRF_PLACEHOLDER) if tokens else content


def cache_own_page(*namespaces: str, timeout: int | None = None):
    """Keep a copy of the decorated page about a logged-in user's own things, for
    ``OwnPageCacheMiddleware`` to serve. Put it inside ``login_required``.

    A copy is kept per user, session auth hash, address and language, and is valid while
    ``namespaces`` and the user's own version (``OWN_PAGE_SOURCES``) are those the middleware
    read before the user was loaded. Its CSRF token is taken out before it is stored. Staff
    members' pages are not kept.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # Read by the middleware before authentication: a change to the user committed after
            # that (a password change, say) leaves this copy stale at once.
            versions = getattr(request, "_own_page_versions", None)
            if versions is None or not _cacheable_request(request, logged_in=True) or request.user.is_staff:
                return view(request, *args, **kwargs)
            response = _rendered(view(request, *args, **kwargs))
            if _cacheable_response(request, response, csrf_put_in=True) and None not in versions.values():
                content = _without_csrf_token(response.content)
                if content is not None:
                    seconds = timeout if timeout is not None else settings.PUBLIC_PAGE_CACHE_SECONDS
                    cache.set(_own_page_key(request), (versions, content, _kept_headers(response)), timeout=seconds)
                    response[CACHE_STATUS_HEADER] = "miss"
            return response

        wrapped.own_page_namespaces = namespaces
        wrapped.own_page_timeout = timeout
        return wrapped

    return decorator


def _own_page_key(request: HttpRequest) -> str:
    user_id, session_hash = request.session.get(SESSION_KEY), request.session.get(HASH_SESSION_KEY, "")
    # A new SECRET_KEY ends every session (the auth hash no longer matches): it ends their copies too.
    secret = hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:16]
    return _page_key(request, f"own-page:{secret}:{user_id}:{session_hash}")


class OwnPageCacheMiddleware:
    """Serve a page kept by ``cache_own_page`` before the user is loaded from the database.

    A copy is made for one session with a verified auth hash and stays valid only while nothing
    about its user has been saved since (a password change, a deactivation, a promotion to staff
    all save the user), so a hit is the page the full request would render. A change the copy
    misses (a ``QuerySet.update`` of users, which sends no signal, or Redis unreachable at the
    moment of the change) reaches it when it expires, after ``PUBLIC_PAGE_CACHE_SECONDS``.

    Comes after the session, locale and CSRF middleware (the key and token need them) and before
    authentication; what it skips on a hit (authentication, messages, allauth, staff sessions)
    has nothing to add to such a page: a visit with messages waiting is not served, nor is a
    staff member's. On a miss it leaves the versions it read for ``cache_own_page`` to store under.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._served_copy(request) or self.get_response(request)

    def _served_copy(self, request: HttpRequest) -> HttpResponse | None:
        # GET only: the views answer HEAD (and anything else) themselves.
        if request.method != "GET":
            return None
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return None
        namespaces = getattr(view, "own_page_namespaces", None)
        if namespaces is None:  # any other page: its session is not even read here
            return None
        seconds = getattr(view, "own_page_timeout", None)
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS if seconds is None else seconds
        if not seconds or SESSION_KEY not in request.session or len(default_message_storage(request)):
            return None
        user_namespace = own_pages_namespace(request.session[SESSION_KEY])
        versions, stored = _lookup(_own_page_key(request), (*namespaces, user_namespace))
        if stored is None:
            request._own_page_versions = versions
            return None
        return _served(stored, stored[1].replace(_CSRF_PLACEHOLDER, get_token(request).encode()))

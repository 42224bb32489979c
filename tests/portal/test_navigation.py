"""Every public page can be reached by following links from the home page, so a new section
cannot be left out of the navigation again; the header marks where the visitor is."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

# Parameterless URL names that are not pages a visitor browses to, each with the reason.
NOT_BROWSED = {
    "health-live": "a probe for the orchestrator",
    "health-ready": "a probe for the orchestrator",
    "admin-login": "sends to the log-in page",
    "admin-password-change": "sends to allauth's password change",
    "account_email_verification_sent": "shown after sign-up",
    "account_reset_password_done": "shown after asking for a reset link",
    "account_reset_password_from_key_done": "shown after a reset",
    "account_inactive": "shown when an inactive account logs in",
    "account_confirm_login_code": "a step of the log-in by code",
    "newsletters:subscribe-sent": "shown after subscribing",
    "newsletters:fresh-link": "offered on an expired link's page",
    "tips:follow-up-send": "the follow-up form's target",
    "mfa_authenticate": "a step of an officer's log-in",
    "mfa_reauthenticate": "a step of an officer's log-in",
    "account_reauthenticate": "asked for before a sensitive change",
}


def _parameterless_names(resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""):
    """(name, path) of every named URL without parameters, from the URLconf itself."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # the officers' desk is not public
            yield from _parameterless_names(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name and "<" not in route and "(?P" not in route:
            yield f"{namespace}{pattern.name}", route


def _public_pages(client) -> set[str]:
    """The names whose page an anonymous visitor can open: not POST-only (405), not behind log-in."""
    public = set()
    for name, _route in _parameterless_names():
        if name in NOT_BROWSED:
            continue
        response = client.get(reverse(name))
        if response.status_code == 200:
            public.add(name)
    return public


_LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]*)')


def _crawl(client, *, limit: int = 400) -> set[str]:
    seen_paths, reached = {"/"}, set()
    queue = deque(["/"])
    while queue and len(seen_paths) < limit:
        address = queue.popleft()
        response = client.get(address)
        if response.status_code != 200:
            continue
        reached.add(resolve(urlsplit(address).path).view_name)  # feeds and .ics files count as reached
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in _LINK.findall(response.content.decode()):
            target = urlsplit(urljoin(address, href.replace("&amp;", "&")))
            if (target.netloc and target.netloc != "testserver") or target.scheme not in ("", "http"):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            try:
                resolve(target.path)
            except Resolver404:
                continue
            if path not in seen_paths:
                seen_paths.add(path)
                queue.append(path)
    return reached


@pytest.mark.django_db
def test_every_public_page_is_reachable_by_links_from_the_home_page(client, neighbourhood):
    public = _public_pages(client)
    assert {"home", "alerts:list", "watch:list", "newsletters:subscribe", "tips:submit"} <= public
    reached = _crawl(client)
    missing = public - reached
    assert not missing, f"No link leads from the home page to: {sorted(missing)}"


def test_the_list_of_pages_not_browsed_names_only_real_urls():
    names = {name for name, _route in _parameterless_names()}
    assert set(NOT_BROWSED) - names == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "current"),
    [
        ("/programs/", 'href="/programs/" aria-current="page"'),
        ("/alerts/", 'href="/alerts/" aria-current="page"'),
        ("/watch/", 'href="/watch/" aria-current="page"'),
        ("/meetings/calendar/", 'href="/meetings/" aria-current="true"'),
        ("/newsletters/subscribe/", 'href="/newsletters/subscribe/" aria-current="page"'),
        ("/tips/", 'href="/tips/" aria-current="page"'),
    ],
)
def test_the_header_marks_the_current_section(client, address, current):
    nav = _site_nav(client.get(address).content.decode())
    assert current in nav
    assert nav.count("aria-current=") == 1


def _site_nav(content: str) -> str:
    start = content.index('class="site-nav"')
    return content[start : content.index("</nav>", start)]


@pytest.mark.django_db
def test_the_header_links_every_section(client):
    nav = _site_nav(client.get("/").content.decode())
    for label in ("Programs", "Meetings", "Alerts", "Neighbourhood Watch", "Send a tip", "Subscribe"):
        assert f">{label}</a>" in nav

import re
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.language import LANGUAGE_QUERY_PARAMETER, language_choices

# The header's sections, in order: (URL namespace or name, URL name linked, label). The crawl test
# (tests/portal/test_navigation.py) fails when a public page cannot be reached from the home page,
# so a new section is added here.
NAV_SECTIONS = [
    ("programs", "programs:list", _("Programs")),
    ("meetings", "meetings:list", _("Meetings")),
    ("alerts", "alerts:list", _("Alerts")),
    ("watch", "watch:list", _("Neighbourhood Watch")),
    ("actions", "actions:list", _("Action plans")),
    ("audits", "audits:list", _("Safety audits")),
    ("transparency", "transparency:dashboard", _("How we're doing")),
    ("tips", "tips:submit", _("Send a tip")),
    ("newsletters", "newsletters:subscribe", _("Subscribe")),
]


# The layout's other links (base.html), by the name the template reads them under (with
# "stylesheet" and "favicon", its static files).
LAYOUT_URL_NAMES = {
    "home": "home",
    "set_language": "set_language",
    "my_programs": "programs:mine",
    "profile": "accounts:profile",
    "activity": "accounts:activity",
    "desk": "admin:index",
    "logout": "account_logout",
    "login": "account_login",
    "signup": "account_signup",
    "contact": "contact",
    "transparency": "transparency:dashboard",
    "open_data": "transparency:open-data",
}


@lru_cache(maxsize=16)
def _layout_urls(urlconf: str, script_prefix: str) -> tuple[dict, list]:
    """The layout's URLs and the sections' (name, URL, label), reversed once per process: they
    change only with a deploy (or a script prefix, part of the key). About 20 reverse() calls a
    page before; the header and footer were a fifth of an uncached page's layout."""
    sections = [(url_name, section, reverse(url_name, urlconf), label) for section, url_name, label in NAV_SECTIONS]
    urls = {key: reverse(name, urlconf) for key, name in LAYOUT_URL_NAMES.items()}
    # Its static files' URLs too (a hashed name looked up in the manifest each time otherwise).
    urls.update(stylesheet=static("css/precinct.css"), favicon=static("img/favicon.svg"))
    return urls, sections


def _forget_layout_urls(**kwargs) -> None:
    _layout_urls.cache_clear()  # a test that changes the URLconf (or any setting) gets fresh URLs


setting_changed.connect(_forget_layout_urls)


def _tel(number: str) -> str:
    """A tel: URI's number: digits and a leading +, the visual separators dropped."""
    return re.sub(r"[^0-9+]", "", number)


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "EMERGENCY_TEL": _tel(settings.EMERGENCY_NUMBER),
        "NON_EMERGENCY_NUMBER": settings.NON_EMERGENCY_NUMBER,
        "NON_EMERGENCY_TEL": _tel(settings.NON_EMERGENCY_NUMBER),
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }


def navigation(request):
    """``layout_urls``: the header's and footer's other links, by name (``LAYOUT_URL_NAMES``).
    ``nav_sections``: the header's links, each with ``current`` ("page" on the section's own page,
    "true" elsewhere in the section, "" outside it) for ``aria-current``. Reads only the resolved
    URL: no session, so tip pages stay cookie-free."""
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    view_name = match.view_name if match else ""
    urls, nav = _layout_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    sections = []
    for url_name, section, url, label in nav:
        if view_name == url_name:
            current = "page"
        elif namespace == section:
            current = "true"
        else:
            current = ""
        sections.append({"url": url, "label": label, "current": current})
    current_language = translation.get_language()
    others = [{"code": code, "name": name} for code, name in language_choices() if code != current_language]
    query = request.GET.copy()
    asked = query.pop(LANGUAGE_QUERY_PARAMETER, [None])[-1]
    return {
        "layout_urls": urls,
        "nav_sections": sections,
        # The switcher's other languages, each named in itself.
        "language_switch": others,
        # Where it comes back to: this page, without a ?lang= that would override the choice.
        "language_next": f"{request.path}?{query.urlencode()}" if query else request.path,
        # Kept on the tip forms' targets, so the page after a post speaks the language chosen.
        "language_query": f"?{LANGUAGE_QUERY_PARAMETER}={asked}" if asked == current_language else "",
        # The tip pages' switcher: this page with ?lang=<code> (no cookie there).
        "language_links": [
            {**language, "url": f"{request.path}?{_with_language(query, language['code'])}"} for language in others
        ],
    }


def _with_language(query, code: str) -> str:
    query = query.copy()
    query[LANGUAGE_QUERY_PARAMETER] = code
    return query.urlencode()

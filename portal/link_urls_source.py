"""The source of portal/link_urls.py: the site's named URLs without their views.

A Celery worker reverses URLs for the links in its e-mails, and never resolves one. Reversing
against portal.urls would import every view module it names, with their forms, allauth's views and
WebAuthn's library: about 9 MB in each pool process, imported after the fork, so in each of them.
portal/link_urls.py has the same routes, names, namespaces and default arguments, pointing at one
view that is never served; the worker's pool processes reverse against it (portal/celery.py).
`manage.py build_link_urls` writes it; tests/portal/test_link_urls.py fails when it is stale.
"""

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

LINK_URLS_PATH = Path(__file__).resolve().parent / "link_urls.py"

# Routed only when DEBUG is on (portal/urls.py): never in a production worker's links.
DEVELOPMENT_URLCONF = "portal.dev_urls"

HEADER = '''"""Built from the site's URL configuration by `manage.py build_link_urls`: do not edit.

The named URLs of portal.urls (in production, DEBUG off) without their views, for reverse() in the
Celery worker's pool processes: see portal/link_urls_source.py."""

from django.http import HttpResponseNotFound
from django.urls import include, path, re_path


def unserved(request, *args, **kwargs):
    """Only for reverse(): these routes are never resolved."""
    return HttpResponseNotFound()


urlpatterns = [
'''


def _pattern(entry) -> str:
    """The call and route that make ``entry``'s own pattern: path("route" or re_path("regex"."""
    if isinstance(entry.pattern, RoutePattern):
        return f"path({entry.pattern._route!r}"
    if isinstance(entry.pattern, RegexPattern):
        return f"re_path({entry.pattern._regex!r}"
    raise ValueError(f"{entry!r}: a pattern of a kind link_urls does not copy")


def _literal(value: dict) -> str:
    # Default arguments take part in reverse(); only plain values can be written out and read back.
    text = repr(value)
    if ast.literal_eval(text) != value:
        raise ValueError(f"default arguments {value!r} are not plain values")
    return text


def _lines(patterns, depth: int):
    pad = "    " * depth
    for entry in patterns:
        kwargs = ""
        if isinstance(entry, URLResolver):
            if entry.urlconf_name == DEVELOPMENT_URLCONF:
                continue
            children = list(_lines(entry.url_patterns, depth + 1))
            if not children:
                continue
            if entry.default_kwargs:
                kwargs = f", {_literal(entry.default_kwargs)}"
            inner = "[\n" + "\n".join(children) + f"\n{pad}]"
            if entry.app_name:
                inner = f"({inner}, {entry.app_name!r}), namespace={entry.namespace!r}"
            yield f"{pad}{_pattern(entry)}, include({inner}){kwargs}),"
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.default_args:
                kwargs = f", {_literal(entry.default_args)}"
            yield f"{pad}{_pattern(entry)}, unserved{kwargs}, name={entry.name!r}),"


def link_urls_text() -> str:
    """portal/link_urls.py as the current URL configuration makes it."""
    return HEADER + "\n".join(_lines(get_resolver().url_patterns, 1)) + "\n]\n"

"""A real browser at the officers' desk: the demo data, its officer logged in, and the admin's pages."""

import contextlib
import importlib
import io

from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from portal import demo


def demo_officer():
    """Load the demo data (one of most things) and return its officer (second factor set up)."""
    # A browser test's database is emptied after each test, data migrations' rows with it: the tip
    # line's categories are made again as its migrations make them.
    for name, function in [
        ("0002_default_categories", "create_categories"),
        ("0006_content_translations", "translate_default_categories"),
    ]:
        getattr(importlib.import_module(f"tips.migrations.{name}"), function)(django_apps, None)
    call_command("load_demo_data", stdout=io.StringIO())
    return get_user_model().objects.get(email=demo.OFFICER_EMAIL)


def log_in(context, live_server, user) -> None:
    """Give the browser ``context`` a desk session for ``user`` (as the test client's force_login)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def officer_admin_urls(user) -> list[str]:
    """Every admin page ``user`` can open: the index, and for each registered model they may see its
    list, add page and one object's change page. Read from the admin registry, so a new model is in."""
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        request = _Request(user)
        if not model_admin.has_module_permission(request) or not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is None:
            continue
        with contextlib.suppress(NoReverseMatch):  # A list-only admin (the outbox) has no change page.
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        urls.extend(_own_pages(model_admin, first))
    return urls


STANDARD_PAGES = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete")


def _own_pages(model_admin, obj) -> list[str]:
    """The pages a ModelAdmin adds (check-in, feedback, attendance...) that take the object's id, or
    no argument; downloads (CSV, PDF) are left out: they are files, not pages."""
    pages = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None) or ""
        if not name or name.endswith(STANDARD_PAGES) or name.endswith(("_csv", "_pdf")):
            continue
        try:
            pages.append(reverse(f"admin:{name}", args=[obj.pk]))
        except NoReverseMatch:
            try:
                pages.append(reverse(f"admin:{name}"))
            except NoReverseMatch:
                continue  # Needs more than the object (a program session's attendance): see extra_pages.
    return pages


class _Request:
    """Just enough of a request for the admin's permission checks."""

    def __init__(self, user):
        self.user = user
        self.GET = {}
        self.method = "GET"

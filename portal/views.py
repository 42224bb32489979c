from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.cache import cache_public_page
from portal.celery import app as celery_app


@require_GET
@cache_public_page("home", "alerts")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def admin_login(request: HttpRequest) -> HttpResponse:
    """Sends the admin's log-in to allauth's, whose rate limits and second-factor step apply."""
    if request.user.is_authenticated:
        # Logged in but not staff (staff are let in by the admin itself): no log-in page helps.
        raise PermissionDenied
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not safe:
        target = reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """The process answers; touches neither the database nor the broker."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """Ready when the database answers a query and the broker accepts a connection."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    payload = {"status": "ok" if ready else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(payload, status=200 if ready else 503)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # Any failure means "not ready"; the probe reports it, it must not crash.
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True
    except Exception:  # As above: a readiness probe turns any broker failure into "down".
        return False


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: the error may be the database itself.
    context = {"EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER, "SITE_NAME": settings.SITE_NAME}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)

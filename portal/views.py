from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import LANGUAGE_QUERY_PARAMETER as LANGUAGE_QUERY_PARAMETER_FORM
from django.views.i18n import set_language as django_set_language

from accounts.language import is_supported_language, preferred_language_save
from accounts.selectors import profile_for
from neighbourhoods.models import Neighbourhood
from portal.cache import cache_public_page, keep_out_of_cache
from portal.celery import app as celery_app
from portal.middleware import on_tip_line
from portal.selectors import home_sections
from tips.http import sent_from_another_site

# The home page's choice "the whole city" for a resident, whose empty choice means their own neighbourhood.
WHOLE_CITY = "all"


@require_safe
@cache_public_page("home", "alerts", "meetings", "programs", "watch", query=("neighbourhood",))
def home(request: HttpRequest) -> HttpResponse:
    """A neighbourhood's front door: its alerts, next meetings, programs open for application,
    watch groups with their liaison officers, and the numbers to call.

    The neighbourhood is the one chosen on the page (``?neighbourhood=<slug>``), else the resident's
    home neighbourhood; anonymous pages are cached per neighbourhood and language. A fixed number
    of queries, whatever the number of rows.
    """
    neighbourhoods = list(Neighbourhood.objects.order_by("name"))
    chosen = None
    slug = request.GET.get("neighbourhood", "")
    whole_city = slug == WHOLE_CITY
    if whole_city:
        # A resident's way to look past their own neighbourhood; visitors have the empty choice.
        keep_out_of_cache(request)
    elif slug:
        chosen = next((n for n in neighbourhoods if n.slug == slug), None)
        if chosen is None:
            keep_out_of_cache(request)  # the city-wide page, said so, but not kept under this address
    elif request.user.is_authenticated:
        home_id = profile_for(request.user).home_neighbourhood_id
        chosen = next((n for n in neighbourhoods if n.pk == home_id), None)
    context = {
        "neighbourhoods": neighbourhoods,
        "chosen": chosen,
        "unknown_neighbourhood": bool(slug) and not whole_city and chosen is None,
        # A resident's "whole city" must be said out loud, or their own neighbourhood comes back.
        "whole_city_value": WHOLE_CITY if request.user.is_authenticated else "",
        **home_sections(neighbourhood=chosen),
    }
    return render(request, "portal/home.html", context)


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's ``set_language`` (the language cookie, then back to
    ``next``), and for a resident their one language setting too (profile and subscription).

    No CSRF token, so that the switcher in every page's header neither sets a CSRF cookie nor keeps
    public pages out of the cache; posts made by other sites are refused instead (the session
    cookie is SameSite=Lax, so such a post could at most change a visitor's language cookie).
    """
    if sent_from_another_site(request):
        raise PermissionDenied
    language = request.POST.get(LANGUAGE_QUERY_PARAMETER_FORM, "")
    if not is_supported_language(language):
        return render(request, "portal/language_unknown.html", status=400)
    response = django_set_language(request)
    if request.user.is_authenticated:
        preferred_language_save(user=request.user, language=language)
    return response


@require_safe
@cache_public_page("home")
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact.html")


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
@require_safe
def liveness(request: HttpRequest) -> JsonResponse:
    """The process answers; touches neither the database nor the broker."""
    return JsonResponse({"status": "ok"})


# Readiness checks run here, side by side, so a probe waits for neither a database nor a broker that
# does not answer. A check that hangs keeps its thread until its own timeouts end it; with every thread
# busy, later probes' checks wait in line and are reported down at the deadline, never piling up.
_readiness_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


@never_cache
@require_safe
def readiness(request: HttpRequest) -> JsonResponse:
    """Ready when the database answers a query and the broker accepts a connection, both within
    HEALTH_READY_TIMEOUT: a load balancer gets its 503 in time, whatever is down."""
    futures = {"database": _readiness_checks.submit(_database_ok), "broker": _readiness_checks.submit(_broker_ok)}
    done, _not_done = wait_for_futures(futures.values(), timeout=settings.HEALTH_READY_TIMEOUT)
    checks = {name: future in done and future.result() for name, future in futures.items()}
    ready = all(checks.values())
    payload = {"status": "ok" if ready else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(payload, status=200 if ready else 503)


def _database_ok() -> bool:
    # This thread's own connection, kept between probes as a request thread keeps its (CONN_MAX_AGE).
    close_old_connections()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # Any failure means "not ready"; the probe reports it, it must not crash.
        return False
    finally:
        close_old_connections()


def _broker_ok() -> bool:
    # Its own short socket timeouts: a hung broker frees the check's thread soon after the deadline.
    seconds = settings.HEALTH_READY_TIMEOUT
    try:
        with celery_app.connection_for_write(
            transport_options={"socket_connect_timeout": seconds, "socket_timeout": seconds}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=seconds)
        return True
    except Exception:  # As above: a readiness probe turns any broker failure into "down".
        return False


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if on_tip_line(request):
        # A mistyped tip-line address: like the tip pages, no session read, no cookie set.
        return render(request, "404_tip_line.html", {"messages": ()}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: the error may be the database itself.
    context = {"EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER, "SITE_NAME": settings.SITE_NAME}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)

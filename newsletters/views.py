import hmac
import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.language import preferred_language_save, remember_language
from accounts.selectors import language_for
from newsletters import links, rendering, selectors, services
from newsletters.forms import PreferencesForm, SubscribeForm
from newsletters.models import ConsentRecord, Subscription, Topic
from portal.cache import cache_public_page, keep_out_of_cache, keep_out_of_cache_unless_page
from portal.ratelimit import RateLimited, client_key, rate_limit_consume

logger = logging.getLogger(__name__)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletters/invalid_link.html", status=400)


def _address_or_refusal(request: HttpRequest, token: str, *, salt: str, max_age) -> str | HttpResponse:
    """The address a preferences or unsubscribe link is for, or the page that says why it does not work."""
    address = links.address_from_token(token, salt=salt, max_age=max_age)
    if address is not None:
        return address
    if links.address_from_expired_token(token, salt=salt) is not None:
        return _expired_link(request, token)
    return _invalid_link(request)


def _expired_link(request: HttpRequest, token: str, *, error: str = "", status: int = 410) -> HttpResponse:
    context = {"token": token, "error": error, "days": links.preferences_max_age().days}
    return render(request, "newsletters/expired_link.html", context, status=status)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("newsletters:preferences")
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Each request e-mails the address typed: one client may not make the portal mail address after
        # address (each address alone gets at most one confirmation an hour). Counted for every address
        # alike, so the answer still tells nothing about the address.
        try:
            rate_limit_consume(
                scope="newsletters.subscribe.client",
                key=client_key(request),
                limit=settings.NEWSLETTER_SUBSCRIBE_PER_CLIENT_LIMIT,
                period=settings.NEWSLETTER_SUBSCRIBE_PER_CLIENT_PERIOD,
            )
        except RateLimited as limited:
            form.add_error(None, limited.message)
            return render(request, "newsletters/subscribe.html", {"form": form}, status=429)
        request_subscription_later(
            email=form.cleaned_data["email"],
            topics=list(form.cleaned_data["topics"]),
            neighbourhood_ids=[neighbourhood.pk for neighbourhood in form.cleaned_data["neighbourhoods"]],
            language=form.cleaned_data["language"],
        )
        # The same answer, in the same time, whether the address is new, pending or subscribed: the
        # work that differs runs in a task.
        return redirect("newsletters:subscribe-sent")
    return render(request, "newsletters/subscribe.html", {"form": form})


@require_safe
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletters/subscribe_sent.html")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: link scanners that open every URL do not subscribe anyone."""
    address = links.address_from_token(token, salt=links.CONFIRM_SALT, max_age=links.CONFIRM_MAX_AGE)
    if address is None:
        return _invalid_link(request)
    if request.method == "POST":
        try:
            subscription = services.subscription_confirm(token=token)
        except services.SubscriptionError as error:
            messages.error(request, str(error))
            return redirect("newsletters:subscribe")
        messages.success(request, _("Thank you: your subscription is confirmed."))
        token = links.address_token(subscription.email, salt=links.PREFERENCES_SALT)
        return redirect("newsletters:preferences-token", token=token)
    return render(request, "newsletters/confirm.html", {"address": address})


def _preferences_page(request: HttpRequest, *, address: str, source: str, user=None, token: str | None = None):
    subscription = selectors.subscription_for_email(address) or Subscription(
        email=address,
        status=Subscription.Status.UNSUBSCRIBED,
        language=language_for(user) if user is not None else settings.LANGUAGE_CODE,
    )
    form = PreferencesForm.for_subscription(subscription, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.subscription_update(email=address, source=source, user=user, actor=user, **form.cleaned_data)
        messages.success(request, _("Your e-mail preferences were saved."))
        if user is None:
            return redirect(request.path)
        # A resident has one language: the e-mails' is the site's and the profile's too.
        preferred_language_save(user=user, language=form.cleaned_data["language"])
        return remember_language(redirect(request.path), form.cleaned_data["language"])
    context = {
        "form": form,
        "address": address,
        "subscription": subscription,
        "unsubscribe_url": links.unsubscribe_url(address) if token else None,
    }
    return render(request, "newsletters/preferences.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    return _preferences_page(
        request, address=request.user.email, user=request.user, source=ConsentRecord.Source.PREFERENCES
    )


@require_http_methods(["GET", "POST"])
def preferences_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same page, reached from any e-mail without logging in: the signed token names the address."""
    address = _address_or_refusal(request, token, salt=links.PREFERENCES_SALT, max_age=links.preferences_max_age())
    if isinstance(address, HttpResponse):
        return address
    return _preferences_page(request, address=address, source=ConsentRecord.Source.PREFERENCES, token=token)


# Mail clients send the RFC 8058 one-click POST with no cookie and no CSRF token; the signed
# token in the URL is what authorises it, and it can only unsubscribe.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    address = _address_or_refusal(request, token, salt=links.UNSUBSCRIBE_SALT, max_age=links.unsubscribe_max_age())
    if isinstance(address, HttpResponse):
        return address
    if request.method == "POST":
        services.subscription_unsubscribe(email=address, source=ConsentRecord.Source.UNSUBSCRIBE_LINK)
        context = {"address": address, "preferences_url": links.preferences_url(address)}
        return render(request, "newsletters/unsubscribed.html", context)
    return render(request, "newsletters/unsubscribe.html", {"address": address})


@require_POST
def fresh_link(request: HttpRequest) -> HttpResponse:
    """From an expired link's page: e-mail a fresh preferences link to the address the old one was for.

    Only that address ever gets it, so an old link someone else holds gives them nothing new.
    """
    token = request.POST.get("token", "")
    address = links.address_from_expired_token(token, salt=links.PREFERENCES_SALT) or links.address_from_expired_token(
        token, salt=links.UNSUBSCRIBE_SALT
    )
    if address is None:
        return _invalid_link(request)
    try:
        services.preferences_link_send(email=address)
    except RateLimited as limited:
        return _expired_link(request, token, error=limited.message, status=429)
    return render(request, "newsletters/fresh_link_sent.html")


@csrf_exempt
@require_POST
def bounce_webhook(request: HttpRequest) -> JsonResponse:
    """Bounce and complaint reports from the mail provider; see docs/newsletters.md for the JSON shape."""
    secret = settings.BOUNCE_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"error": "Bounce intake is not configured (BOUNCE_WEBHOOK_SECRET)."}, status=503)
    given = request.headers.get("X-Precinct-Secret", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": "Wrong or missing X-Precinct-Secret header."}, status=403)
    try:
        payload = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not valid JSON."}, status=400)
    try:
        counts = services.bounce_report_process(payload=payload)
    except services.SubscriptionError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(counts)


def request_subscription_later(*, email: str, topics: list[str], neighbourhood_ids: list[int], language: str) -> None:
    """Hand a subscription request to the worker; with the broker down, do it now rather than lose it."""
    from newsletters.tasks import request_subscription

    arguments = {"email": email, "topics": topics, "neighbourhood_ids": neighbourhood_ids, "language": language}
    try:
        request_subscription.apply_async(kwargs=arguments, retry=False)
    except Exception as exc:  # kombu and redis raise several types; all mean "broker unavailable".
        logger.warning("Broker unavailable, subscription request handled in the request: %s", exc)
        started = time.monotonic()
        services.subscription_request(email=email, topics=topics, neighbourhoods=neighbourhood_ids, language=language)
        # Done here, the work differs (a subscribed address is left alone, a new one is written and
        # mailed): padded to one fixed time, so the answer still does not tell which it was.
        time.sleep(max(0.0, settings.NEWSLETTER_SUBSCRIBE_INLINE_SECONDS - (time.monotonic() - started)))


# --- The public archive ------------------------------------------------------------------------

ARCHIVE_PAGE_SIZE = 20


@require_safe
@cache_public_page("newsletters", "alerts", query=("topic", "page"))
def archive(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("topic", "")
    topic = Topic(asked) if asked in Topic.values else None
    if asked and topic is None:
        keep_out_of_cache(request)
    page = Paginator(selectors.archived_newsletters(topic=topic), ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    keep_out_of_cache_unless_page(request, page)
    context = {"page": page, "topic": topic, "topics": Topic.choices, "unknown_topic": bool(asked and topic is None)}
    return render(request, "newsletters/archive.html", context)


@require_safe
@cache_public_page("newsletters", "alerts")
def archive_detail(request: HttpRequest, code) -> HttpResponse:
    newsletter = selectors.archived_newsletter(code)
    context = {"newsletter": newsletter, **rendering.web_copy(newsletter)}
    return render(request, "newsletters/archive_detail.html", context)

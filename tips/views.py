"""The tipster's pages. They work without JavaScript, set no cookie, and read nothing about the
request except, for the in-memory rate limit, the client's address (tips/throttle.py), and, to
refuse posts made by other sites, the Sec-Fetch-Site and Origin headers (tips/http.py); neither is
kept."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tips import selectors, services
from tips.attachments import MAX_REQUEST_BYTES
from tips.forms import FollowUpForm, ReceiptForm, TipForm
from tips.http import request_too_large, tip_page
from tips.throttle import Throttled, throttle_attempt, throttle_spend
from tips.tokens import BadToken, access_token_issue, access_token_tip_id, form_token_issue


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    # "messages" is replaced so base.html does not read (and so save) the session.
    return render(request, f"tips/{template}", {**context, "messages": ()}, status=status)


def _too_large_message() -> str:
    return _("Your files are too large together (more than %(size)s MB). Send fewer or smaller files.") % {
        "size": MAX_REQUEST_BYTES // (1024 * 1024)
    }


def _client_address(request: HttpRequest) -> str:
    """The address the log-in rate limits use too: behind the TLS proxy, from X-Forwarded-For
    (ALLAUTH_TRUSTED_PROXY_COUNT), else every tipster would share the proxy's counter.
    Only ever used as input to the in-memory keyed hash."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # No usable address: such clients share one counter.
        return ""


def _limited(request: HttpRequest, scope: str, form, template: str) -> HttpResponse | None:
    """Count this attempt; the polite refusal, saying when to come back, if this client or everyone is
    over the limit; None otherwise."""
    throttled = throttle_attempt(scope=scope, client_address=_client_address(request))
    if throttled is None:
        return None
    form.add_error(None, _throttled_message(throttled))
    if isinstance(form, TipForm):
        form = _with_new_token(form)
    response = _render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return response


def _throttled_message(throttled: Throttled) -> str:
    values = {"minutes": throttled.minutes, "number": settings.EMERGENCY_NUMBER}
    if throttled.everyone:
        return (
            ngettext(
                "We are receiving a lot of tips right now, so this form is paused for everyone. Please try again in "
                "%(minutes)s minute. If this is an emergency, call %(number)s.",
                "We are receiving a lot of tips right now, so this form is paused for everyone. Please try again in "
                "%(minutes)s minutes. If this is an emergency, call %(number)s.",
                throttled.minutes,
            )
            % values
        )
    return (
        ngettext(
            "This form has been sent from your connection many times in a short while, so it is paused for you. "
            "Please try again in %(minutes)s minute. If this is an emergency, call %(number)s.",
            "This form has been sent from your connection many times in a short while, so it is paused for you. "
            "Please try again in %(minutes)s minutes. If this is an emergency, call %(number)s.",
            throttled.minutes,
        )
        % values
    )


def _spend(request: HttpRequest, scope: str) -> None:
    throttle_spend(scope=scope, client_address=_client_address(request))


@tip_page
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render(request, "submit.html", {"form": TipForm(initial={"form_token": form_token_issue()})})
    if request_too_large(request):
        form = TipForm(request.POST)
        return _limited(request, "submit", form, "submit.html") or _too_large(request, form)
    form = TipForm(request.POST, request.FILES)
    limited = _limited(request, "submit", form, "submit.html")
    if limited:
        return limited
    if form.is_valid():
        data = form.cleaned_data
        try:
            submitted = services.tip_submit(
                form_token=data["form_token"],
                category=data["category"],
                what=data["what"],
                where=data["where"],
                when=data["when"],
                neighbourhood=data["neighbourhood"],
                files=data["files"],
            )
        except services.TipError as exc:
            form.add_error(exc.field, str(exc))
        else:
            _spend(request, "submit")
            return _render(
                request, "receipt.html", {"reference": submitted.tip.reference, "phrase": submitted.receipt_phrase}
            )
    return _render(request, "submit.html", {"form": _with_new_token(form)}, status=400)


@tip_page
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    """Type the receipt phrase, see the tip. The answer is the page itself: nothing is remembered."""
    if request.method == "GET":
        return _render(request, "follow_up.html", {"form": ReceiptForm()})
    form = ReceiptForm(request.POST)
    limited = _limited(request, "follow_up", form, "follow_up.html")
    if limited:
        return limited
    if form.is_valid():
        _spend(request, "follow_up")  # a phrase tried, right or wrong, is a guess
        try:
            tip = services.tip_open_with_receipt(phrase=form.cleaned_data["phrase"])
        except services.TipError as exc:
            form.add_error("phrase", str(exc))
        else:
            return _render_status(request, tip.pk)
    return _render(request, "follow_up.html", {"form": form}, status=400)


@tip_page
@require_http_methods(["POST"])
def follow_up_send(request: HttpRequest) -> HttpResponse:
    """The tipster answers or adds information, from the page ``follow_up`` showed."""
    try:
        tip_id = access_token_tip_id(request.POST.get("access", ""))
    except BadToken:
        notice = _("For your safety the page expired. Type your receipt phrase again.")
        return _render(request, "follow_up.html", {"form": ReceiptForm(), "notice": notice}, status=400)
    throttled = throttle_attempt(scope="follow_up_send", client_address=_client_address(request))
    if request_too_large(request):
        form = FollowUpForm(request.POST)
        form.add_error(None, _throttled_message(throttled) if throttled else _too_large_message())
        return _render_status(request, tip_id, form=form, status=429 if throttled else 413, retry=throttled)
    form = FollowUpForm(request.POST, request.FILES)
    if throttled:
        form.add_error(None, _throttled_message(throttled))
        return _render_status(request, tip_id, form=form, status=429, retry=throttled)
    if form.is_valid():
        try:
            services.tip_follow_up(
                tip_id=tip_id,
                form_token=form.cleaned_data["form_token"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except services.TipError as exc:
            form.add_error(exc.field, str(exc))
        else:
            _spend(request, "follow_up_send")
            return _render_status(request, tip_id, sent=True)
    return _render_status(request, tip_id, form=form, status=400)


def _with_new_token(form):
    """A form shown again gets a fresh token: the old one may be spent."""
    form.data = form.data.copy()
    form.data["form_token"] = form_token_issue()
    return form


def _too_large(request: HttpRequest, form) -> HttpResponse:
    form.add_error(None, _too_large_message())
    return _render(request, "submit.html", {"form": _with_new_token(form)}, status=413)


def _render_status(
    request: HttpRequest, tip_id, *, form=None, sent: bool = False, status: int = 200, retry: Throttled | None = None
) -> HttpResponse:
    tip = selectors.tip_for_tipster(tip_id)
    if tip is None:
        notice = _("We could not find that tip. Type your receipt phrase again.")
        return _render(request, "follow_up.html", {"form": ReceiptForm(), "notice": notice}, status=404)
    if form is None:
        form = FollowUpForm(initial={"form_token": form_token_issue(), "access": access_token_issue(tip.id)})
    else:
        form = _with_new_token(form)
        form.data["access"] = access_token_issue(tip.id)
    response = _render(request, "status.html", {"tip": tip, "form": form, "sent": sent}, status=status)
    if retry:
        response["Retry-After"] = str(retry.retry_after)
    return response

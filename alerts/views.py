from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from alerts import selectors
from alerts.cap import CAP_CONTENT_TYPE, cap_document
from alerts.models import Alert
from neighbourhoods.selectors import neighbourhood_filter
from portal.cache import cache_public_page, keep_out_of_cache_unless_page

PAGE_SIZE = 20


@require_safe
@cache_public_page("alerts", query=("neighbourhood", "page"))
def alert_list(request: HttpRequest) -> HttpResponse:
    neighbourhoods, chosen = neighbourhood_filter(request.GET.get("neighbourhood", ""))
    page = Paginator(selectors.public_alerts(neighbourhood=chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    keep_out_of_cache_unless_page(request, page)
    return render(
        request,
        "alerts/list.html",
        {"page": page, "alerts": page.object_list, "neighbourhoods": neighbourhoods, "chosen": chosen},
    )


@require_safe
@cache_public_page("alerts")
def alert_detail(request: HttpRequest, code) -> HttpResponse:
    alert = _public_alert_or_404(code)
    return render(request, "alerts/detail.html", {"alert": alert, "revisions": list(alert.revisions.all())})


@require_safe
def alert_cap(request: HttpRequest, code) -> HttpResponse:
    """The CAP 1.2 document of the alert's latest message."""
    alert = _public_alert_or_404(code)
    revisions = list(alert.revisions.all())
    return _cap_response(revisions[-1], revisions[:-1])


@require_safe
def alert_revision_cap(request: HttpRequest, code, number: int) -> HttpResponse:
    """The CAP 1.2 document of one message about the alert, as it was sent."""
    alert = _public_alert_or_404(code)
    revisions = [revision for revision in alert.revisions.all() if revision.number <= number]
    if not revisions or revisions[-1].number != number:
        raise Http404("No such message.")
    return _cap_response(revisions[-1], revisions[:-1])


def _public_alert_or_404(code) -> Alert:
    try:
        return selectors.public_alert(code=code)
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


def _cap_response(revision, earlier) -> HttpResponse:
    return HttpResponse(cap_document(revision, earlier=earlier), content_type=f"{CAP_CONTENT_TYPE}; charset=utf-8")

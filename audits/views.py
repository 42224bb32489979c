from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from audits import selectors, services
from audits.documents import walk_report_pdf
from audits.forms import DebriefForm, FindingForm
from audits.models import AuditWalk, DrillPlan, FindingPhoto
from neighbourhoods.selectors import neighbourhood_filter
from portal.cache import cache_public_page
from portal.ratelimit import RateLimited, rate_limit_consume

# A walk's participant records a finding a place; this is far more than a walk needs.
FINDINGS_PER_HOUR = 40
# The newest reports and the next walks; older reports stay at their addresses.
LIST_SIZE = 50


def _walk_or_404(slug: str) -> AuditWalk:
    walk = selectors.walk_for_slug(slug=slug)
    if walk is None:
        raise Http404
    return walk


def _published_report_or_404(slug: str) -> AuditWalk:
    walk = _walk_or_404(slug)
    if walk.report_published_at is None:
        raise Http404
    return walk


def _participant_or_403(walk: AuditWalk, user) -> None:
    try:
        services.walk_check_participant(walk=walk, user=user)
    except services.AuditError as error:
        raise PermissionDenied(str(error)) from None


@require_safe
@cache_public_page("audits", "meetings", query=("neighbourhood",))
def walk_list(request: HttpRequest) -> HttpResponse:
    neighbourhoods, chosen = neighbourhood_filter(request.GET.get("neighbourhood", ""))
    return render(
        request,
        "audits/list.html",
        {
            "walks": selectors.published_walks(neighbourhood=chosen)[:LIST_SIZE],
            "upcoming": selectors.upcoming_walks(neighbourhood=chosen)[:LIST_SIZE],
            "neighbourhoods": neighbourhoods,
            "chosen": chosen,
        },
    )


@require_safe
@cache_public_page("audits", "meetings", "actions")
def walk_report(request: HttpRequest, slug: str) -> HttpResponse:
    walk = _published_report_or_404(slug)
    return render(request, "audits/report.html", selectors.walk_report(walk))


@require_safe
@cache_public_page("audits", "meetings", "actions")
def walk_report_download(request: HttpRequest, slug: str) -> HttpResponse:
    walk = _published_report_or_404(slug)
    response = HttpResponse(walk_report_pdf(selectors.walk_report(walk)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="audit-report-{walk.meeting.slug}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request: HttpRequest, slug: str) -> HttpResponse:
    walk = _walk_or_404(slug)
    _participant_or_403(walk, request.user)
    form = FindingForm(request.POST or None, request.FILES or None, walk=walk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Each photo costs seconds of a cleaning process: a participant's pace is bounded.
            rate_limit_consume(scope="audits.finding", key=request.user.pk, limit=FINDINGS_PER_HOUR, period=3600)
            services.finding_record(
                walk=walk,
                author=request.user,
                answers=form.answers(),
                notes=data["notes"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                map_cell=data["map_cell"],
                photos=[(photo.read(), photo.name) for photo in data["photos"]],
            )
        except RateLimited as limited:
            form.add_error(None, limited.message)
        except services.AuditError as error:
            # Everything typed stays in the form; only the files must be chosen again.
            form.add_error("photos" if data["photos"] else None, str(error))
        else:
            messages.success(request, _("Thank you: your finding is recorded. Officers review it after the walk."))
            return redirect("audits:own-findings", slug=walk.meeting.slug)
    if request.method == "POST" and request.FILES and form.errors:
        messages.warning(request, _("Your photos were not kept: please choose them again."))
    return render(request, "audits/finding_form.html", {"walk": walk, "form": form})


@login_required
@require_GET
def own_findings(request: HttpRequest, slug: str) -> HttpResponse:
    walk = _walk_or_404(slug)
    findings = selectors.own_findings(walk=walk, user=request.user)
    try:
        services.walk_check_participant(walk=walk, user=request.user)
        may_record = True
    except services.AuditError:
        may_record = False
    if not findings and not may_record:
        raise PermissionDenied(_("Only people checked in at this walk can record findings."))
    return render(request, "audits/own_findings.html", {"walk": walk, "findings": findings, "may_record": may_record})


@login_required
@require_GET
def finding_photo(request: HttpRequest, photo_id) -> FileResponse:
    """A finding's photo, for its author and officers only: photos are never public."""
    photo = get_object_or_404(FindingPhoto.objects.select_related("finding"), pk=photo_id)
    authors = {photo.finding.author_id, *photo.finding.duplicates.values_list("author_id", flat=True)}
    if request.user.pk not in authors and not services.is_officer(request.user):
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def debrief_give(request: HttpRequest, slug: str) -> HttpResponse:
    drill: DrillPlan | None = selectors.drill_for_slug(slug=slug)
    if drill is None:
        raise Http404
    try:
        services.debrief_check_allowed(drill=drill, user=request.user)
    except services.AuditError as error:
        messages.error(request, str(error))
        return redirect(drill.meeting)
    form = DebriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.debrief_submit(drill=drill, user=request.user, **form.cleaned_data)
        except services.AuditError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you for your debrief."))
        return redirect(drill.meeting)
    return render(request, "audits/debrief_form.html", {"drill": drill, "meeting": drill.meeting, "form": form})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from portal.cache import cache_own_page, cache_public_page, keep_out_of_cache, keep_out_of_cache_unless_page
from portal.translated import translated
from programs import selectors, services
from programs.documents import certificate_pdf, program_calendar
from programs.forms import ApplicationForm, ConsentForm, ProgramFilterForm
from programs.models import Application
from programs.services import ProgramError

PAGE_SIZE = 12


@require_safe
@cache_public_page("programs", "alerts", query=("kind", "neighbourhood", "open", "soon", "page"))
def program_list(request: HttpRequest) -> HttpResponse:
    form = ProgramFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        keep_out_of_cache(request)  # answered, but junk values must not fill the cache
    programs = selectors.program_list(
        kind=filters.get("kind", ""),
        neighbourhood=filters.get("neighbourhood"),
        open_only=filters.get("open", False),
        starting_soon=filters.get("soon", False),
    )
    page = Paginator(programs, PAGE_SIZE).get_page(request.GET.get("page"))
    keep_out_of_cache_unless_page(request, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_safe
@cache_public_page("programs", "alerts")
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_visitor(slug=slug)
    application = selectors.live_application_for(program=program, user=request.user)
    return render(
        request,
        "programs/detail.html",
        {
            "program": program,
            "application": application,
            # Online links (often with a passcode) are for seated applicants only, as a meeting's
            # are for those going; anonymous visitors, whose page is cached for all, never see them.
            "show_online_links": application is not None and application.is_seated,
            "is_open": program.is_open_for_applications(),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_apply(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_visitor(slug=slug)
    existing = selectors.live_application_for(program=program, user=request.user)
    if existing is not None:
        messages.info(request, _("You already applied to this program; its status is below."))
        return redirect("programs:mine")
    if not program.is_open_for_applications():
        messages.error(request, _("This program is not taking applications now."))
        return redirect(program)
    form = ApplicationForm(request.POST if request.method == "POST" else None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                program=program,
                applicant=request.user,
                answers=form.answers(),
                date_of_birth=form.cleaned_data.get("date_of_birth"),
                guardian_name=form.cleaned_data.get("guardian_name", ""),
                guardian_email=form.cleaned_data.get("guardian_email", ""),
            )
        except ProgramError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _applied_message(application))
            return redirect("programs:mine")
    return render(request, "programs/apply.html", {"program": program, "form": form})


def _applied_message(application: Application) -> str:
    if application.status == Application.Status.ACCEPTED:
        return _("You have a seat in %(program)s.") % {"program": translated(application.program, "title")}
    if application.status == Application.Status.WAITLISTED:
        return _("%(program)s is full: you are number %(position)s on the waitlist.") % {
            "program": translated(application.program, "title"),
            "position": application.waitlist_position,
        }
    if application.needs_guardian_consent:
        return _("Thank you. We e-mailed your guardian: your application waits for their consent.")
    return _("Thank you. An officer will review your application.")


@login_required
@require_GET
@cache_own_page("programs", "alerts")
def my_programs(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/mine.html", {"applications": selectors.applications_of(user=request.user)})


@login_required
@require_POST
def application_withdraw(request: HttpRequest, code) -> HttpResponse:
    application = selectors.application_of(user=request.user, code=code)
    try:
        services.application_withdraw(application=application, user=request.user)
    except ProgramError as refusal:
        messages.error(request, str(refusal))
    else:
        title = translated(application.program, "title")
        messages.success(request, _("You withdrew from %(program)s.") % {"program": title})
    return redirect("programs:mine")


@login_required
@require_POST
def consent_resend(request: HttpRequest, code) -> HttpResponse:
    application = selectors.application_of(user=request.user, code=code)
    try:
        services.guardian_consent_request(application=application, actor=request.user)
    except ProgramError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("We sent a new consent link to %(email)s.") % {"email": application.guardian_email})
    return redirect("programs:mine")


@login_required
@require_safe
def certificate(request: HttpRequest, code) -> HttpResponse:
    application = selectors.application_of(user=request.user, code=code)
    if application.status != Application.Status.COMPLETED:
        raise Http404("No certificate for this application.")
    response = HttpResponse(certificate_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{application.program.slug}.pdf"'
    return response


@require_safe
def program_ics(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_visitor(slug=slug)
    application = selectors.live_application_for(program=program, user=request.user)
    seated = application is not None and application.is_seated
    response = HttpResponse(
        program_calendar(program, include_online_links=seated), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.ics"'
    if seated:
        patch_cache_control(response, private=True)
    return response


@require_http_methods(["GET", "POST"])
def guardian_consent(request: HttpRequest, token: str) -> HttpResponse:
    """Two steps from one e-mailed link: the guardian confirms they are the applicant's guardian
    (the page names only the program), then reads who applied and the statement, and consents."""
    try:
        application = services.consent_application_for(token)
    except ProgramError as refusal:
        return render(request, "programs/consent.html", {"refusal": str(refusal)}, status=400)
    if application.guardian_confirmed_at is None:
        if request.method == "POST":
            opt_out = "opt_out" in request.POST
            try:
                if opt_out:
                    services.guardian_address_opt_out(token=token)
                else:
                    services.guardian_address_confirm(token=token)
            except ProgramError as refusal:
                return render(request, "programs/consent.html", {"refusal": str(refusal)}, status=400)
            if opt_out:
                return render(request, "programs/consent.html", {"opted_out": True})
            return redirect("programs:consent", token=token)
        return render(request, "programs/consent.html", {"application": application, "confirm_step": True})
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_consent_give(token=token, guardian_name=form.cleaned_data["guardian_name"])
        except ProgramError as refusal:
            return render(request, "programs/consent.html", {"refusal": str(refusal)}, status=400)
        return render(request, "programs/consent_done.html", {"application": application})
    return render(
        request,
        "programs/consent.html",
        {"application": application, "form": form, "consent_text": services.consent_text_for(application)},
    )

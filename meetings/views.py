from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meetings import selectors, services
from meetings.forms import FeedbackForm, MeetingFilterForm, NeighbourhoodFilterForm, QuestionForm
from meetings.ical import calendar_for
from meetings.models import Meeting, Question
from neighbourhoods.models import Neighbourhood
from portal.cache import cache_public_page, keep_out_of_cache, keep_out_of_cache_unless_page
from portal.pagination import CountingPaginator
from portal.ratelimit import RateLimited, rate_limit_consume
from portal.translated import translated

PAGE_SIZE = 10


def _published_or_404(slug: str) -> Meeting:
    return get_object_or_404(Meeting, slug=slug, is_published=True)


@require_safe
@cache_public_page("meetings", "meeting-counts", "alerts", query=("neighbourhood", "kind", "when", "page"))
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    when = request.GET.get("when")
    if (form.is_bound and not form.is_valid()) or when not in (None, "past"):
        keep_out_of_cache(request)
    past = when == "past"
    chosen = {"past": past, "neighbourhood": filters.get("neighbourhood"), "kind": filters.get("kind", "")}
    page = CountingPaginator(
        selectors.meeting_list(**chosen), PAGE_SIZE, counted=selectors.meeting_list(**chosen, seats=False)
    ).get_page(request.GET.get("page"))
    keep_out_of_cache_unless_page(request, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/list.html",
        {"form": form, "page": page, "past": past, "query": query.urlencode()},
    )


@require_safe
@cache_public_page("meetings", "alerts", query=("neighbourhood",))
def meeting_calendar(request: HttpRequest, year: int | None = None, month: int | None = None) -> HttpResponse:
    today = timezone.localdate()
    year, month = year or today.year, month or today.month
    if not (1 <= month <= 12 and 1900 < year < 2200):
        raise Http404
    form = NeighbourhoodFilterForm(request.GET or None)
    neighbourhood = form.cleaned_data["neighbourhood"] if form.is_valid() else None
    if form.is_bound and not form.is_valid():
        keep_out_of_cache(request)
    first = date(year, month, 1)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render(
        request,
        "meetings/calendar.html",
        {
            "weeks": selectors.month_calendar(year=year, month=month, neighbourhood=neighbourhood),
            "form": form,
            "neighbourhood": neighbourhood,
            # Moving between months keeps the neighbourhood chosen.
            "query": f"?{urlencode({'neighbourhood': neighbourhood.slug})}" if neighbourhood else "",
            "month": first,
            "previous": previous,
            "following": following,
            "today": today,
        },
    )


@require_safe
@cache_public_page("meetings", "meeting-counts", "alerts")
def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = selectors.meeting_detail(slug=slug)
    if meeting is None:
        raise Http404
    rsvp = selectors.rsvp_for(meeting=meeting, user=request.user)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "rsvp": rsvp,
            "waitlist_position": selectors.waitlist_position(rsvp) if rsvp and rsvp.status == "waitlisted" else None,
            "questions": selectors.public_questions(meeting=meeting, user=request.user),
            "own_questions": selectors.own_questions(meeting=meeting, user=request.user),
            "question_form": QuestionForm(),
            "can_give_feedback": _may_give_feedback(meeting, request.user),
            "feedback_response": getattr(meeting, "feedback_response", None),
        },
    )


def _limit_rsvp_changes(request: HttpRequest) -> None:
    """RSVPs and cancellations per resident (``MEETINGS_RSVP_LIMIT``); raises ``RateLimited``."""
    rate_limit_consume(
        scope="meetings.rsvp",
        key=request.user.pk,
        limit=settings.MEETINGS_RSVP_LIMIT,
        period=settings.MEETINGS_RSVP_LIMIT_SECONDS,
    )


def _may_give_feedback(meeting: Meeting, user) -> bool:
    if not (user.is_authenticated and meeting.has_ended):
        return False
    try:
        services.feedback_check_allowed(meeting=meeting, user=user)
    except services.MeetingError:
        return False
    return True


@login_required
@require_POST
def rsvp_create(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _published_or_404(slug)
    try:
        _limit_rsvp_changes(request)
        rsvp = services.rsvp_create(meeting=meeting, user=request.user)
    except RateLimited as limited:
        messages.error(request, limited.message)
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        if rsvp.status == rsvp.Status.GOING:
            messages.success(
                request, _("You are registered. Your registration code is %(code)s.") % {"code": rsvp.code}
            )
        else:
            messages.warning(
                request, _("The meeting is full: you are on the waiting list. We will e-mail you if a seat frees up.")
            )
    return redirect(meeting)


@login_required
@require_POST
def rsvp_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _published_or_404(slug)
    try:
        _limit_rsvp_changes(request)
        services.rsvp_cancel(meeting=meeting, user=request.user)
    except RateLimited as limited:
        messages.error(request, limited.message)
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(meeting)


def _calendar_response(content: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
def meeting_ics(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _published_or_404(slug)
    rsvp = selectors.rsvp_for(meeting=meeting, user=request.user)
    going = rsvp is not None and rsvp.status == rsvp.Status.GOING
    content = calendar_for([meeting], name=str(translated(meeting, "title")), include_online_link=going)
    return _calendar_response(content, f"{meeting.slug}.ics", download=True)


@require_safe
@cache_public_page("meetings")
def calendar_feed(request: HttpRequest, neighbourhood_slug: str | None = None) -> HttpResponse:
    """The iCal feed (all meetings, or one neighbourhood's): a bounded window, cached like the pages."""
    neighbourhood = None
    name = _("%(site)s meetings") % {"site": settings.SITE_NAME}
    if neighbourhood_slug is not None:
        neighbourhood = get_object_or_404(Neighbourhood, slug=neighbourhood_slug)
        name = _("%(site)s meetings in %(neighbourhood)s") % {
            "site": settings.SITE_NAME,
            "neighbourhood": neighbourhood.name,
        }
    meetings = selectors.feed_meetings(neighbourhood=neighbourhood)
    return _calendar_response(calendar_for(meetings, name=name), "meetings.ics", download=False)


@login_required
@require_POST
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _published_or_404(slug)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        for error in form.errors["text"]:
            messages.error(request, error)
        return redirect(meeting)
    try:
        services.question_submit(meeting=meeting, user=request.user, text=form.cleaned_data["text"])
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Your question will appear once an officer has reviewed it."))
    return redirect(f"{meeting.get_absolute_url()}#questions")


@login_required
@require_POST
def question_vote(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    meeting = _published_or_404(slug)
    question = get_object_or_404(Question, meeting=meeting, code=code)
    try:
        rate_limit_consume(
            scope="meetings.vote",
            key=request.user.pk,
            limit=settings.MEETINGS_VOTE_LIMIT,
            period=settings.MEETINGS_VOTE_LIMIT_SECONDS,
        )
        voted = services.question_vote_toggle(question=question, user=request.user)
    except RateLimited as limited:
        messages.error(request, limited.message)
    except services.MeetingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your vote is counted.") if voted else _("Your vote is withdrawn."))
    return redirect(f"{meeting.get_absolute_url()}#questions")


@login_required
@require_http_methods(["GET", "POST"])
def feedback_give(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _published_or_404(slug)
    try:
        services.feedback_check_allowed(meeting=meeting, user=request.user)
    except services.MeetingError as error:
        messages.error(request, str(error))
        return redirect(meeting)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = {name: form.cleaned_data[name] for name in FeedbackForm.Meta.fields}
        try:
            services.feedback_submit(
                meeting=meeting, user=request.user, anonymous=form.cleaned_data["anonymous"], **answers
            )
        except services.MeetingError as error:
            messages.error(request, str(error))
        else:
            if form.cleaned_data["anonymous"]:
                messages.success(
                    request,
                    _(
                        "Thank you for your feedback. Anonymous answers reach the officers together with "
                        "other people's, so that none can be traced back to you."
                    ),
                )
            else:
                messages.success(request, _("Thank you for your feedback."))
        return redirect(meeting)
    return render(request, "meetings/feedback.html", {"meeting": meeting, "form": form})

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from actions import selectors, services
from actions.forms import ActionFilterForm
from actions.models import ActionFollower, ActionItem
from neighbourhoods.models import Neighbourhood
from portal.cache import cache_public_page, keep_out_of_cache, keep_out_of_cache_unless_page
from portal.ratelimit import RateLimited, rate_limit_consume

PAGE_SIZE = 20
FILTERS = ("status", "source", "neighbourhood", "page")


def _list(request: HttpRequest, *, neighbourhood: Neighbourhood | None) -> HttpResponse:
    form = ActionFilterForm(request.GET or None)
    if neighbourhood is not None:  # its own page: the place is in the address
        del form.fields["neighbourhood"]
    filters = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        keep_out_of_cache(request)
    chosen = neighbourhood or filters.get("neighbourhood")
    actions = selectors.public_actions(
        neighbourhood=chosen, status=filters.get("status", ""), source_kind=filters.get("source", "")
    )
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    keep_out_of_cache_unless_page(request, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "neighbourhood": neighbourhood,
            "chosen": chosen,
            "counts": selectors.status_counts(neighbourhood=chosen),
        },
    )


@require_safe
@cache_public_page("actions", query=FILTERS)
def action_list(request: HttpRequest) -> HttpResponse:
    """Every action, city-wide, filterable by neighbourhood, status and where it came from."""
    return _list(request, neighbourhood=None)


@require_safe
@cache_public_page("actions", query=FILTERS)
def neighbourhood_actions(request: HttpRequest, slug: str) -> HttpResponse:
    return _list(request, neighbourhood=get_object_or_404(Neighbourhood, slug=slug))


@require_safe
def action_detail(request: HttpRequest, code) -> HttpResponse:
    # Not cached: a logged-in resident sees whether they follow it (and anonymous pages are cheap).
    try:
        action = selectors.action_by_code(code)
    except ActionItem.DoesNotExist:
        raise Http404 from None
    choice = (
        ActionFollower.objects.filter(action=action, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    following = choice is not None and not choice.muted
    # People the source concerns hear of changes without following; they can ask for silence.
    concerned = request.user.is_authenticated and not following and request.user.pk in services.audience_ids(action)
    return render(request, "actions/detail.html", {"action": action, "following": following, "concerned": concerned})


def _follow_choice(request: HttpRequest, code, *, change, done: str) -> HttpResponse:
    """Follow or unfollow (``change(action, user)``) within the person's follow rate limit, then back
    to the action's page with ``done``."""
    action = get_object_or_404(ActionItem, code=code)
    try:
        rate_limit_consume(
            scope="actions.follow",
            key=request.user.pk,
            limit=settings.ACTIONS_FOLLOW_LIMIT,
            period=settings.ACTIONS_FOLLOW_LIMIT_SECONDS,
        )
    except RateLimited as limited:
        messages.error(request, limited.message)
    else:
        change(action, request.user)
        messages.success(request, done)
    return redirect(action.get_absolute_url())


@login_required
@require_POST
def action_follow(request: HttpRequest, code) -> HttpResponse:
    return _follow_choice(
        request,
        code,
        change=services.follow,
        done=_("You follow this action: we will e-mail you when its status changes."),
    )


@login_required
@require_POST
def action_unfollow(request: HttpRequest, code) -> HttpResponse:
    return _follow_choice(
        request, code, change=services.unfollow, done=_("You will get no more e-mails about this action.")
    )

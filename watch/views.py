from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from neighbourhoods.selectors import neighbourhood_filter
from portal.ratelimit import RateLimited
from watch import selectors, services
from watch.forms import ConcernForm, PostForm, ProposeGroupForm
from watch.models import Membership, WatchGroup

PAGE_SIZE = 20


@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    neighbourhoods, chosen = neighbourhood_filter(request.GET.get("neighbourhood", ""))
    page = Paginator(selectors.approved_groups(neighbourhood=chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "watch/list.html",
        {"page": page, "groups": page.object_list, "neighbourhoods": neighbourhoods, "chosen": chosen},
    )


def _group_or_404(request: HttpRequest, slug: str) -> WatchGroup:
    """The group; a proposed or declined one only for its coordinator and officers."""
    try:
        group = selectors.group_for_page(slug=slug)
    except WatchGroup.DoesNotExist:
        raise Http404("No such group.") from None
    if group.status != WatchGroup.Status.APPROVED:
        user = request.user
        if not (user.is_authenticated and (user.pk == group.coordinator_id or user.has_perm("watch.view_watchgroup"))):
            raise Http404("No such group.")
    return group


@require_safe
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group_or_404(request, slug)
    return _render_detail(request, group)


def _render_detail(request, group, *, post_form=None, concern_form=None, status=200) -> HttpResponse:
    membership = selectors.membership_of(request.user, group)
    is_member = membership is not None and membership.status == Membership.Status.ACTIVE
    # A liaison who lost the officer role no longer leads the group (nor is shown as its liaison).
    liaison = selectors.active_liaison(group)
    leads = request.user.is_authenticated and (
        request.user.pk == group.coordinator_id or (liaison is not None and request.user.pk == liaison.pk)
    )
    context = {
        "group": group,
        "liaison": liaison,
        "membership": membership,
        "is_member": is_member,
        "leads": leads,
        "posts": selectors.recent_posts(group) if (is_member or leads) else [],
        "pending": selectors.pending_memberships(group) if leads else [],
        "training_program": selectors.training_program_of(group),
        "meetings": selectors.upcoming_meetings(group),
        "post_form": post_form or (PostForm() if leads else None),
        "concern_form": concern_form or (ConcernForm() if is_member and liaison is not None else None),
    }
    return render(request, "watch/detail.html", context, status=status)


@login_required
def group_propose(request: HttpRequest) -> HttpResponse:
    form = ProposeGroupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            group = services.watch_group_propose(user=request.user, **form.cleaned_data)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        except services.WatchError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            messages.success(request, _("Thank you. An officer will review your group and become its liaison."))
            return redirect(group)
    return render(request, "watch/propose.html", {"form": form}, status=status)


@require_POST
@login_required
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group_or_404(request, slug)
    try:
        membership = services.membership_join(user=request.user, group=group)
    except RateLimited as error:
        messages.error(request, error.message)
    except services.WatchError as error:
        messages.error(request, str(error))
    else:
        if membership.status == Membership.Status.PENDING:
            messages.success(request, _("You asked to join. The coordinator will let you know."))
        else:
            messages.success(request, _("Welcome to the group."))
    return redirect(group)


@require_POST
@login_required
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group_or_404(request, slug)
    try:
        services.membership_leave(user=request.user, group=group)
    except services.WatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You left the group."))
    return redirect(group)


def _group_form_post(request, group, form, *, form_name: str, write, done: str) -> HttpResponse:
    """A resident's form on the group page: ``write(cleaned_data)`` calls the service, then back to
    the group with ``done``. A refusal shows the page again with the form filled in (nothing written
    is lost) and the reason: 429 past the rate limit, 400 for a refusal such as the liaison having
    left meanwhile, 403 for one the person may not make."""
    if not form.is_valid():
        return _render_detail(request, group, **{form_name: form}, status=400)
    try:
        write(form.cleaned_data)
    except services.WatchPermissionError as error:
        raise PermissionDenied(str(error)) from None
    except RateLimited as error:
        form.add_error(None, error.message)
        return _render_detail(request, group, **{form_name: form}, status=429)
    except services.WatchError as error:
        form.add_error(None, str(error))
        return _render_detail(request, group, **{form_name: form}, status=400)
    messages.success(request, done)
    return redirect(group)


@require_POST
@login_required
def post_create(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group_or_404(request, slug)
    return _group_form_post(
        request,
        group,
        PostForm(request.POST),
        form_name="post_form",
        write=lambda data: services.post_create(author=request.user, group=group, **data),
        done=_("Your announcement is posted and on its way to the members."),
    )


@require_POST
@login_required
def concern_report(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group_or_404(request, slug)
    return _group_form_post(
        request,
        group,
        ConcernForm(request.POST),
        form_name="concern_form",
        write=lambda data: services.concern_report(user=request.user, group=group, **data),
        done=_("Your concern was sent to the liaison officer."),
    )


@require_POST
@login_required
def membership_approve(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    group = _group_or_404(request, slug)
    membership = get_object_or_404(Membership, pk=membership_id, group=group)
    try:
        services.membership_approve(actor=request.user, membership=membership)
    except services.WatchPermissionError as error:
        raise PermissionDenied(str(error)) from None
    except services.WatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The new member is in."))
    return redirect(group)

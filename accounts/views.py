import json

from allauth.account.internal.flows.reauthentication import raise_if_reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import AccountDeleteForm, ProfileForm
from accounts.language import preferred_language_save, remember_language
from accounts.personal_data import personal_data_of
from accounts.selectors import activity_of, profile_for
from audit.services import audit_export
from portal.middleware import open_staff_enrolment_window
from portal.ratelimit import RateLimited, rate_limit_consume


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=profile_for(request.user))
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        preferred_language_save(user=request.user, language=saved.preferred_language)
        translation.activate(saved.preferred_language)
        messages.success(request, _("Your profile was saved."))
        return remember_language(redirect("accounts:profile"), saved.preferred_language)
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_enrolment(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST uses the link: a link scanner opening the URL does not spend it."""
    if request.method == "POST":
        try:
            services.staff_enrolment_redeem(user=request.user, token=token)
        except services.EnrolmentError as error:
            return render(request, "accounts/staff_enrolment.html", {"error": str(error)}, status=400)
        open_staff_enrolment_window(request)
        messages.success(
            request,
            _(
                "Your enrolment link is accepted. Set up your authenticator app now, "
                "then keep your recovery codes safe."
            ),
        )
        return redirect("mfa_activate_totp")
    return render(request, "accounts/staff_enrolment.html")


@login_required
@require_GET
def staff_enrolment_needed(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff_enrolment_needed.html")


@login_required
@require_GET
@never_cache
def my_activity(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/activity.html", activity_of(request.user))


@login_required
@require_POST
@never_cache
def data_download(request: HttpRequest) -> HttpResponse:
    """Everything the portal holds about the resident, as a JSON file.

    The password is asked again first (allauth keeps this POST and replays it once it is given),
    so a session left open does not hand the whole record over. Limited per account, and audited.
    """
    raise_if_reauthentication_required(request, app="allauth.account")
    try:
        rate_limit_consume(
            scope="accounts.data_download",
            key=request.user.pk,
            limit=settings.ACCOUNTS_DATA_DOWNLOAD_LIMIT,
            period=settings.ACCOUNTS_DATA_DOWNLOAD_LIMIT_SECONDS,
        )
    except RateLimited as limited:
        context = {**activity_of(request.user), "download_error": limited.message}
        return render(request, "accounts/activity.html", context, status=429)
    document = json.dumps(personal_data_of(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(document, content_type="application/json; charset=utf-8")
    filename = f"precinct-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit_export(request, response, target=request.user)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def account_delete(request: HttpRequest) -> HttpResponse:
    """Says what is deleted and what is kept, then deletes the account once the password is given."""
    if request.user.is_staff or request.user.is_superuser:
        return render(request, "accounts/delete.html", {"staff": True}, status=403)
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        try:
            # Counted before the password is checked: wrong guesses use the allowance up.
            rate_limit_consume(
                scope="accounts.delete",
                key=request.user.pk,
                limit=settings.ACCOUNTS_DELETE_LIMIT,
                period=settings.ACCOUNTS_DELETE_LIMIT_SECONDS,
            )
        except RateLimited as limited:
            # An unbound form: a bound one would check the password and answer whether it was right.
            unchecked = AccountDeleteForm(user=request.user)
            return render(request, "accounts/delete.html", {"form": unchecked, "error": limited.message}, status=429)
        if form.is_valid():
            try:
                services.account_delete(user=request.user)
            except services.AccountDeletionError as error:
                return render(request, "accounts/delete.html", {"form": form, "error": str(error)}, status=403)
            logout(request)
            return render(request, "accounts/account_deleted.html")
        return render(request, "accounts/delete.html", {"form": form}, status=400)
    return render(request, "accounts/delete.html", {"form": form})

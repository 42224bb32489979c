from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services
from accounts.forms import ProfileForm
from accounts.language import preferred_language_save, remember_language
from accounts.selectors import profile_for
from portal.middleware import open_staff_enrolment_window


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

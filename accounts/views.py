from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm
from accounts.language import remember_language
from accounts.selectors import profile_for


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=profile_for(request.user))
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        translation.activate(saved.preferred_language)
        messages.success(request, _("Your profile was saved."))
        return remember_language(redirect("accounts:profile"), saved.preferred_language)
    return render(request, "accounts/profile.html", {"form": form})

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

# Everything the portal serves comes from its own host; nothing is inlined.
PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's admin still sets a few inline styles; its scripts are all files.
ADMIN_CSP = PUBLIC_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy, which Django 5.2 does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            is_admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = ADMIN_CSP if is_admin else PUBLIC_CSP
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if settings.DEBUG is False:
            response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


STAFF_SESSION_ENDS_KEY = "precinct_staff_session_ends"
# Until when this session may set up a staff member's first second factor (an enrolment link was used).
STAFF_ENROLMENT_UNTIL_KEY = "precinct_staff_enrolment_until"


def start_staff_session(request) -> None:
    """Give a staff member's new session its fixed end, STAFF_SESSION_AGE from now."""
    ends = time.time() + settings.STAFF_SESSION_AGE
    request.session[STAFF_SESSION_ENDS_KEY] = ends
    request.session.set_expiry(settings.STAFF_SESSION_AGE)


def open_staff_enrolment_window(request) -> None:
    """Let this session set up a first second factor for STAFF_ENROLMENT_WINDOW_SECONDS."""
    request.session[STAFF_ENROLMENT_UNTIL_KEY] = time.time() + settings.STAFF_ENROLMENT_WINDOW_SECONDS


def staff_enrolment_window_open(request) -> bool:
    return time.time() < request.session.get(STAFF_ENROLMENT_UNTIL_KEY, 0)


def on_tip_line(request) -> bool:
    """Any address under the tip line's, an existing page or not (a mistyped one gets a 404 page
    that reads no session either: ``portal.views.page_not_found``)."""
    return request.path_info.startswith(reverse("tips:submit"))


def _reads_no_session(request) -> bool:
    """A page whose view is marked ``reads_no_session`` (the tip line's, tips.http.tip_page), or a
    missing page under the tip line."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return on_tip_line(request)
    return getattr(match.func, "reads_no_session", False)


class StaffAccountMiddleware:
    """Officers' accounts are held to more than residents': a second factor and shorter sessions.

    - A staff session ends STAFF_SESSION_AGE after log-in (residents keep SESSION_COOKIE_AGE),
      whatever "remember me" said; the end is checked here, on the server, at every request.
    - The admin stays closed to staff without an authenticator app (TOTP). Once one is active,
      allauth asks for a code at every log-in, so the admin is only reached with two factors.
    - A staff member with no second factor at all cannot set one up with their password alone
      (whoever stole it would enrol their own): allauth's second-factor pages open only in a
      session that used an enrolment link e-mailed to the account's confirmed address
      (accounts/services.py). Without one, they are sent to a page that says how to get one.
    Runs after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"
        self.mfa_prefix = None

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and _reads_no_session(request):
            # The tip line: an officer may be a tipster too. Checking their session there would
            # read it, may write it (dated, and tied to their account), and an ended one would log
            # them out and send them to the log-in page with ?next=/tips/…, a logged request
            # naming the tip line, instead of taking their tip. Those pages grant nothing to skip.
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and user.is_staff:
            ends = request.session.get(STAFF_SESSION_ENDS_KEY)
            if ends is None:
                # A session opened some other way than allauth's log-in (e.g. before a promotion to staff).
                start_staff_session(request)
            elif time.time() > ends:
                logout(request)
                messages.info(request, _("Your officer session has ended. Please log in again."))
                return redirect_to_login(request.get_full_path(), reverse("account_login"))
            at_admin = request.path.startswith(self.admin_prefix)
            if at_admin or request.path.startswith(self._mfa_prefix()):
                factors = self._second_factors(user)
                if not factors and not staff_enrolment_window_open(request):
                    return redirect("accounts:staff-enrolment-needed")
                if at_admin and "totp" not in factors:
                    messages.warning(
                        request,
                        _(
                            "Officers must protect their account with a second factor before the officers' desk "
                            "opens. Set up an authenticator app below, then keep your recovery codes somewhere safe."
                        ),
                    )
                    return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _mfa_prefix(self) -> str:
        if self.mfa_prefix is None:
            self.mfa_prefix = reverse("mfa_index")
        return self.mfa_prefix

    @staticmethod
    def _second_factors(user) -> set[str]:
        from allauth.mfa.models import Authenticator

        return set(Authenticator.objects.filter(user=user).values_list("type", flat=True))


class MethodNotAllowedPageMiddleware:
    """Gives the empty 405 of ``require_POST`` & co. a page saying what happened, in the visitor's
    language (a GET of a form's target, a bookmarked "log out" button). Its headers are kept
    (``Allow``, and the tip pages' own). The page reads neither the session nor the user, so it
    sets no cookie on the tip pages either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            from django.template.loader import render_to_string

            response.content = render_to_string("405.html", {"messages": ()}, request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response

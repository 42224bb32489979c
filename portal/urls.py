from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from portal import guide, views
from portal.timing import answer_posts_no_sooner_than

urlpatterns = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("health/live", views.liveness, name="health-live"),
    path("health/ready", views.readiness, name="health-ready"),
    # Before allauth's own: a reset for a known address costs more than for an unknown one, and
    # the difference would tell who has an account.
    path(
        "accounts/password/reset/",
        answer_posts_no_sooner_than("ACCOUNT_RESET_ANSWER_SECONDS")(account_views.password_reset),
        name="account_reset_password",
    ),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("programs/", include("programs.urls")),
    path("meetings/", include("meetings.urls")),
    path("tips/", include("tips.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("alerts/", include("alerts.urls")),
    path("watch/", include("watch.urls")),
    path("transparency/", include("transparency.urls")),
    path("actions/", include("actions.urls")),
    path("safety-audits/", include("audits.urls")),
    # Before the admin's own URLs: its log-in form has neither rate limits nor a second factor.
    path("admin/login/", views.admin_login, name="admin-login"),
    # The admin's own password change has no rate limit: allauth's page has one, re-asks for the
    # current password and e-mails the owner.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="account_change_password"),
        name="admin-password-change",
    ),
    path("admin/password_change/done/", RedirectView.as_view(pattern_name="account_change_password")),
    # The guide for officers (docs/officers.md), inside the desk.
    path("admin/guide/", admin.site.admin_view(guide.guide_view), name="officers-guide"),
    path("admin/guide/<slug:page>.md", admin.site.admin_view(guide.guide_view), name="officers-guide-page"),
    path(
        "admin/guide/screenshots/officers/<slug:name>.png",
        admin.site.admin_view(guide.guide_screenshot_view),
        name="officers-guide-screenshot",
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    # Development tools (the e-mails sent): not even routed in production.
    urlpatterns += [path("dev/", include("portal.dev_urls"))]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

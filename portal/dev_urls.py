"""Development tools under /dev/, routed only when DEBUG (portal/urls.py): the e-mails actually sent,
and a preview of every e-mail the portal can send (issue 15)."""

from django.urls import path

from portal import dev_views

app_name = "dev"

urlpatterns = [
    path("emails/", dev_views.email_list, name="email-list"),
    path("emails/preview/<str:language>/<path:template>/html/", dev_views.preview_html, name="preview-html"),
    path("emails/preview/<str:language>/<path:template>/", dev_views.preview_detail, name="preview-detail"),
    path("emails/<str:message_id>/", dev_views.email_detail, name="email-detail"),
    path("emails/<str:message_id>/html/", dev_views.email_html, name="email-html"),
]

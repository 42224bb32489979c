"""Development tools under /dev/, routed only when DEBUG (portal/urls.py). Previews of the e-mail
templates (issue 15) belong here too, beside the e-mails actually sent."""

from django.urls import path

from portal import dev_views

app_name = "dev"

urlpatterns = [
    path("emails/", dev_views.email_list, name="email-list"),
    path("emails/<str:message_id>/", dev_views.email_detail, name="email-detail"),
    path("emails/<str:message_id>/html/", dev_views.email_html, name="email-html"),
]

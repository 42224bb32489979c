from django.urls import path

from programs import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("mine/", views.my_programs, name="mine"),
    path("mine/<uuid:code>/withdraw/", views.application_withdraw, name="withdraw"),
    path("mine/<uuid:code>/resend-consent/", views.consent_resend, name="consent-resend"),
    path("mine/<uuid:code>/certificate.pdf", views.certificate, name="certificate"),
    path("consent/<str:token>/", views.guardian_consent, name="consent"),
    path("<slug:slug>/", views.program_detail, name="detail"),
    path("<slug:slug>/apply/", views.program_apply, name="apply"),
    path("<slug:slug>/calendar.ics", views.program_ics, name="ics"),
]

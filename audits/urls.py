from django.urls import path

from audits import views

app_name = "audits"
urlpatterns = [
    path("", views.walk_list, name="list"),
    path("photos/<uuid:photo_id>/", views.finding_photo, name="photo"),
    path("drills/<slug:slug>/debrief/", views.debrief_give, name="debrief"),
    path("<slug:slug>/", views.walk_report, name="report"),
    path("<slug:slug>/report.pdf", views.walk_report_download, name="report-pdf"),
    path("<slug:slug>/findings/new/", views.finding_create, name="finding-create"),
    path("<slug:slug>/findings/", views.own_findings, name="own-findings"),
]

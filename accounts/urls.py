from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("activity/", views.my_activity, name="activity"),
    path("activity/my-data.json", views.data_download, name="data-download"),
    path("delete/", views.account_delete, name="delete"),
    path("officer-enrolment/", views.staff_enrolment_needed, name="staff-enrolment-needed"),
    path("officer-enrolment/<str:token>/", views.staff_enrolment, name="staff-enrolment"),
]

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("officer-enrolment/", views.staff_enrolment_needed, name="staff-enrolment-needed"),
    path("officer-enrolment/<str:token>/", views.staff_enrolment, name="staff-enrolment"),
]

from django.urls import path

from tips import views

app_name = "tips"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("follow-up/", views.follow_up, name="follow-up"),
    path("follow-up/send/", views.follow_up_send, name="follow-up-send"),
]

from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.list, name="list"),
]

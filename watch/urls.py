from django.urls import path

from watch import views

app_name = "watch"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("propose/", views.group_propose, name="propose"),
    path("<slug:slug>/", views.group_detail, name="detail"),
    path("<slug:slug>/join/", views.group_join, name="join"),
    path("<slug:slug>/leave/", views.group_leave, name="leave"),
    path("<slug:slug>/posts/", views.post_create, name="post-create"),
    path("<slug:slug>/concerns/", views.concern_report, name="concern-report"),
    path("<slug:slug>/members/<int:membership_id>/approve/", views.membership_approve, name="membership-approve"),
]

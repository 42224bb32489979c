from django.urls import path
from django.views.decorators.http import require_safe

from actions import feeds, views
from portal.cache import cache_public_page

app_name = "actions"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("in/<slug:slug>/", views.neighbourhood_actions, name="neighbourhood"),
    path(
        "in/<slug:slug>/feed/",
        require_safe(cache_public_page("actions")(feeds.NeighbourhoodActionFeed())),
        name="feed",
    ),
    path("<uuid:code>/", views.action_detail, name="detail"),
    path("<uuid:code>/follow/", views.action_follow, name="follow"),
    path("<uuid:code>/unfollow/", views.action_unfollow, name="unfollow"),
    # The same choice for people the source concerns who never followed: "stop e-mails about this".
    path("<uuid:code>/stop-emails/", views.action_unfollow, name="stop-emails"),
]

from django.urls import path
from django.views.decorators.http import require_safe

from newsletters import feeds, views
from portal.cache import cache_public_page

app_name = "newsletters"
urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe-sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/<str:token>/", views.preferences_token, name="preferences-token"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("fresh-link/", views.fresh_link, name="fresh-link"),
    path("bounces/", views.bounce_webhook, name="bounces"),
    path("archive/", views.archive, name="archive"),
    path("archive/feed/", require_safe(cache_public_page("newsletters")(feeds.NewsletterFeed())), name="archive-feed"),
    path(
        "archive/feed/<str:topic>/",
        require_safe(cache_public_page("newsletters")(feeds.NewsletterFeed())),
        name="archive-topic-feed",
    ),
    path("archive/<uuid:code>/", views.archive_detail, name="archive-detail"),
]

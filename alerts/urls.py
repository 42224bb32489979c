from django.urls import path
from django.views.decorators.http import require_safe

from alerts import feeds, views
from portal.cache import cache_public_page

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    # Feeds are polled by readers and alerting systems: cached like the pages, invalidated alike.
    path("feed/", require_safe(cache_public_page("alerts")(feeds.AlertAtomFeed())), name="feed"),
    path(
        "feed/<slug:slug>/",
        require_safe(cache_public_page("alerts")(feeds.AlertAtomFeed())),
        name="neighbourhood-feed",
    ),
    path("cap/", require_safe(cache_public_page("alerts")(feeds.CapFeed())), name="cap-feed"),
    path("<uuid:code>/", views.alert_detail, name="detail"),
    path("<uuid:code>/cap.xml", views.alert_cap, name="cap"),
    path("<uuid:code>/cap/<int:number>.xml", views.alert_revision_cap, name="revision-cap"),
]

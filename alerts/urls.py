from django.urls import path

from alerts import feeds, views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("feed/", feeds.AlertAtomFeed(), name="feed"),
    path("feed/<slug:slug>/", feeds.AlertAtomFeed(), name="neighbourhood-feed"),
    path("cap/", feeds.CapFeed(), name="cap-feed"),
    path("<uuid:code>/", views.alert_detail, name="detail"),
    path("<uuid:code>/cap.xml", views.alert_cap, name="cap"),
    path("<uuid:code>/cap/<int:number>.xml", views.alert_revision_cap, name="revision-cap"),
]

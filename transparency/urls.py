from django.urls import path, re_path

from transparency import views

app_name = "transparency"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data/", views.open_data, name="open-data"),
    path("data/catalog.json", views.catalogue_json, name="catalogue"),
    path("data/<slug:dataset>/dictionary.json", views.dictionary, name="dictionary"),
    # One stable address per data set, period and format: /transparency/data/meetings/2026-Q4.csv
    re_path(
        r"^data/(?P<dataset>[a-z_-]+)/(?P<period>[0-9A-Za-z-]+)\.(?P<extension>csv|json)$",
        views.dataset_download,
        name="download",
    ),
]

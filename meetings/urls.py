from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("calendar/", views.meeting_calendar, name="calendar"),
    path("calendar/<int:year>/<int:month>/", views.meeting_calendar, name="calendar-month"),
    path("feed.ics", views.calendar_feed, name="feed"),
    path("feed/<slug:neighbourhood_slug>.ics", views.calendar_feed, name="neighbourhood-feed"),
    path("<slug:slug>/", views.meeting_detail, name="detail"),
    path("<slug:slug>/calendar.ics", views.meeting_ics, name="ics"),
    path("<slug:slug>/rsvp/", views.rsvp_create, name="rsvp-create"),
    path("<slug:slug>/rsvp/cancel/", views.rsvp_cancel, name="rsvp-cancel"),
    path("<slug:slug>/questions/", views.question_ask, name="question-ask"),
    path("<slug:slug>/questions/<str:code>/vote/", views.question_vote, name="question-vote"),
    path("<slug:slug>/feedback/", views.feedback_give, name="feedback"),
]

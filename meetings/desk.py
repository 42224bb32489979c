"""The meetings' queues and meetings on the officers' desk (portal.desk)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meetings import selectors
from portal.desk import DeskEntry, register_agenda, register_queue

register_queue(
    "meetings.questions_to_moderate",
    label=_("Questions to moderate for the next meetings"),
    count=lambda user, now: selectors.questions_to_moderate(now=now).count(),
    url=lambda: reverse("admin:meetings_question_changelist") + "?to_moderate=yes",
    visible=lambda user: user.has_perm("meetings.change_question"),
    order=30,
)

register_queue(
    "meetings.feedback_to_answer",
    label=_("Feedback to answer"),
    count=lambda user, now: selectors.meetings_with_feedback_to_answer().count(),
    url=lambda: reverse("admin:meetings_meeting_changelist") + "?feedback_to_answer=yes",
    visible=lambda user: user.has_perm("meetings.add_feedbackresponse"),
    order=40,
    help_text=_("Meetings whose feedback has no published “what you told us” yet."),
)


def _meetings(user, start, end):
    return [
        DeskEntry(
            starts_at=meeting.starts_at,
            title=meeting.title,
            kind=meeting.get_kind_display(),
            url=reverse("admin:meetings_meeting_attendance", args=[meeting.pk]),
            link_label=_("RSVP list and check-in"),
        )
        for meeting in selectors.meetings_between(start, end)
    ]


register_agenda("meetings.meetings", entries=_meetings, visible=lambda user: user.has_perm("meetings.change_rsvp"))

"""The programs' queues and sessions on the officers' desk (portal.desk)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.desk import DeskEntry, help_text_with_days, register_agenda, register_queue
from programs import selectors
from programs.models import Application


def _may_decide(user) -> bool:
    return user.has_perm("programs.change_application")


register_queue(
    "programs.applications_pending",
    label=_("Applications waiting for a decision"),
    count=lambda user, now: Application.objects.filter(status=Application.Status.PENDING).count(),
    url=lambda: reverse("admin:programs_application_changelist") + "?status__exact=pending",
    visible=_may_decide,
    order=10,
)

register_queue(
    "programs.consents_overdue",
    label=_("Guardian consents overdue"),
    count=lambda user, now: selectors.applications_consent_overdue(now=now).count(),
    url=lambda: reverse("admin:programs_application_changelist") + "?consent_overdue=yes",
    visible=_may_decide,
    order=20,
    help_text=help_text_with_days(
        ngettext_lazy(
            "Asked for over %(days)d day ago and not given: resend the link or call the guardian.",
            "Asked for over %(days)d days ago and not given: resend the link or call the guardian.",
            "days",
        ),
        "DESK_CONSENT_OVERDUE_DAYS",
    ),
)


def _sessions(user, start, end):
    return [
        DeskEntry(
            starts_at=session.starts_at,
            title=f"{session.program.title} · {session.title}" if session.title else session.program.title,
            kind=_("Program session"),
            url=reverse("admin:programs_program_attendance", args=[session.program_id, session.pk]),
            link_label=_("Take attendance"),
        )
        for session in selectors.sessions_between(start, end)
    ]


register_agenda(
    "programs.sessions",
    entries=_sessions,
    visible=lambda user: user.has_perm("programs.add_attendance") and user.has_perm("programs.change_attendance"),
)

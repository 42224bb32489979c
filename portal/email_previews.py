"""Every e-mail the portal can send, with demo data: previewed at /dev/emails/ and checked by tests.

One entry per e-mail template (the name the outbox gets, without ``.txt``); its function returns
the context the sending code would give. tests/outbox/test_email_templates.py fails when a
template in a ``templates/*/emails/`` folder has no entry here, so a new e-mail is never unseen.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import translation

from outbox.models import Email
from outbox.services import email_render
from portal.calendar_links import calendar_links
from portal.dates import format_moment

PREVIEWS: dict[str, Callable[[], dict]] = {}
# Sent to subscribers (bulk: the footer carries an unsubscribe link); the rest are transactional.
BULK = {"newsletters/emails/newsletter", "newsletters/emails/digest"}
DEMO_RECIPIENT = "resident@example.com"
DEMO_CODE = "K7P2QX"


def preview(*templates: str):
    def register(function: Callable[[], dict]) -> Callable[[], dict]:
        for template in templates:
            PREVIEWS[template] = function
        return function

    return register


def render_preview(template: str, language: str):
    """The message (``EmailMultiAlternatives``) the outbox would send for ``template`` with demo data."""
    with translation.override(language):  # dates in the recipient's language, as the sending code formats them
        context = PREVIEWS[template]()
    email = Email(
        to=DEMO_RECIPIENT,
        template=template,
        context=context,
        language=language,
        kind=Email.Kind.BULK if template in BULK else Email.Kind.TRANSACTIONAL,
    )
    return email_render(email)


def _site(path: str) -> str:
    return settings.SITE_URL + path


_STARTS = datetime(2026, 3, 12, 23, 30, tzinfo=UTC)
_ENDS = _STARTS + timedelta(hours=1, minutes=30)


def _when(days: int = 0, *, name: str = "DATETIME_FORMAT") -> str:
    return format_moment(_STARTS + timedelta(days=days), name)


def _calendar(title: str, ics_path: str) -> dict[str, str]:
    return calendar_links(
        title=title,
        starts_at=_STARTS,
        ends_at=_ENDS,
        location="Riverside Community Centre, 120 Water Street",
        details=_site("/meetings/riverside-community-meeting/"),
        ics_url=_site(ics_path),
    )


def _meeting() -> dict:
    title = "Riverside community meeting: traffic, parking and the park at night"
    return {
        "title": title,
        "date": _when(name="LONG_DATE_FORMAT"),
        "time": f"{_when(name='TIME_FORMAT')} – {format_moment(_ENDS, 'ZONED_TIME_FORMAT')}",
        "address": "Riverside Community Centre, 120 Water Street",
        "map_url": "https://www.openstreetmap.org/search?query=Riverside+Community+Centre%2C+120+Water+Street",
        "online_url": "",
        "url": _site("/meetings/riverside-community-meeting/"),
        **_calendar(title, "/meetings/riverside-community-meeting/calendar.ics"),
    }


@preview("meetings/emails/rsvp_confirmed", "meetings/emails/rsvp_promoted", "meetings/emails/reminder")
def _meeting_seat() -> dict:
    return {**_meeting(), "code": DEMO_CODE, "check_in_qr": True}


@preview("meetings/emails/rsvp_waitlisted", "meetings/emails/meeting_changed")
def _meeting_waitlisted() -> dict:
    return {**_meeting(), "waitlisted": True}


@preview("meetings/emails/meeting_cancelled")
def _meeting_cancelled() -> dict:
    return {**_meeting(), "reason": "The community centre is closed for repairs; a new date follows soon."}


@preview("meetings/emails/feedback_request")
def _meeting_feedback() -> dict:
    return {**_meeting(), "feedback_url": _site("/meetings/riverside-community-meeting/feedback/")}


def _program(**extra) -> dict:
    title = "Citizens' Police Academy, spring 2026"
    return {
        "applicant_name": "Ana García",
        "program_title": title,
        "program_url": _site("/programs/citizens-police-academy-spring-2026/"),
        "mine_url": _site("/programs/mine/"),
        "programs_url": _site("/programs/"),
        "waitlist_position": 3,
        "first_session": _when(-9),
        **extra,
    }


@preview("programs/emails/accepted", "programs/emails/promoted")
def _program_seat() -> dict:
    ics_path = "/programs/citizens-police-academy/calendar.ics"
    calendar = _calendar("Citizens' Police Academy: session 1", ics_path)
    return _program(check_in_qr=True, check_in_code=DEMO_CODE, **calendar)


@preview("programs/emails/received", "programs/emails/waitlisted", "programs/emails/certificate")
def _program_application() -> dict:
    return _program(needs_consent=True)


@preview("programs/emails/declined")
def _program_declined() -> dict:
    return _program(reason="This session is for residents of the city; please apply to the county program.")


@preview("programs/emails/reminder")
def _program_reminder() -> dict:
    return _program(
        session_title="Session 2: How a 911 call is handled",
        session_starts=_when(-2),
        session_location="Police headquarters, training room B",
        session_online_url="",
        **_calendar("Session 2: How a 911 call is handled", "/programs/citizens-police-academy/calendar.ics"),
    )


@preview("programs/emails/consent_request")
def _program_consent() -> dict:
    return {
        "program_title": "Youth Cadets, summer 2026",
        "city_name": settings.CITY_NAME,
        "consent_url": _site("/programs/consent/eyJhcHBsaWNhdGlvbiI6NDJ9:1vQ2xR:Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0/"),
        "expires": _when(2),
    }


def _group(**extra) -> dict:
    return {"group": "Maple Avenue Watch", "url": _site("/watch/maple-avenue-watch/"), **extra}


@preview("watch/emails/group_approved")
def _watch_approved() -> dict:
    return _group(liaison="Officer J. Rivera")


@preview("watch/emails/group_declined")
def _watch_declined() -> dict:
    return {"group": "Maple Avenue Watch", "reason": "A group already covers these streets: Elm and Maple Watch."}


@preview("watch/emails/membership_request")
def _watch_request() -> dict:
    return _group(resident="Sam L.")


@preview("watch/emails/membership_approved")
def _watch_member() -> dict:
    return _group()


@preview("watch/emails/post")
def _watch_post() -> dict:
    return _group(
        title="Bike thefts near the station",
        body="Three bikes were taken from the racks this week.\nPlease use a D-lock and register your bike.",
        author="Officer J. Rivera",
        author_role="liaison",
    )


@preview("watch/emails/concern")
def _watch_concern() -> dict:
    return _group(
        subject="Street light out on Maple Avenue",
        body="The light at Maple and 3rd has been out for a week; the corner is very dark at night.",
        reporter="Sam L.",
        reporter_email="sam@example.com",
    )


@preview("watch/emails/concern_reply")
def _watch_concern_reply() -> dict:
    return _group(
        subject="Street light out on Maple Avenue",
        reply="Thank you. The city's lighting crew will replace the lamp at Maple and 3rd this week.",
        officer="Officer J. Rivera",
    )


@preview("meetings/emails/participants_message")
def _meeting_message() -> dict:
    meeting = _meeting()
    return {
        "subject": "Room change",
        "body": "We meet in the small hall this time.\nThe entrance is on the side of the building.",
        "title": meeting["title"],
        "url": meeting["url"],
    }


@preview("programs/emails/participants_message")
def _program_message() -> dict:
    program = _program()
    return {
        "subject": "Bring your ID to session 2",
        "body": "Session 2 is held at police headquarters.\nPlease bring a photo ID for the front desk.",
        "program_title": program["program_title"],
        "program_url": program["program_url"],
    }


@preview("audits/emails/report_published")
def _audit_report() -> dict:
    return {
        "title": "Safety audit walk: Riverside after dark",
        "url": _site("/safety-audits/riverside-after-dark/"),
    }


@preview("audits/emails/debrief_summary")
def _drill_summary() -> dict:
    return {"title": "Evacuation drill at Riverside Community Centre", "url": _site("/meetings/riverside-drill/")}


@preview("tips/emails/new_tips")
def _tips() -> dict:
    return {"inbox_url": _site("/desk/tips/")}


@preview("alerts/emails/alert")
def _alert() -> dict:
    return {
        "msg_type": "Alert",
        "headline": "Water main break: Water Street closed between 1st and 4th",
        "severity": "Moderate",
        "urgency": "Immediate",
        "area": "Riverside, Old Town",
        "expires_at": _when(name="DATETIME_FORMAT"),
        "description": "Crews are repairing a water main. Expect detours and low water pressure.",
        "instruction": "Avoid the area and use Bridge Road instead.",
        "alert_url": _site("/alerts/7c1e2a9d/"),
    }


@preview("newsletters/emails/confirm")
def _newsletter_confirm() -> dict:
    return {"confirm_url": _site("/newsletters/confirm/cmVzaWRlbnRAZXhhbXBsZS5jb20:1vQ2xR:c2lnbmF0dXJl/")}


@preview("newsletters/emails/fresh_link")
def _newsletter_fresh_link() -> dict:
    return {"days": 7}


@preview("newsletters/emails/newsletter")
def _newsletter() -> dict:
    return {
        "web_url": _site("/newsletters/archive/march-2026/"),
        "body_html": (
            f'<h2>March news</h2><p>Join us at the <a href="{_site("/meetings/")}">community meetings</a>.</p>'
        ),
        "body_text": f"March news\n\nJoin us at the community meetings: {_site('/meetings/')}",
    }


@preview("newsletters/emails/digest")
def _digest() -> dict:
    return {
        "alerts": [
            {"url": _site("/alerts/7c1e2a9d/"), "title": "Water main break", "when": _when(name="SHORT_DATE_FORMAT")}
        ],
        "meetings": [
            {
                "url": _site("/meetings/riverside-community-meeting/"),
                "title": "Riverside meeting",
                "when": _when(name="SHORT_DATE_FORMAT"),
            }
        ],
        "programs": [],
        "newsletters": [],
        "actions": [
            {"url": _site("/actions/3f0c9b1e-0000-4000-8000-000000000001/"), "title": "Park lights", "detail": "Done"}
        ],
    }


@preview("actions/emails/status_changed")
def _action_status() -> dict:
    return {
        "title": "Six lights on Eastwood Park's east path",
        "status": "In progress",
        "note": "The poles are in; the lamps go up next week.",
        "reason": "",
        "date": "12 March 2026",
        "url": _site("/actions/3f0c9b1e-0000-4000-8000-000000000001/"),
        "following": False,
    }


@preview("actions/emails/officer_reminder")
def _action_reminder() -> dict:
    return {
        "day": "12 March 2026",
        "items": [
            {
                "title": "Repair the River Road bridge light",
                "due": "10 March 2026",
                "overdue": True,
                "status": "Planned",
                "url": _site("/actions/3f0c9b1e-0000-4000-8000-000000000002/"),
            },
            {
                "title": "Six lights on Eastwood Park's east path",
                "due": "17 March 2026",
                "overdue": False,
                "status": "In progress",
                "url": _site("/actions/3f0c9b1e-0000-4000-8000-000000000001/"),
            },
        ],
    }


@preview(
    "account/email/password_changed",
    "account/email/password_reset",
    "account/email/password_set",
    "account/email/account_already_exists",
    "account/email/account_deleted",
)
def _account() -> dict:
    return {}


@preview("account/email/email_deleted")
def _account_email_deleted() -> dict:
    return {"deleted_email": "old-address@example.com"}


@preview("account/email/email_changed")
def _account_email_changed() -> dict:
    return {"from_email": "old-address@example.com", "to_email": DEMO_RECIPIENT}


@preview("account/email/email_change_requested")
def _account_email_change_requested() -> dict:
    return {"new_email": "new-address@example.com"}


@preview("account/email/email_confirmation", "account/email/email_confirmation_signup")
def _account_confirmation() -> dict:
    return {"activate_url": _site("/accounts/confirm-email/MTI:1vQ2xR:c2lnbmF0dXJlLXNpZ25hdHVyZQ/")}


@preview("account/email/password_reset_key")
def _account_reset() -> dict:
    return {"password_reset_url": _site("/accounts/password/reset/key/4-c8a1d2-0f9e8d7c6b5a4f3e2d1c/")}


@preview("account/email/staff_enrolment")
def _account_staff() -> dict:
    return {"enrolment_url": _site("/accounts/staff/enrol/eyJ1c2VyIjo0fQ:1vQ2xR:c2lnbmF0dXJl/")}


@preview("account/email/unknown_account")
def _account_unknown() -> dict:
    return {"signup_url": _site("/accounts/signup/")}


@preview(
    "mfa/email/recovery_codes_generated",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
    "mfa/email/webauthn_added",
    "mfa/email/webauthn_removed",
)
def _mfa() -> dict:
    return {}

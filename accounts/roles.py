"""The staff roles and exactly the model permissions each needs.

Each entry is ``app_label: {model: [actions]}``; ``sync_roles`` makes the groups match.
Apps that add models add their permissions here.
"""

from django.utils.translation import gettext_lazy as _

OFFICERS = "Officers"
TIP_REVIEWERS = "Tip reviewers"
ALERT_APPROVERS = "Alert approvers"

ROLE_DESCRIPTIONS = {
    OFFICERS: _("Run programs and meetings, read the outbox and the audit log."),
    TIP_REVIEWERS: _("Read and triage anonymous tips. Give it to as few officers as the work needs."),
    ALERT_APPROVERS: _("Publish, update and cancel safety alerts when ALERTS_REQUIRE_APPROVAL is on."),
}

ROLE_PERMISSIONS: dict[str, dict[str, dict[str, list[str]]]] = {
    OFFICERS: {
        "neighbourhoods": {"neighbourhood": ["view", "add", "change"]},
        "accounts": {"profile": ["view"]},
        "audit": {"auditentry": ["view"]},
        "outbox": {"email": ["view"]},
        # Subscriptions change through services only (each change leaves a consent record); no deletes.
        "newsletters": {
            "newsletter": ["view", "add", "change"],
            "subscription": ["view", "change"],
            "consentrecord": ["view"],
            "suppression": ["view", "add"],
            "newsletterdelivery": ["view"],
            "digestdelivery": ["view"],
        },
        # Officers draft alerts; with ALERTS_REQUIRE_APPROVAL on, only Alert approvers send them.
        "alerts": {"alert": ["view", "add", "change", "delete"], "alertrevision": ["view"], "alertrecipient": ["view"]},
        # Groups change only through services (approval, posts); officers may remove a membership.
        "watch": {
            "watchgroup": ["view", "change"],
            "membership": ["view", "delete"],
            "post": ["view"],
            "concern": ["view", "change"],
        },
        "programs": {
            "program": ["view", "add", "change"],
            "programsession": ["view", "add", "change", "delete"],
            "programquestion": ["view", "add", "change", "delete"],
            # Applications change only through the admin actions (services); never added or deleted.
            "application": ["view", "change"],
            "guardianconsent": ["view"],
            "attendance": ["view", "add", "change"],
        },
        "meetings": {
            "meeting": ["view", "add", "change"],
            "agendaitem": ["view", "add", "change", "delete"],
            "rsvp": ["view", "change"],
            "question": ["view", "change"],
            "feedback": ["view"],
            "feedbackresponse": ["view", "add", "change"],
        },
        # Actions change through services (the timeline is written by them); none is deleted.
        "actions": {"actionitem": ["view", "add", "change"], "actionupdate": ["view"]},
        # Findings and debriefs change through services (review, merge); residents write them.
        "audits": {
            "checklisttemplate": ["view", "add", "change"],
            "checklistitem": ["view", "add", "change", "delete"],
            "auditwalk": ["view", "add", "change"],
            "finding": ["view", "change"],
            "checklistanswer": ["view"],
            "findingphoto": ["view"],
            "drillplan": ["view", "add", "change"],
            "debriefanswer": ["view", "change"],
        },
    },
    # Tips and their categories belong to this group alone (Officers hold none of these).
    # Tips are never added or deleted by hand; the audit log is read-only.
    TIP_REVIEWERS: {
        "tips": {"tip": ["view", "change"], "tipcategory": ["view", "add", "change"], "tipauditentry": ["view"]},
    },
    ALERT_APPROVERS: {"alerts": {"alert": ["view", "change", "publish"]}},
}

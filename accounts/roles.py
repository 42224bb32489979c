"""The staff roles and exactly the model permissions each needs.

Each entry is ``app_label: {model: [actions]}``; ``sync_roles`` makes the groups match.
Apps that add models add their permissions here.
"""

from django.utils.translation import gettext_lazy as _

OFFICERS = "Officers"
TIP_REVIEWERS = "Tip reviewers"

ROLE_DESCRIPTIONS = {
    OFFICERS: _("Run programs and meetings, read the outbox and the audit log."),
    TIP_REVIEWERS: _("Read and triage anonymous tips. Give it to as few officers as the work needs."),
}

ROLE_PERMISSIONS: dict[str, dict[str, dict[str, list[str]]]] = {
    OFFICERS: {
        "neighbourhoods": {"neighbourhood": ["view", "add", "change"]},
        "accounts": {"profile": ["view"]},
        "audit": {"auditentry": ["view"]},
        "outbox": {"email": ["view"]},
    },
    TIP_REVIEWERS: {},
}

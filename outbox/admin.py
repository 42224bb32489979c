from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import path

from accounts.roles import TIP_REVIEWERS
from audit.mixins import AuditedModelAdmin
from outbox.models import Email


def _for_tip_reviewers() -> Q:
    """Rows about the tip line, or to a Tip reviewer's address (their password resets included)."""
    from allauth.account.models import EmailAddress

    reviewers = get_user_model().objects.filter(groups__name=TIP_REVIEWERS)
    return (
        Q(template__startswith="tips/")
        | Q(Exists(reviewers.filter(email__iexact=OuterRef("to"))))
        | Q(Exists(EmailAddress.objects.filter(user__in=reviewers, email__iexact=OuterRef("to"))))
    )


@admin.register(Email)
class EmailAdmin(AuditedModelAdmin):
    """Read-only view of who was e-mailed what kind of message, and whether it went out.

    Never the context: it is sealed, and erased once sent (outbox.sealing); links that grant access
    live only in the message itself. Rows for the tip line's reviewers are shown to reviewers only.
    """

    list_display = [
        "created_at",
        "to",
        "template",
        "language",
        "kind",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    # The list is the whole view: rows have sequential ids, and a page per row (or a filter by id)
    # would let an officer find the ids hidden from them: a gap just after an hour says that tips
    # arrived in it (the reviewers' "new tips" e-mails are the hidden rows).
    list_display_links = None
    list_filter = ["status", "kind"]
    search_fields = ["to", "template"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__", 1)[0] in ("id", "pk"):
            raise DisallowedModelAdminLookup(f"Filtering by {lookup} is not allowed")
        return super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser or user.groups.filter(name=TIP_REVIEWERS).exists():
            return queryset
        return queryset.exclude(_for_tip_reviewers())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

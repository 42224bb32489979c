from django.contrib import admin

from audit.mixins import AuditedModelAdmin
from outbox.models import Email


@admin.register(Email)
class EmailAdmin(AuditedModelAdmin):
    """Read-only view of what the portal sent, is sending, or failed to send."""

    list_display = ["created_at", "to", "template", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "template"]
    search_fields = ["to", "idempotency_key"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in Email._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

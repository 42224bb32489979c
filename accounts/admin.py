from django.contrib import admin

from accounts.models import Profile
from audit.mixins import AuditedModelAdmin


@admin.register(Profile)
class ProfileAdmin(AuditedModelAdmin):
    list_display = ["user", "display_name", "home_neighbourhood", "preferred_language"]
    list_filter = ["home_neighbourhood", "preferred_language"]
    search_fields = ["user__email", "display_name"]
    list_select_related = ["user", "home_neighbourhood"]
    autocomplete_fields = ["user"]
    show_full_result_count = False

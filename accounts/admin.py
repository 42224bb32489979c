from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from accounts.models import Profile
from accounts.staff_access import staff_access_changed


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "home_neighbourhood", "preferred_language"]
    list_filter = ["home_neighbourhood", "preferred_language"]
    search_fields = ["user__email", "display_name"]
    list_select_related = ["user", "home_neighbourhood"]
    autocomplete_fields = ["user"]
    show_full_result_count = False


# The user and role admins of django.contrib.auth, telling features when staff access may have shrunk.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # Roles and permissions are saved here.
        if change:
            staff_access_changed(user_ids=[form.instance.pk], actor=request.user)


@admin.register(Group)
class StaffGroupAdmin(GroupAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            staff_access_changed(user_ids=form.instance.user_set.values_list("pk", flat=True), actor=request.user)

    def delete_model(self, request, obj):
        members = list(obj.user_set.values_list("pk", flat=True))
        super().delete_model(request, obj)
        staff_access_changed(user_ids=members, actor=request.user)

    def delete_queryset(self, request, queryset):
        members = list(get_user_model().objects.filter(groups__in=queryset).values_list("pk", flat=True).distinct())
        super().delete_queryset(request, queryset)
        staff_access_changed(user_ids=members, actor=request.user)

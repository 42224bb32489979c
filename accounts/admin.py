from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Profile
from accounts.staff_access import staff_access_changed
from audit.mixins import AuditedModelAdmin


@admin.register(Profile)
class ProfileAdmin(AuditedModelAdmin):
    list_display = ["user", "display_name", "home_neighbourhood", "preferred_language"]
    list_filter = ["home_neighbourhood", "preferred_language"]
    search_fields = ["user__email", "display_name"]
    list_select_related = ["user__profile", "home_neighbourhood"]
    autocomplete_fields = ["user"]
    show_full_result_count = False


# The user and role admins of django.contrib.auth, telling features when staff access may have shrunk.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.action(description=_("E-mail a second-factor enrolment link"), permissions=["enrol"])
def send_staff_enrolment_link(modeladmin, request, queryset):
    for user in queryset:
        try:
            services.staff_enrolment_issue(user=user, issued_by=request.user)
        except services.EnrolmentError as error:
            modeladmin.message_user(request, f"{user}: {error}", messages.ERROR)
        else:
            modeladmin.message_user(request, _("%(user)s: enrolment link sent.") % {"user": user}, messages.SUCCESS)


@admin.register(User)
class StaffUserAdmin(AuditedModelAdmin, UserAdmin):
    """Django's user admin, which e-mails an enrolment link when it makes someone staff (a new staff
    member sets up their second factor only through that link, portal/middleware.py; factors set up
    before, as a resident, are dropped) and tells features when staff access may have shrunk."""

    actions = [send_staff_enrolment_link]

    def get_queryset(self, request):
        # Pickers and autocompletes name people by accounts.selectors.resident_label (the profile's name).
        return super().get_queryset(request).select_related("profile")

    def has_enrol_permission(self, request) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        was_staff = change and User.objects.filter(pk=obj.pk, is_staff=True).exists()
        super().save_model(request, obj, form, change)
        if obj.is_staff and not was_staff:
            try:
                services.staff_member_promoted(user=obj, promoted_by=request.user)
            except services.EnrolmentError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(
                    request, _("An enrolment link for a second factor was e-mailed to %(user)s.") % {"user": obj}
                )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # Roles and permissions are saved here.
        if change:
            staff_access_changed(user_ids=[form.instance.pk], actor=request.user)


@admin.register(Group)
class StaffGroupAdmin(AuditedModelAdmin, GroupAdmin):
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

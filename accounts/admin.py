from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "home_neighbourhood", "preferred_language"]
    list_filter = ["home_neighbourhood", "preferred_language"]
    search_fields = ["user__email", "display_name"]
    list_select_related = ["user", "home_neighbourhood"]
    autocomplete_fields = ["user"]
    show_full_result_count = False


User = get_user_model()
admin.site.unregister(User)


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
class StaffAwareUserAdmin(UserAdmin):
    """Django's user admin, which also e-mails an enrolment link when it makes someone staff.

    A new staff member sets up their second factor only through that link (portal/middleware.py).
    """

    actions = [send_staff_enrolment_link]

    def has_enrol_permission(self, request) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        was_staff = change and User.objects.filter(pk=obj.pk, is_staff=True).exists()
        super().save_model(request, obj, form, change)
        if obj.is_staff and not was_staff:
            try:
                services.staff_enrolment_issue(user=obj, issued_by=request.user)
            except services.EnrolmentError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(
                    request, _("An enrolment link for a second factor was e-mailed to %(user)s.") % {"user": obj}
                )

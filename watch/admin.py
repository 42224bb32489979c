from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import OFFICERS
from accounts.selectors import resident_label
from actions.admin import SourceActionsMixin
from audit.mixins import AuditedModelAdmin
from portal.desk import queue_filter
from portal.text import TextCleaningFormMixin
from watch import selectors, services
from watch.forms import WatchGroupDeclineForm
from watch.models import Concern, Membership, Post, WatchGroup


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "status", "created_at", "approved_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class PostInline(admin.StackedInline):
    model = Post
    fields = ["title", "author", "author_role", "created_at", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LiaisonFilter(admin.SimpleListFilter):
    """Approved groups whose liaison left or lost the officer role have none: the desk finds them here."""

    title = _("liaison officer")
    parameter_name = "liaison"

    def lookups(self, request, model_admin):
        return [("none", _("No active liaison")), ("active", _("Has an active liaison"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(status=WatchGroup.Status.APPROVED, has_active_liaison=False)
        if self.value() == "active":
            return queryset.filter(has_active_liaison=True)
        return queryset


@admin.register(WatchGroup)
class WatchGroupAdmin(AuditedModelAdmin):
    """Approving makes the officer the group's liaison; announcements are posted from the group's page."""

    list_display = ["name", "neighbourhood", "status", "liaison_shown", "coordinator", "created_at"]
    list_filter = ["status", LiaisonFilter, "neighbourhood"]
    search_fields = ["name", "description", "coordinator__email", "liaison__email"]
    list_select_related = ["neighbourhood", "liaison__profile", "coordinator__profile"]
    readonly_fields = ["status", "coordinator", "liaison", "approved_at", "decline_reason", "created_at"]
    fields = [
        "name",
        "slug",
        "neighbourhood",
        "description",
        "members_need_approval",
        "training_program",
        "meetings",
        "status",
        "coordinator",
        "liaison",
        "approved_at",
        "decline_reason",
        "created_at",
    ]
    filter_horizontal = ["meetings"]
    inlines = [MembershipInline, PostInline]
    actions = ["approve_selected", "take_liaison_role"]
    show_full_result_count = False

    def get_queryset(self, request):
        return selectors.with_liaison_state(super().get_queryset(request))

    @admin.display(description=_("liaison officer"), ordering="liaison")
    def liaison_shown(self, group):
        if group.status == WatchGroup.Status.APPROVED and not group.has_active_liaison:
            return format_html('<strong class="errornote">{}</strong>', _("None: take it over"))
        return group.liaison or "-"

    def has_add_permission(self, request):
        # Residents propose groups on the site; the proposer becomes the coordinator.
        return False

    def has_change_permission(self, request, obj=None):
        # Once a group has its liaison, only that officer (or a superuser) changes it.
        # A liaison who lost the officer role no longer holds the group: any officer may then change it.
        allowed = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser or selectors.active_liaison(obj) is None:
            return allowed
        return allowed and obj.liaison_id == request.user.pk

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/decline/", wrap(self.decline_view), name="watch_watchgroup_decline"),
            *super().get_urls(),
        ]

    def decline_view(self, request, pk):
        """Decline one proposed group, with the reason its coordinator is e-mailed."""
        group = get_object_or_404(WatchGroup, pk=pk)
        if not self.has_change_permission(request, group):
            raise PermissionDenied
        form = WatchGroupDeclineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.watch_group_decline(officer=request.user, group=group, reason=form.cleaned_data["reason"])
            except services.WatchError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Declined. The coordinator is e-mailed your reason."))
            return redirect(reverse("admin:watch_watchgroup_change", args=[group.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": group,
            "title": _("Decline “%(group)s”?") % {"group": group.name},
            "form": form,
        }
        return TemplateResponse(request, "admin/watch/watchgroup/decline.html", context)

    def _each_group(self, request, queryset, service) -> int:
        """Run an officer's ``service`` on each selected group; a refusal is shown, the rest go on."""
        done = 0
        for group in queryset:
            try:
                service(officer=request.user, group=group)
            except services.WatchError as error:
                self.message_user(request, f"{group}: {error}", messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Become the liaison of the selected groups without one"), permissions=["change"])
    def take_liaison_role(self, request, queryset):
        done = self._each_group(request, queryset, services.watch_group_liaison_take)
        if done:
            self.message_user(
                request,
                ngettext("You are now the liaison of %d group.", "You are now the liaison of %d groups.", done) % done,
            )

    @admin.action(description=_("Approve the selected groups (you become their liaison)"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done = self._each_group(request, queryset, services.watch_group_approve)
        if done:
            self.message_user(
                request,
                ngettext("%d group approved; you are its liaison.", "%d groups approved; you are their liaison.", done)
                % done,
            )


@admin.register(Post)
class PostAdmin(AuditedModelAdmin):
    list_display = ["title", "group", "author", "author_role", "created_at"]
    list_filter = ["author_role", "group__neighbourhood"]
    search_fields = ["title", "body", "group__name"]
    list_select_related = ["group", "author__profile"]
    readonly_fields = ["group", "author", "author_role", "title", "body", "created_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


class ConcernAdminForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["status", "assigned_to", "reply"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "reply": _("E-mailed once to the person who reported it, when you save. It cannot be changed after."),
        }

    def clean_reply(self):
        reply = self.cleaned_data.get("reply", "")
        reporter = self.instance.reporter
        if reply.strip() and (reporter is None or not reporter.email):
            raise forms.ValidationError(
                _("The person who reported this concern has deleted their account: no reply can reach them.")
            )
        return reply


@admin.register(Concern)
class ConcernAdmin(SourceActionsMixin, AuditedModelAdmin):
    """Officers read a concern, set its status and who handles it, and reply to the resident (watch.services).

    Other apps add to it (e.g. "make an action" buttons) by extending ``get_urls``,
    ``change_form_template`` or ``fieldsets`` like any ModelAdmin."""

    form = ConcernAdminForm
    list_display = ["subject", "group", "reporter_name", "status", "assigned_to", "created_at", "replied_at"]
    list_filter = [
        queue_filter(
            title=_("reply"),
            parameter_name="waiting_for_reply",
            label=_("Waiting for a reply"),
            selector=selectors.concerns_without_reply,
        ),
        "status",
        "group__neighbourhood",
    ]
    search_fields = ["subject", "body", "group__name"]
    list_select_related = ["group", "reporter__profile", "assigned_to__profile"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["group", "reporter_name", "created_at", "subject", "body"]}),
        (_("Handling"), {"fields": ["status", "assigned_to"]}),
        (_("Reply to the resident"), {"fields": ["reply", "replied_at", "replied_by"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["group", "reporter_name", "created_at", "subject", "body", "replied_at", "replied_by"]
        if obj is not None and obj.replied_at is not None:
            fixed.append("reply")
        return [*super().get_readonly_fields(request, obj), *fixed]

    @admin.display(description=_("reported by"))
    def reporter_name(self, concern: Concern) -> str:
        if concern.reporter is None:
            return _("(account deleted)")
        return resident_label(concern.reporter)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = (
                get_user_model().objects.filter(groups__name=OFFICERS, is_active=True, is_staff=True).order_by("email")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the services: the triage is audited, and the reply is e-mailed once.
        try:
            services.concern_triage(
                concern=obj, actor=request.user, status=obj.status, assigned_to=form.cleaned_data["assigned_to"]
            )
            if "reply" in form.changed_data and form.cleaned_data["reply"].strip():
                services.concern_reply(concern=obj, actor=request.user, reply=form.cleaned_data["reply"])
                self.message_user(request, _("Your reply was e-mailed to the resident."), messages.SUCCESS)
        except services.WatchError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)

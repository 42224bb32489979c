"""The tip inbox. Only "Tip reviewers" hold the permissions these pages check (accounts/roles.py).

Opening a tip and downloading a file are logged (``TipAuditEntry``); every change goes through
tips/services.py, which logs it too. Reviewers can neither add nor delete tips: tips come from the
public form and leave through the retention task.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from accounts.roles import TIP_REVIEWERS
from portal.admin_forms import LabelledFormsMixin
from portal.desk import queue_filter
from portal.text import TextCleaningFormMixin
from portal.translated import TranslationsAdminMixin, translatable_form
from tips import selectors, services
from tips.models import Tip, TipAttachment, TipAuditEntry, TipCategory


def _require_recorded_view(tip: Tip) -> None:
    """Refuse to decrypt a tip for a page whose view was not logged (``TipAdmin.change_view`` logs it)."""
    if not getattr(tip, "view_recorded", False):
        raise PermissionDenied("A tip is shown only on a page whose view was logged.")


@translatable_form
class TipCategoryForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = TipCategory
        fields = ["name", "slug", "position", "is_active"]


@admin.register(TipCategory)
class TipCategoryAdmin(TranslationsAdminMixin, LabelledFormsMixin, admin.ModelAdmin):
    form = TipCategoryForm
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Tips point at their category; retire one by unticking "offered to tipsters".
        return False


class TipAdminForm(TextCleaningFormMixin, forms.ModelForm):
    reply = forms.CharField(
        label=_("Message to the tipster"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A question or an answer. The tipster reads it only when they come back with their receipt "
            "phrase; we cannot tell them it is there."
        ),
    )
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For tip reviewers only; the tipster never sees it."),
    )

    class Meta:
        model = Tip
        fields = ["status", "category", "neighbourhood", "assigned_to", "reward_eligible"]


@admin.register(Tip)
class TipAdmin(LabelledFormsMixin, admin.ModelAdmin):
    form = TipAdminForm
    list_display = [
        "reference",
        "status",
        "category",
        "neighbourhood",
        "assigned_to",
        "reward_eligible",
        "tipster_wrote",
        "received_at",
    ]
    list_filter = [
        "status",
        "category",
        "neighbourhood",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
        "reward_eligible",
        "tipster_wrote",
        queue_filter(
            title=_("activity"),
            parameter_name="no_activity",
            label=_("No activity for a while"),
            selector=selectors.tips_without_activity,
        ),
    ]
    search_fields = ["reference"]
    list_select_related = ["category", "neighbourhood", "assigned_to__profile"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["mark_in_review", "mark_closed", "mark_spam"]
    readonly_fields = ["reference", "received_at", "closed_at", "report", "files", "conversation", "internal_notes"]
    fieldsets = [
        (None, {"fields": ["reference", "received_at", "report", "files"]}),
        (
            _("Triage"),
            {"fields": ["status", "category", "neighbourhood", "assigned_to", "reward_eligible", "closed_at"]},
        ),
        (_("Conversation with the tipster"), {"fields": ["conversation", "reply"]}),
        (_("Internal notes"), {"fields": ["internal_notes", "note"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A tip appears once its hour is over and it is settled (tips.services.tips_settle): a
        # reviewer's exact-time view or change can then never fall inside the hour it arrived in.
        return super().get_queryset(request).filter(settled=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(groups__name=TIP_REVIEWERS, is_active=True, is_staff=True)
                .order_by("email")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- What the reviewer reads (decrypted only here, on the change page) ----------------------

    @admin.display(description=_("Tip"))
    def report(self, tip: Tip):
        _require_recorded_view(tip)
        content = selectors.tip_content(tip)
        return format_html(
            "<dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
            _("What happened"),
            linebreaks_filter(content["what"]),
            _("Where"),
            content["where"] or "—",
            _("When"),
            content["when"] or "—",
        )

    @admin.display(description=_("Files"))
    def files(self, tip: Tip):
        _require_recorded_view(tip)
        attachments = selectors.tip_attachments(tip)
        if not attachments:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({}, {} KB)</li>',
                (
                    (
                        reverse("admin:tips_tip_attachment", args=[attachment.pk]),
                        attachment.filename,
                        attachment.get_kind_display(),
                        max(1, attachment.size // 1024),
                    )
                    for attachment in attachments
                ),
            ),
        )

    @admin.display(description=_("Messages"))
    def conversation(self, tip: Tip):
        _require_recorded_view(tip)
        messages_ = selectors.tip_messages(tip, settled_only=True)
        if not messages_:
            return _("No messages yet.")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li><strong>{}</strong> ({}): {}</li>",
                (
                    (
                        _("Tipster") if message.from_tipster else message.reviewer_email or _("Reviewer"),
                        f"{timezone.localtime(message.created_at):%Y-%m-%d %H:00}",
                        linebreaks_filter(message.text),
                    )
                    for message in messages_
                ),
            ),
        )

    @admin.display(description=_("Notes"))
    def internal_notes(self, tip: Tip):
        _require_recorded_view(tip)
        notes = selectors.tip_notes(tip)
        if not notes:
            return _("No notes yet.")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li><strong>{}</strong> ({}): {}</li>",
                (
                    (
                        note.author.email if note.author else "—",
                        f"{timezone.localtime(note.created_at):%Y-%m-%d %H:%M}",
                        linebreaks_filter(text),
                    )
                    for note, text in notes
                ),
            ),
        )

    # --- Logging views, changing through the services ------------------------------------------

    @method_decorator(sensitive_post_parameters("reply", "note"))
    @method_decorator(sensitive_variables())
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Any page that will show the decrypted tip is logged before it is rendered, whatever the
        # method or status: a GET, a POST re-shown with a mistake, a popup. If the entry cannot be
        # written, the page fails instead of showing the tip unrecorded.
        tip = getattr(response, "context_data", None) and response.context_data.get("original")
        if isinstance(tip, Tip):
            services.tip_record_view(tip=tip, actor=request.user)
            tip.view_recorded = True
        return response

    @method_decorator(sensitive_variables())
    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in services.TRIAGE_FIELDS}
        if changes:
            services.tip_triage(tip=obj, actor=request.user, **changes)
        if form.cleaned_data.get("reply"):
            services.tip_reply(tip=obj, actor=request.user, text=form.cleaned_data["reply"])
        if form.cleaned_data.get("note"):
            services.tip_note_add(tip=obj, actor=request.user, text=form.cleaned_data["note"])

    def save_related(self, request, form, formsets, change):
        # Nothing related is edited here; the services wrote messages and notes already.
        pass

    def get_urls(self):
        return [
            path(
                "attachment/<uuid:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="tips_tip_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, attachment_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = get_object_or_404(
            TipAttachment.objects.select_related("tip"), pk=attachment_id, settled=True, tip__settled=True
        )
        data = services.tip_attachment_open(attachment=attachment, actor=request.user)
        response = HttpResponse(data, content_type=attachment.content_type)
        response["Content-Disposition"] = f'attachment; filename="{attachment.tip.reference}-{attachment.filename}"'
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    # --- Bulk actions -------------------------------------------------------------------------

    def _set_status(self, request, queryset, status):
        changed = sum(1 for tip in queryset if services.tip_triage(tip=tip, actor=request.user, status=status))
        self.message_user(
            request,
            ngettext("%(count)d tip marked “%(status)s”.", "%(count)d tips marked “%(status)s”.", changed)
            % {"count": changed, "status": Tip.Status(status).label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as in review"), permissions=["change"])
    def mark_in_review(self, request, queryset):
        self._set_status(request, queryset, Tip.Status.IN_REVIEW)

    @admin.action(description=_("Close"), permissions=["change"])
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, Tip.Status.CLOSED)

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Tip.Status.SPAM)


@admin.register(TipAuditEntry)
class TipAuditEntryAdmin(LabelledFormsMixin, admin.ModelAdmin):
    """Read-only evidence: nobody adds, edits or deletes entries from the admin."""

    list_display = ["at", "actor_email", "action", "tip_reference"]
    list_filter = ["action"]
    search_fields = ["tip_reference", "actor_email"]
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = ["at", "actor", "actor_email", "action", "tip_reference", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

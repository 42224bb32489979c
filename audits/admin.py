"""The officers' desk for safety audits and drills: every change of state goes through ``audits.services``."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.admin import SourceActionsMixin
from audit.mixins import AuditedModelAdmin
from audits import selectors, services
from audits.models import (
    AuditWalk,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    DebriefAnswer,
    DrillPlan,
    Finding,
)
from portal.text import TextCleaningFormMixin
from portal.translated import TranslationsAdminMixin, translatable_form, translation_fieldsets, with_translations


@translatable_form
class ChecklistItemForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["position", "theme", "text"]


class ChecklistItemInline(TranslationsAdminMixin, admin.TabularInline):
    model = ChecklistItem
    form = ChecklistItemForm
    extra = 1
    fields = with_translations(ChecklistItem, ["position", "theme", "text"])


@translatable_form
class ChecklistTemplateForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["name", "description", "is_active"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(TranslationsAdminMixin, AuditedModelAdmin):
    form = ChecklistTemplateForm
    inlines = [ChecklistItemInline]
    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    fieldsets = [
        (None, {"fields": ["name", "description", "is_active"]}),
        *translation_fieldsets(ChecklistTemplate, ["name", "description"]),
    ]


@admin.register(AuditWalk)
class AuditWalkAdmin(AuditedModelAdmin):
    list_display = ["area", "meeting", "template", "previous_walk", "report_published_at"]
    list_select_related = ["meeting", "template", "previous_walk__meeting"]
    list_filter = ["meeting__neighbourhood", ("report_published_at", admin.EmptyFieldListFilter)]
    search_fields = ["area", "meeting__title"]
    fields = ["meeting", "area", "template", "previous_walk", "report_published_at", "report_link"]
    readonly_fields = ["report_published_at", "report_link"]
    actions = ["publish_report"]
    show_full_result_count = False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "template":
            kwargs["queryset"] = ChecklistTemplate.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("public report"))
    def report_link(self, walk: AuditWalk) -> str:
        if walk.pk is None or walk.report_published_at is None:
            return _("Not published yet: review the findings, then use the action “Publish the report”.")
        return format_html('<a href="{}">{}</a>', walk.get_absolute_url(), _("Open the report"))

    @admin.action(description=gettext_lazy("Publish the report of the selected walks"), permissions=["change"])
    def publish_report(self, request, queryset):
        for walk in queryset:
            try:
                services.walk_report_publish(walk=walk, by=request.user)
            except services.AuditError as error:
                self.message_user(request, f"{walk.area}: {error}", messages.ERROR)
            else:
                self.message_user(request, _("%(area)s: report published.") % {"area": walk.area}, messages.SUCCESS)


class ChecklistAnswerInline(admin.TabularInline):
    model = ChecklistAnswer
    fields = ["item", "rating", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(SourceActionsMixin, AuditedModelAdmin):
    list_display = ["short_notes", "walk", "status", "duplicate_of", "photo_count", "created_at"]
    list_filter = ["status", "walk"]
    list_select_related = ["walk", "walk__meeting", "duplicate_of__walk"]
    search_fields = ["notes", "address"]
    show_full_result_count = False
    inlines = [ChecklistAnswerInline]
    fields = [
        "walk",
        "status",
        "duplicate_of",
        "notes",
        "address",
        "map_cell",
        "latitude",
        "longitude",
        "photo_links",
        "merged_texts",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["review", "dismiss", "merge", "make_actions"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("photos")

    @admin.display(description=gettext_lazy("notes"))
    def short_notes(self, finding: Finding) -> str:
        return finding.notes[:80] or finding.address[:80] or "—"

    @admin.display(description=gettext_lazy("photos"))
    def photo_count(self, finding: Finding) -> int:
        return len(finding.photos.all())

    @admin.display(description=gettext_lazy("photos"))
    def photo_links(self, finding: Finding) -> str:
        return (
            format_html_join(
                " ",
                '<a href="{}"><img src="{}" alt="{}" width="160"></a>',
                (
                    (photo.get_absolute_url(), photo.get_absolute_url(), _("Photo %(number)s") % {"number": number})
                    for number, photo in enumerate(finding.photos.all(), start=1)
                ),
            )
            or "—"
        )

    @admin.display(description=gettext_lazy("texts of merged duplicates"))
    def merged_texts(self, finding: Finding) -> str:
        texts = [duplicate.notes for duplicate in finding.duplicates.all() if duplicate.notes]
        return format_html_join("", "<p>{}</p>", ((text,) for text in texts)) or "—"

    def _each(self, request, queryset, service, success: str) -> None:
        done = 0
        for finding in queryset:
            try:
                service(finding=finding, by=request.user)
            except services.AuditError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Mark the selected findings reviewed"), permissions=["change"])
    def review(self, request, queryset):
        self._each(request, queryset, services.finding_review, _("%(count)s finding(s) reviewed."))

    @admin.action(description=gettext_lazy("Dismiss the selected findings"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._each(request, queryset, services.finding_dismiss, _("%(count)s finding(s) dismissed."))

    @admin.action(
        description=gettext_lazy("Merge the selected findings into the earliest one (duplicates)"),
        permissions=["change"],
    )
    def merge(self, request, queryset):
        findings = list(queryset.order_by("created_at", "id"))
        if len(findings) < 2:
            self.message_user(request, _("Select at least two findings of the same walk to merge."), messages.ERROR)
            return
        kept, duplicates = findings[0], findings[1:]
        try:
            for duplicate in duplicates:
                services.finding_merge(duplicate=duplicate, kept=kept, by=request.user)
        except services.AuditError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            _("%(count)s finding(s) merged into the one recorded first.") % {"count": len(duplicates)},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Make an action of each selected finding"), permissions=["change"])
    def make_actions(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda finding, by: services.finding_make_action(finding=finding, by=by),
            _("%(count)s action(s) created, as proposed: set their owner and due date on the action."),
        )


class DebriefAnswerInline(admin.TabularInline):
    model = DebriefAnswer
    fields = ["knew_what_to_do", "went_well", "to_improve", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@translatable_form
class DrillPlanForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = DrillPlan
        fields = ["meeting", "scenario", "roles", "materials", "summary"]


@admin.register(DrillPlan)
class DrillPlanAdmin(TranslationsAdminMixin, AuditedModelAdmin):
    form = DrillPlanForm
    inlines = [DebriefAnswerInline]
    list_display = ["meeting", "summary_published_at", "answer_count"]
    list_select_related = ["meeting"]
    readonly_fields = ["summary_published_at", "results"]
    actions = ["publish_summary"]
    fieldsets = [
        (None, {"fields": ["meeting", "scenario", "roles", "materials"]}),
        (gettext_lazy("After the drill"), {"fields": ["results", "summary", "summary_published_at"]}),
        *translation_fieldsets(DrillPlan, ["scenario", "roles", "materials", "summary"]),
    ]

    @admin.display(description=gettext_lazy("answers"))
    def answer_count(self, drill: DrillPlan) -> int:
        return drill.debrief_answers.count()

    @admin.display(description=gettext_lazy("did they know what to do?"))
    def results(self, drill: DrillPlan) -> str:
        if drill.pk is None:
            return "—"
        results = selectors.debrief_results(drill)
        if results["counts"] is None:
            return _("Shown once five people have answered.")
        return " · ".join(f"{label}: {count}" for label, count in results["counts"])

    @admin.action(
        description=gettext_lazy("Publish the debrief summary of the selected drills"), permissions=["change"]
    )
    def publish_summary(self, request, queryset):
        for drill in queryset.select_related("meeting"):
            try:
                services.debrief_summary_publish(drill=drill, by=request.user)
            except services.AuditError as error:
                self.message_user(request, f"{drill}: {error}", messages.ERROR)
            else:
                self.message_user(request, _("%(drill)s: summary published.") % {"drill": drill}, messages.SUCCESS)


@admin.register(DebriefAnswer)
class DebriefAnswerAdmin(SourceActionsMixin, AuditedModelAdmin):
    list_display = ["drill", "knew_what_to_do", "short_to_improve", "created_at"]
    list_filter = ["knew_what_to_do", "drill"]
    list_select_related = ["drill__meeting"]
    fields = ["drill", "knew_what_to_do", "went_well", "to_improve", "created_at"]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("what to improve"))
    def short_to_improve(self, answer: DebriefAnswer) -> str:
        return answer.to_improve[:100] or "—"

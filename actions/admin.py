"""The officers' desk for action plans: every write goes through ``actions.services``.

Any source's admin can offer "Make an action": ``make_action_url(obj)`` opens the action's add
form prefilled from the source (its text, neighbourhood and the link back), ``make_action_button``
renders that link with the actions already made, and ``SourceActionsMixin`` adds both (a read-only
field and an admin action) to a ModelAdmin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions import desk, selectors, services, sources
from actions.models import ActionItem, ActionUpdate
from audit.mixins import AuditedModelAdmin
from portal.desk import queue_filter
from portal.text import TextCleaningFormMixin
from portal.translated import TranslationsAdminMixin, translatable_form, translation_fieldsets

SOURCE_PARAMETER = "source"


def make_action_url(obj) -> str:
    """The action add form, prefilled from ``obj`` (a registered source) and linked to it."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return reverse("admin:actions_actionitem_add") + "?" + urlencode({SOURCE_PARAMETER: f"{content_type.pk}:{obj.pk}"})


def source_from_parameter(value: str | None):
    """The registered source object a ``?source=<content type>:<id>`` names, or None."""
    content_type_id, _sep, object_id = (value or "").partition(":")
    if not (content_type_id.isdigit() and object_id.isdigit()):
        return None
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except ContentType.DoesNotExist:
        return None
    if model is None or sources.source_for(model) is None:
        return None
    try:
        return model._default_manager.get(pk=int(object_id))
    except ObjectDoesNotExist:
        return None


def make_action_button(obj) -> str:
    """The actions already made from ``obj`` (each linked to its admin page) and a "Make an action" link."""
    if obj is None or obj.pk is None:
        return "-"
    made = format_html_join(
        "",
        '<li><a href="{}">{}</a> ({})</li>',
        (
            (reverse("admin:actions_actionitem_change", args=[action.pk]), action.title, action.get_status_display())
            for action in selectors.actions_for_source(obj)
        ),
    )
    return format_html(
        '{}<a class="button" href="{}">{}</a>',
        format_html("<ul>{}</ul>", made) if made else "",
        make_action_url(obj),
        _("Make an action"),
    )


@admin.action(description=gettext_lazy("Make an action from the selected item"))
def make_action(modeladmin, request, queryset):
    """Admin action for a source's list: opens the prefilled add form for the one item selected."""
    objects = list(queryset[:2])
    if len(objects) != 1:
        modeladmin.message_user(request, _("Select exactly one item to make an action from."), messages.WARNING)
        return None
    return redirect(make_action_url(objects[0]))


class SourceActionsMixin:
    """For a source's ModelAdmin: its change page lists its actions with a "Make an action" link,
    and its list gets the "Make an action" admin action."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "action_items"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if any("action_items" in options.get("fields", ()) for _name, options in fieldsets):
            return fieldsets
        return [*fieldsets, (gettext_lazy("Action items"), {"fields": ["action_items"]})]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm("actions.add_actionitem"):
            actions["make_action"] = (make_action, "make_action", make_action.short_description)
        return actions

    @admin.display(description=gettext_lazy("action items"))
    def action_items(self, obj):
        return make_action_button(obj)


@translatable_form
class ActionItemForm(TextCleaningFormMixin, forms.ModelForm):
    note = forms.CharField(
        label=gettext_lazy("Note for the timeline"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown with the status change and in the e-mail to the people concerned."),
    )

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "description",
            "neighbourhood",
            "owner",
            "owner_officer",
            "due_date",
            "status",
            "status_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner_officer" in self.fields:
            self.fields["owner_officer"].queryset = self.fields["owner_officer"].queryset.filter(is_staff=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ActionItem.Status.NOT_POSSIBLE and not (cleaned.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Say publicly why the action is not possible."))
        source = self.instance.source if self.instance.pk else getattr(self.instance, "pending_source", None)
        try:
            # Every text on this form is published: the title, the timeline note, the owner, each translation.
            services.check_no_private_text(source, [value for value in cleaned.values() if isinstance(value, str)])
        except services.ActionError as error:
            raise forms.ValidationError(error.message) from None
        return cleaned


class ActionUpdateInline(TranslationsAdminMixin, admin.TabularInline):
    model = ActionUpdate
    fields = ["created_at", "status", "body", "author"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("timeline")

    # The timeline is written by the services only.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(TranslationsAdminMixin, AuditedModelAdmin):
    form = ActionItemForm
    inlines = [ActionUpdateInline]
    list_display = ["title", "neighbourhood", "status", "due_date", "source_kind", "owner", "updated_at"]
    list_filter = [
        queue_filter(
            title=gettext_lazy("due"),
            parameter_name="due_soon",
            label=gettext_lazy("Due within 7 days or overdue"),
            selector=lambda: desk.due_soon_or_overdue(),
        ),
        "status",
        "source_kind",
        "neighbourhood",
    ]
    search_fields = ["title", "owner"]
    list_select_related = ["neighbourhood"]
    show_full_result_count = False
    readonly_fields = ["came_from", "private_words", "done_on", "public_page"]
    actions = ["mark_planned", "mark_in_progress", "mark_done"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        status_fields = ["status", "status_reason", "note"] + (["done_on"] if obj else [])
        return [
            (
                None,
                {
                    "fields": ["came_from", "private_words", "title", "description", "neighbourhood"]
                    + (["public_page"] if obj else [])
                },
            ),
            (gettext_lazy("Who and when"), {"fields": ["owner", "owner_officer", "due_date"]}),
            (gettext_lazy("Status"), {"fields": status_fields}),
            *translation_fieldsets(ActionItem, ["title", "description", "status_reason"]),
        ]

    def _source(self, request):
        return source_from_parameter(request.GET.get(SOURCE_PARAMETER))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form
        source = self._source(request)

        class AddActionForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # The add form's "came from" and save_model read the source here (the unsaved instance).
                self.instance.pending_source = source

        return AddActionForm

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        source = self._source(request)
        if source is not None:
            prefill = sources.source_for(source).prefill(source)
            neighbourhood = prefill.get("neighbourhood")
            initial.update(
                title=prefill.get("title", ""),
                description=prefill.get("description", ""),
                neighbourhood=getattr(neighbourhood, "pk", neighbourhood),
            )
        initial.pop(SOURCE_PARAMETER, None)
        return initial

    @admin.display(description=gettext_lazy("came from"))
    def came_from(self, obj):
        source = obj.source if obj.pk else getattr(obj, "pending_source", None)
        if source is None:
            return _("Nothing (a new action)")
        registration = sources.source_for(source)
        try:
            link = reverse(f"admin:{source._meta.app_label}_{source._meta.model_name}_change", args=[source.pk])
        except NoReverseMatch:  # a source without its own admin page is named, not linked
            return f"{registration.label}: {source}"
        # The whole line is the link: a link inside text would need more than colour to stand out.
        return format_html('<a href="{}">{}: {}</a>', link, registration.label, str(source)[:120])

    @admin.display(description=gettext_lazy("what the resident wrote (private)"))
    def private_words(self, obj):
        # Shown to the officer to read, never prefilled: the action is public, the source's text is not.
        source = obj.source if obj.pk else getattr(obj, "pending_source", None)
        registration = sources.source_for(source) if source is not None else None
        texts = [text for text in (registration.private_text(source) if registration else []) if text]
        if not texts:
            return "-"
        return format_html(
            '{}<p class="help">{}</p>',
            format_html_join("", '<p class="private-words">“{}”</p>', ((text,) for text in texts)),
            _("Not published. The action is public: say what will be done in the department's own words."),
        )

    @admin.display(description=gettext_lazy("public page"))
    def public_page(self, obj):
        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The add form posts back to its own address, ?source= included.
        if object_id is None and request.GET.get(SOURCE_PARAMETER):
            form_url = form_url or ("?" + urlencode({SOURCE_PARAMETER: request.GET[SOURCE_PARAMETER]}))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                created = services.create_action(
                    by=request.user,
                    title=data["title"],
                    description=data.get("description", ""),
                    neighbourhood=data.get("neighbourhood"),
                    owner=data.get("owner", ""),
                    owner_officer=data.get("owner_officer"),
                    due_date=data.get("due_date"),
                    status=data["status"],
                    status_reason=data.get("status_reason", ""),
                    source=getattr(obj, "pending_source", None),
                    translations=obj.translations,
                )
                obj.pk, obj.code = created.pk, created.code
                return
            status_changed = "status" in form.changed_data
            new_status = obj.status
            if status_changed:
                obj.status = form.initial["status"]
            details = [name for name in form.changed_data if name in ActionItemForm.Meta.fields and name != "status"]
            if any(name.rsplit("_", 1)[0] in ActionItem.translated_fields for name in form.changed_data):
                details.append("translations")
            services.update_details(obj, by=request.user, fields=details)
            if status_changed:
                services.change_status(
                    obj, by=request.user, status=new_status, note=data.get("note", ""), reason=obj.status_reason
                )
            elif data.get("note", "").strip():
                services.add_update(obj, by=request.user, body=data["note"])
        except services.ActionError as error:
            self.message_user(request, str(error.message), messages.ERROR)

    def _set_status(self, request, queryset, status) -> None:
        done = 0
        for action in queryset:
            try:
                services.change_status(action, by=request.user, status=status)
            except services.ActionError as error:
                self.message_user(request, f"{action}: {error.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)s action(s) updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Mark selected actions planned"), permissions=["change"])
    def mark_planned(self, request, queryset):
        self._set_status(request, queryset, ActionItem.Status.PLANNED)

    @admin.action(description=gettext_lazy("Mark selected actions in progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, ActionItem.Status.IN_PROGRESS)

    @admin.action(description=gettext_lazy("Mark selected actions done"), permissions=["change"])
    def mark_done(self, request, queryset):
        self._set_status(request, queryset, ActionItem.Status.DONE)

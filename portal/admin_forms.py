"""Officers' forms in the admin: every input carries its own name, and times say their time zone.

The stock admin labels a field once, for its first input: a date-and-time field's time half, a
tabular inline's cells and a list-editable column have no label a screen reader can announce.
``LabelledFormsMixin`` (part of ``AuditedModelAdmin``; the tip line's admins, which keep their own
log, take it directly) gives its forms, its inlines' and its list-editable forms
``LabelledBoundField``, which names each input after its field.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each named ("Starts at: date"), in the city's time zone."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        label = context["widget"]["attrs"].get("aria-label")
        if label:
            for subwidget, part in zip(context["widget"]["subwidgets"], (_("date"), _("time")), strict=True):
                subwidget["attrs"]["aria-label"] = f"{label}: {part}"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        zone = timezone.get_current_timezone()
        return format_html(
            '{}<p class="help timezone-note">{}</p>',
            super().render(name, value, attrs, renderer),
            _("Time in %(zone)s (%(abbreviation)s).") % {"zone": zone, "abbreviation": timezone.localtime().tzname()},
        )


class LabelledBoundField(BoundField):
    def __init__(self, form, field, name):
        if type(field.widget) is AdminSplitDateTime:  # The form's own copy of the field: safe to change.
            labelled = LabelledSplitDateTime(attrs=field.widget.attrs)
            labelled.is_required = field.widget.is_required
            field.widget = labelled
        super().__init__(form, field, name)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # Radio buttons and checkbox lists are named by each option's own label.
        choices = isinstance(getattr(widget, "widget", widget), forms.RadioSelect)
        if not (widget.is_hidden or choices) and "aria-label" not in attrs and self.label:
            attrs["aria-label"] = str(self.label)
        return attrs


def labelled(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class`` (a class the admin just built for this request) naming each of its inputs."""
    form_class.bound_field_class = LabelledBoundField
    return form_class


class LabelledFormsMixin(admin.ModelAdmin):
    """Every input of the admin's form, its inlines' rows and its list-editable cells has its own name."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return labelled(super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return labelled(super().get_changelist_form(request, **kwargs))

    # People in pickers are named by accounts.selectors.resident_label: their profiles load with them.
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _with_profiles(db_field, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _with_profiles(db_field, super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            labelled(formset.form)
            yield formset, inline


def _with_profiles(db_field, formfield):
    if formfield is not None and db_field.related_model is get_user_model() and hasattr(formfield, "queryset"):
        formfield.queryset = formfield.queryset.select_related("profile")
    return formfield

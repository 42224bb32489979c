"""``{% load form_errors %}``: what the error summary and the page title need from a failed form."""

from django import template
from django.forms import BaseForm
from django.utils.translation import gettext as _

register = template.Library()


def _failed_forms(context) -> list[BaseForm]:
    forms = []
    for value in context.flatten().values():
        # type(), not isinstance(): isinstance would evaluate lazy values such as ``user`` and
        # ``csrf_token``, reading the session and setting a cookie on pages (tips) that must do neither.
        if issubclass(type(value), BaseForm) and value.is_bound and value.errors and value not in forms:
            forms.append(value)
    return forms


@register.simple_tag(takes_context=True)
def form_error_title_prefix(context) -> str:
    """ "Error: " before the page title when any form on the page came back with errors, so a
    screen-reader user hears at once that the submission failed (WCAG 3.3.1)."""
    return _("Error:") + " " if _failed_forms(context) else ""


@register.filter
def error_target(field) -> str:
    """The id the summary links a field's error to: the input itself, or a group's first option."""
    if field.field.widget.use_fieldset:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.filter
def error_summary_label(label) -> str:
    """A field's label as the summary puts it before its error: "Phone: …", but "Where? …" for a
    label that is a question ("¿Dónde? …"), never a doubled "?:"."""
    text = str(label).rstrip()
    return text if text.endswith(("?", "!", ":", ".")) else f"{text}:"


@register.simple_tag(takes_context=True)
def element_form(context):
    """The form an allauth form element is for: its ``form`` attribute, else the page's ``form``."""
    attrs = context.get("attrs") or {}
    form = attrs.get("form") or context.get("form")
    return form if issubclass(type(form), BaseForm) else None

"""Django's form renderer, with its simplest widget templates written in Python.

Every select and text-like input went through three or more of Django's widget templates (the
widget, one template per option, and the attributes' template for each), about a third of a
filter form's cost on an uncached page. These functions write the same HTML, byte for byte
(tests/portal/test_form_renderer.py compares them with Django's templates); any other widget
template, or a select whose options use another template, is still rendered by Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
OPTION_TEMPLATE = WIDGETS + "select_option.html"


def _shown(value) -> object:
    """What ``{{ value }}`` shows before escaping: local time, localized numbers."""
    return localize(template_localtime(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `` name="value"``, `` name`` for True, nothing for False."""
    return "".join(
        (
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        )
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(_shown(option['label']))}</option>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(_shown(group_name))}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


# Django's templates that only include input.html (checkbox.html too: its context carries "checked").
_INPUT_TEMPLATES = {
    WIDGETS + f"{kind}.html"
    for kind in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}


class FormRenderer(DjangoTemplates):
    """Django's default renderer; selects and inputs written in Python, the same HTML. Like
    Django's, it returns plain text, which the widget marks safe: every value is escaped here."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in _INPUT_TEMPLATES:
                return _input(widget)
            if template_name == WIDGETS + "select.html":
                html = _select(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request=request)

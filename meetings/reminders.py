"""The reminder times of a meeting as an officer chooses them: ticked presets and custom times,
read from and written to ``Meeting.reminder_offsets`` (a list of minutes before the start)."""

import re

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetings.models import MAX_REMINDER_OFFSET

PRESETS = [
    (7 * 24 * 60, _("1 week before")),
    (2 * 24 * 60, _("2 days before")),
    (24 * 60, _("1 day before")),
    (3 * 60, _("3 hours before")),
    (60, _("1 hour before")),
    (30, _("30 minutes before")),
]
PRESET_MINUTES = {minutes for minutes, _label in PRESETS}
# "90 min", "5 h", "2 hours", "45" (minutes), in English or Spanish.
_CUSTOM = re.compile(r"^(\d{1,5})\s*(m|min|mins|minute|minutes|minuto|minutos|h|hr|hrs|hour|hours|hora|horas)?$")


def describe_minutes(minutes: int) -> str:
    """``minutes`` as an officer would type it back: whole hours as hours, the rest as minutes."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


class ReminderOffsetsWidget(forms.Widget):
    """Checkboxes for the usual times and one text box for others, each with its own label.

    Rendered here rather than from a template: the form renderer reads only apps' templates."""

    def format_value(self, value):
        if isinstance(value, dict):  # A refused form: the officer's own ticks and typing, kept as they were.
            return {"ticked": set(value.get("ticked", ())), "custom": value.get("custom", "")}
        offsets = value if isinstance(value, list) else []
        return {
            "ticked": {str(minutes) for minutes in offsets if minutes in PRESET_MINUTES},
            "custom": ", ".join(
                describe_minutes(minutes)
                for minutes in offsets
                if isinstance(minutes, int) and minutes not in PRESET_MINUTES
            ),
        }

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        ticked = value["ticked"]
        base_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        presets = format_html_join(
            "",
            '<li><label for="{}_{}"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> {}</label></li>',
            (
                (
                    base_id,
                    index,
                    name,
                    minutes,
                    base_id,
                    index,
                    " checked" if str(minutes) in ticked else "",
                    label,
                )
                for index, (minutes, label) in enumerate(PRESETS)
            ),
        )
        return format_html(
            '<div class="reminder-offsets"><ul class="reminder-presets">{}</ul>'
            '<label for="{}_custom">{}</label> '
            '<input type="text" name="{}_custom" id="{}_custom" value="{}" aria-describedby="{}_custom_help"'
            ' autocomplete="off">'
            '<div class="help" id="{}_custom_help">{}</div></div>',
            presets,
            base_id,
            _("Other times before the start"),
            name,
            base_id,
            value["custom"],
            base_id,
            base_id,
            _("For example: 90 minutes, 5 hours. Separate several with commas."),
        )

    def value_from_datadict(self, data, files, name):
        return {"ticked": data.getlist(name), "custom": data.get(f"{name}_custom", "")}

    def value_omitted_from_data(self, data, files, name):
        return False  # No box ticked and nothing typed is a choice: no reminders.

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_


class ReminderOffsetsField(forms.Field):
    widget = ReminderOffsetsWidget
    default_error_messages = {
        "bad_preset": _("Choose reminder times from the list."),
        "bad_custom": _(
            "“%(value)s” is not a time before the start. Write a number of minutes or hours, "
            "for example 90 minutes or 5 hours."
        ),
        "too_far": _("A reminder can go out at most one week (%(max)s minutes) before the start: “%(value)s” is more."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        if isinstance(value, list):  # The stored value, as the model gives it.
            return value
        value = value or {}
        offsets = set()
        presets = {str(minutes): minutes for minutes in PRESET_MINUTES}
        for ticked in value.get("ticked", ()):
            # Matched as text: int() fails on some strings isdigit() accepts ("²", 5,000 digits).
            if ticked not in presets:
                raise forms.ValidationError(self.error_messages["bad_preset"], code="bad_preset")
            offsets.add(presets[ticked])
        for part in (value.get("custom") or "").split(","):
            text = " ".join(part.split()).lower()
            if not text:
                continue
            match = _CUSTOM.match(text)
            minutes = int(match[1]) * (60 if match and (match[2] or "m").startswith("h") else 1) if match else 0
            if minutes <= 0:
                raise forms.ValidationError(
                    self.error_messages["bad_custom"], code="bad_custom", params={"value": part.strip()}
                )
            if minutes > MAX_REMINDER_OFFSET:
                raise forms.ValidationError(
                    self.error_messages["too_far"],
                    code="too_far",
                    params={"value": part.strip(), "max": MAX_REMINDER_OFFSET},
                )
            offsets.add(minutes)
        return sorted(offsets, reverse=True)

    def has_changed(self, initial, data):
        try:
            return sorted(initial or [], reverse=True) != self.to_python(data)
        except forms.ValidationError:
            return True

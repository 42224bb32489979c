from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from alerts.services import AlertError, alert_validate
from portal.text import TextCleaningFormMixin
from portal.translated import translatable_form, translation_languages


@translatable_form
class AlertForm(TextCleaningFormMixin, forms.ModelForm):
    """The alert's content, for drafting and for updates; refuses an alert with no audience or no duration."""

    class Meta:
        model = Alert
        fields = [
            "headline",
            "event",
            "description",
            "instruction",
            "category",
            "severity",
            "urgency",
            "certainty",
            "city_wide",
            "neighbourhoods",
            "starts_at",
            "expires_at",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            alert_validate(
                city_wide=cleaned.get("city_wide", False),
                neighbourhoods=cleaned.get("neighbourhoods") or [],
                starts_at=cleaned["starts_at"],
                expires_at=cleaned["expires_at"],
            )
        except AlertError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


class AlertCancelForm(TextCleaningFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Why it is cancelled"),
        required=False,
        max_length=500,
        help_text=_("Sent to everyone who got the alert, e.g. “The child has been found safe.”"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The note in each other site language; an empty one sends the note above, marked.
        for language, name in translation_languages():
            self.fields[f"note_{language}"] = forms.CharField(
                label=format_lazy("{} ({})", _("Why it is cancelled"), name),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"lang": language}),
            )

    def note_translations(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(f"note_{language}", "") for language, _name in translation_languages()}

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.models import DebriefAnswer, Rating, map_cells
from portal.text import TextCleaningFormMixin
from portal.translated import translated
from tips.forms import MultipleFileField, MultipleFileInput

PHOTO_TYPES = "image/jpeg,image/png,image/gif,image/webp"


class FieldGroup:
    """Some of a form's fields, shaped like a form for ``includes/form_fields.html`` (the summary of
    errors is shown once, for the whole form, so a group reports none of its own)."""

    errors: dict = {}
    prefix = None

    def __init__(self, title: str, fields: list):
        self.title = title
        self.fields = fields

    def visible_fields(self):
        return [field for field in self.fields if not field.is_hidden]

    def hidden_fields(self):
        return [field for field in self.fields if field.is_hidden]

    def non_field_errors(self):
        return []


class FindingForm(TextCleaningFormMixin, forms.Form):
    """A participant's finding: one optional rating and note per checklist item, then notes, a place and photos."""

    notes = forms.CharField(
        label=_("What did you notice?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the place as it is. Please do not name or describe people."),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("For example “corner of Mill Lane and Rose Street” or “behind the library”."),
    )
    map_cell = forms.ChoiceField(
        label=_("Square on the area map"),
        required=False,
        help_text=_("Find the place on the map of the area above and choose its square (column letter, row number)."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        help_text=_("Optional, in decimal degrees, e.g. 41.87811 (from −90 to 90)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        help_text=_("Optional, in decimal degrees, e.g. −87.62980 (from −180 to 180)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_TYPES}),
        help_text=_(
            "Up to 5 photos (JPEG, PNG, GIF or WebP). We keep only what they look like: location, "
            "camera and time data are removed. Please avoid photographing people's faces or number plates."
        ),
    )

    def __init__(self, *args, walk, **kwargs):
        super().__init__(*args, **kwargs)
        self.walk = walk
        self.fields["map_cell"].choices = [("", _("No square chosen")), *[(cell, cell) for cell in map_cells()]]
        self.items = list(walk.template.items.all())
        self.themes: dict[str, list] = {}
        for item in self.items:
            text = translated(item, "text")
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=text,
                required=False,
                choices=[("", _("Not looked at")), *Rating.choices],
                initial="",
                widget=forms.RadioSelect,
            )
            self.fields[f"item_{item.pk}_note"] = forms.CharField(
                label=_("Note on this point (optional)"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.themes.setdefault(str(translated(item, "theme")), []).extend(
                [f"item_{item.pk}", f"item_{item.pk}_note"]
            )

    def checklist_groups(self) -> list[FieldGroup]:
        return [FieldGroup(theme, [self[name] for name in names]) for theme, names in self.themes.items()]

    def details_group(self) -> FieldGroup:
        return FieldGroup("", [self[name] for name in ("notes", "address", "map_cell", "latitude", "longitude")])

    def photos_group(self) -> FieldGroup:
        return FieldGroup("", [self["photos"]])

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (
            (latitude is None) != (longitude is None)
            and not self.has_error("latitude")
            and not self.has_error("longitude")
        ):
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Give both the latitude and the longitude, or leave both empty."))
        answered = any(cleaned.get(f"item_{item.pk}") for item in self.items)
        if not (answered or (cleaned.get("notes") or "").strip() or cleaned.get("photos")):
            raise forms.ValidationError(_("Answer at least one checklist point, or add a note or a photo."))
        return cleaned

    def answers(self) -> list[tuple]:
        return [
            (item, self.cleaned_data[f"item_{item.pk}"], self.cleaned_data[f"item_{item.pk}_note"])
            for item in self.items
            if self.cleaned_data.get(f"item_{item.pk}")
        ]


class DebriefForm(TextCleaningFormMixin, forms.ModelForm):
    knew_what_to_do = forms.ChoiceField(
        label=_("During the drill, did you know what to do?"),
        choices=DebriefAnswer.KnewWhatToDo.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = DebriefAnswer
        fields = ["knew_what_to_do", "went_well", "to_improve"]
        labels = {
            "went_well": _("What went well?"),
            "to_improve": _("What should we improve?"),
        }
        widgets = {
            "went_well": forms.Textarea(attrs={"rows": 4}),
            "to_improve": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"to_improve": _("Each suggestion may become an action the department follows up publicly.")}

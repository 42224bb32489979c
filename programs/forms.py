from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from neighbourhoods.forms import NeighbourhoodChoiceField
from neighbourhoods.models import Neighbourhood
from portal.text import TextCleaningFormMixin
from portal.translated import TranslatedText, source_language, translated
from programs.models import AGE_OF_MAJORITY, Program, ProgramQuestion


class ProgramFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Program.Kind.choices])
    neighbourhood = NeighbourhoodChoiceField(
        label=_("Neighbourhood"),
        required=False,
        queryset=Neighbourhood.objects.all(),
        empty_label=_("All neighbourhoods"),
        to_field_name="slug",
        help_text=_("City-wide programs are always shown."),
    )
    open = forms.BooleanField(label=_("Open for applications"), required=False)
    soon = forms.BooleanField(label=_("Starting within 30 days"), required=False)


def _choice_labels(question: ProgramQuestion) -> list:
    """The options in the reader's language, line for line; the source ones (marked) if the
    translation is missing or does not match them."""
    options = question.choice_list
    shown = translated(question, "choices")
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    if len(lines) != len(options):
        source = source_language()
        shown, lines = TranslatedText("", language=source, fallback=translation.get_language() != source), options
    return [TranslatedText(line, language=shown.language, fallback=shown.fallback).marked() for line in lines]


def _question_field(question: ProgramQuestion) -> forms.Field:
    # Officer-written: in the reader's language, or the source text marked with its lang.
    label = translated(question, "text").marked()
    if question.kind == ProgramQuestion.Kind.YES_NO:
        return forms.ChoiceField(
            label=label,
            required=question.required,
            choices=[("yes", _("Yes")), ("no", _("No"))],
            widget=forms.RadioSelect,
        )
    if question.kind == ProgramQuestion.Kind.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=question.required,
            choices=list(zip(question.choice_list, _choice_labels(question), strict=True)),
            widget=forms.RadioSelect,
        )
    return forms.CharField(
        label=label, required=question.required, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApplicationForm(TextCleaningFormMixin, forms.Form):
    """The program's own questions, plus date of birth and a guardian when the program has age limits."""

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.questions = list(program.questions.all())
        if program.has_age_limits:
            self.fields["date_of_birth"] = forms.DateField(
                label=_("Date of birth"),
                # No format in the hint: the browser's date picker shows its own (mm/dd/yyyy, dd/mm/aaaa…).
                help_text=_("This program has age limits; we use your date of birth only to check them."),
                # A date input takes and gives ISO dates whatever the page's language.
                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday"}),
            )
            self.fields["guardian_name"] = forms.CharField(
                label=_("Parent or guardian's name"),
                required=False,
                max_length=200,
                help_text=_("Needed if you are under %(age)s.") % {"age": AGE_OF_MAJORITY},
            )
            self.fields["guardian_email"] = forms.EmailField(
                label=_("Parent or guardian's e-mail"),
                required=False,
                help_text=_("We e-mail them a link to give their consent. Needed if you are under %(age)s.")
                % {"age": AGE_OF_MAJORITY},
            )
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = _question_field(question)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError(_("Enter your date of birth: a day in the past."))
        return born

    def answers(self) -> dict[int, str]:
        return {question.pk: self.cleaned_data.get(f"question_{question.pk}", "") for question in self.questions}


class ConsentForm(TextCleaningFormMixin, forms.Form):
    guardian_name = forms.CharField(
        label=_("Your full name"), max_length=200, help_text=_("Recorded with your consent.")
    )
    agree = forms.BooleanField(label=_("I have read the statement above and I consent."))

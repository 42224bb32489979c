from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import Feedback, FeedbackResponse, Meeting
from meetings.services import QUESTION_MAX_LENGTH, QUESTION_MIN_LENGTH
from neighbourhoods.forms import NeighbourhoodChoiceField
from neighbourhoods.models import Neighbourhood
from portal.text import TextCleaningFormMixin
from portal.translated import translatable_form


class NeighbourhoodFilterForm(forms.Form):
    neighbourhood = NeighbourhoodChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All neighbourhoods"),
    )


class MeetingFilterForm(NeighbourhoodFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind of meeting"), choices=[("", _("All kinds")), *Meeting.Kind.choices], required=False
    )


class QuestionForm(TextCleaningFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        min_length=QUESTION_MIN_LENGTH,
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("An officer reviews questions before they appear. Please do not name private people."),
    )


RATING_CHOICES = [(score, str(score)) for score in range(1, 6)]


class FeedbackForm(TextCleaningFormMixin, forms.ModelForm):
    anonymous = forms.BooleanField(
        label=_("Send my feedback anonymously"),
        required=False,
        help_text=_("Anonymous feedback is stored without any link to your account."),
    )

    class Meta:
        model = Feedback
        fields = [*Feedback.RATING_FIELDS, "concern_addressed", "comment"]
        widgets = {
            **{name: forms.RadioSelect(choices=RATING_CHOICES) for name in Feedback.RATING_FIELDS},
            "concern_addressed": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {name: _("1 is poor, 5 is excellent.") for name in Feedback.RATING_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern_addressed"].choices = Feedback.Concern.choices
        self.fields["concern_addressed"].label = _("Was the concern you came with addressed?")
        self.fields["comment"].label = _("Anything else you want to tell us?")


@translatable_form
class FeedbackResponseForm(TextCleaningFormMixin, forms.ModelForm):
    """The officers' public answer to feedback, in every site language (publish it with the service)."""

    class Meta:
        model = FeedbackResponse
        fields = ["summary", "response"]
        labels = {"summary": _("What you told us"), "response": _("What we will do")}
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "response": forms.Textarea(attrs={"rows": 5})}

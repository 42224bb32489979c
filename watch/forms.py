from django import forms
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood
from portal.text import TextCleaningFormMixin
from watch.models import DECLINE_REASON_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, Concern, Post


class ProposeGroupForm(TextCleaningFormMixin, forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=120)
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"), queryset=Neighbourhood.objects.all(), empty_label=_("Choose one")
    )
    description = forms.CharField(
        label=_("What the group covers"),
        widget=forms.Textarea,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("Which streets, and how members will look out for each other."),
    )
    members_need_approval = forms.BooleanField(label=_("I want to approve each new member myself"), required=False)


class PostForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = Post
        fields = ["title", "body"]


class ConcernForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["subject", "body"]


class WatchGroupDeclineForm(TextCleaningFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why it is declined"),
        max_length=DECLINE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E-mailed to the coordinator, e.g. “A group already covers these streets: please join it.”"),
    )

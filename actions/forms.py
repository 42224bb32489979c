from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from neighbourhoods.models import Neighbourhood


class ActionFilterForm(forms.Form):
    """The public lists' filters; an invalid value is reported and the list shown unfiltered."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ActionItem.Status.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Came from"), choices=[("", _("Anywhere")), *ActionItem.SourceKind.choices], required=False
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All neighbourhoods"),
    )

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.language import language_choices
from neighbourhoods.models import Neighbourhood
from newsletters.models import Newsletter, Subscription, Topic
from portal.text import TextCleaningFormMixin
from portal.translated import translatable_form


def _neighbourhood_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods"),
        queryset=Neighbourhood.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about the whole city."),
    )


def _topics_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        initial=list(Topic.values),
        widget=forms.CheckboxSelectMultiple,
    )


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send a link to this address; nothing else arrives until you open it."),
    )
    topics = _topics_field()
    neighbourhoods = _neighbourhood_field()
    # The page's language (chosen in the header, or the resident's own) unless they pick another.
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, initial=translation.get_language)

    def clean_topics(self):
        if not self.cleaned_data["topics"]:
            raise forms.ValidationError(_("Choose at least one topic to subscribe to."))
        return self.cleaned_data["topics"]


class PreferencesForm(forms.Form):
    subscribed = forms.BooleanField(
        label=_("Send me newsletters, alerts and digests"),
        required=False,
        help_text=_("Untick to stop them all. Messages about your own registrations still arrive."),
    )
    topics = _topics_field()
    neighbourhoods = _neighbourhood_field()
    digest_frequency = forms.ChoiceField(
        label=_("Digest of what is new"),
        choices=Subscription.DigestFrequency.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language of our e-mails"), choices=language_choices)

    @classmethod
    def for_subscription(cls, subscription: Subscription, data=None) -> "PreferencesForm":
        initial = {
            "subscribed": subscription.status == Subscription.Status.ACTIVE,
            "topics": subscription.topics,
            "neighbourhoods": list(subscription.neighbourhoods.all()) if subscription.pk else [],
            "digest_frequency": subscription.digest_frequency,
            "language": subscription.language,
        }
        return cls(data, initial=initial)


@translatable_form
class NewsletterForm(TextCleaningFormMixin, forms.ModelForm):
    """The officers' newsletter form: text pasted from a word processor is cleaned (portal/text.py)."""

    class Meta:
        model = Newsletter
        # The admin's fieldsets choose what is shown; these are the fields an officer may write.
        fields = ["subject", "body", "audience", "topic", "neighbourhoods", "scheduled_for"]

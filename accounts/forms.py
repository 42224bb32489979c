from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "phone", "home_neighbourhood", "preferred_language"]
        help_texts = {
            "display_name": _(
                "How officers and other residents see you. Left empty, officers see your e-mail address and "
                "other residents see “A resident”."
            ),
            "phone": _("Optional. Only officers see it, to reach you about a program or meeting."),
            "home_neighbourhood": _("Used to show you what is happening near you."),
            "preferred_language": _("The language of the site and of the e-mails we send you."),
        }
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})}

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+-() .")
        if phone and (not set(phone) <= allowed or sum(ch.isdigit() for ch in phone) < 7):
            raise forms.ValidationError(_("Enter a phone number with at least 7 digits, e.g. 555-123-4567."))
        return phone

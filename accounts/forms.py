from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.reauthentication import raise_if_reauthentication_required
from allauth.account.models import EmailAddress
from allauth.core import context
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from accounts.language import language_choices
from accounts.models import Profile
from accounts.selectors import only_unverified_claims
from portal.text import TextCleaningFormMixin


class ProfileForm(TextCleaningFormMixin, forms.ModelForm):
    """A resident's own details; the display name reaches other residents' pages and e-mails, so
    control characters and line breaks are cleaned away (portal/text.py)."""

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = language_choices()
        # Django's "---------" says nothing; no home neighbourhood means the whole city's news.
        self.fields["home_neighbourhood"].empty_label = _("None (all of the city)")

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+-() .")
        if phone and (not set(phone) <= allowed or sum(ch.isdigit() for ch in phone) < 7):
            raise forms.ValidationError(_("Enter a phone number with at least 7 digits, e.g. 555-123-4567."))
        return phone


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, where an unverified claim on someone else's account blocks no one.

    An address only belongs to an account once its owner has opened the confirmation link. A sign-up
    for an address that some other account merely lists unconfirmed goes ahead as a new account with
    its own confirmation e-mail: whoever opens the link owns the address, and the unconfirmed claims
    elsewhere are dropped then (AccountAdapter.confirm_email). The squatter never reads that link.
    """

    def validate_unique_email(self, value) -> str:
        email = super().validate_unique_email(value)
        if self.account_already_exists and only_unverified_claims(email):
            self.account_already_exists = False
        return email

    def try_save(self, request):
        if self.account_already_exists:
            # The other path hashes the new password: do the same work here, so the answer's
            # time does not tell whether the address has an account.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AddEmailForm(allauth_forms.AddEmailForm):
    """Refuses an address that is on another account, confirmed or not, and tells the owner of the
    account about the requested change before anything else happens."""

    def clean_email(self) -> str:
        # The password first: without it, a stolen session could not even learn which addresses
        # have accounts from this form's answers.
        raise_if_reauthentication_required(context.request, app="allauth.account")
        adapter = get_adapter()
        adapter.validate_address_change_allowed(self.user)
        value = super().clean_email()
        adapter.validate_address_is_free(value, user=self.user)
        return value

    def save(self, request):
        email_address = super().save(request)
        get_adapter().send_email_change_requested_mail(self.user, new_email=email_address.email)
        return email_address


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """Password reset links go to confirmed addresses only.

    An address someone typed into their account but never confirmed may not be theirs: a reset sent
    there would hand the account to whoever reads that inbox. Unconfirmed addresses are treated like
    unknown ones (the e-mail says there is no account with it).
    """

    def clean_email(self) -> str:
        email = get_adapter().clean_email(super().clean_email())
        confirmed = set(
            EmailAddress.objects.filter(email__iexact=email, verified=True).values_list("user_id", flat=True)
        )
        self.users = [user for user in self.users if user.pk in confirmed]
        # allauth hands back the address as typed, and counts its per-address limit on it: one
        # spelling per mailbox, or each variant would be a fresh limit on e-mails to the same inbox.
        return email


class AccountDeleteForm(forms.Form):
    """The resident's password, asked again: a session left open is not enough to delete an account."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you, and not someone at a computer you left logged in."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Your account was not deleted."))
        return password

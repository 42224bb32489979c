from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.crypto import get_random_string

from outbox.services import email_queue

# Only these values of allauth's e-mail context are stored in the outbox; our
# templates for allauth's messages (templates/account/email/) use nothing else. The links and
# codes among them grant access: the outbox keeps them sealed and erases them once the message
# is sent (outbox/sealing.py), so no officer, log or backup ever holds them in usable form.
_CONTEXT_KEYS = (
    "activate_url",
    "password_reset_url",
    "code",
    "key",
    "email",
    "signup_url",
    # A staff member's second-factor enrolment link (accounts/services.py): a secret, like the
    # reset and confirmation links above.
    "enrolment_url",
    # Security notices (send_notification_mail): which addresses changed. No client address or
    # user agent is kept: the outbox is readable by officers.
    "from_email",
    "to_email",
    "deleted_email",
    "new_email",
)


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's e-mails through the outbox, like every other e-mail."""

    def send_mail(self, template_prefix, email, context):
        stored = {key: str(context[key]) for key in _CONTEXT_KEYS if context.get(key) is not None}
        user = context.get("user")
        if user is not None and getattr(user, "pk", None):
            from accounts.selectors import display_name_for

            stored["user_display"] = display_name_for(user)
        email_queue(
            to=email,
            template=template_prefix,
            context=stored,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            # allauth's messages are one-off: each call is its own message.
            idempotency_key=f"account:{template_prefix}:{email}:{get_random_string(24)}",
        )

    def clean_email(self, email: str) -> str:
        """Every address typed into allauth's forms (sign-up, log-in, reset, new address) in one
        spelling, so a variant of someone's address is their address (portal.text.email_canonical)."""
        from portal.text import email_canonical

        return super().clean_email(email_canonical(email))

    def login(self, request, user):
        super().login(request, user)
        if user.is_staff:
            from portal.middleware import start_staff_session

            start_staff_session(request)

    def post_login(self, request, user, **kwargs):
        from accounts.language import remember_language
        from accounts.selectors import language_for

        return remember_language(super().post_login(request, user, **kwargs), language_for(user))

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from accounts.models import Profile

            Profile.objects.get_or_create(
                user=user, defaults={"preferred_language": translation.get_language() or settings.LANGUAGE_CODE}
            )
        return user

    def get_reauthentication_methods(self, user) -> list[dict]:
        """Whoever has a second factor re-authenticates with it: the password alone is offered (and
        accepted) only to accounts without one.

        Re-authentication guards the second factor itself (new recovery codes, removing or adding an
        authenticator) and the address. Accepting the password there let a stolen session plus the
        password mint recovery codes or swap the app for the thief's: a second factor for good.
        """
        methods = super().get_reauthentication_methods(user)
        second_factors = [method for method in methods if method["id"].startswith("mfa_")]
        return second_factors or methods

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """allauth's security notices, without the client address and user agent it adds.

        The notices go through the outbox (send_mail), whose rows officers can read; the time of
        the change is the e-mail's own date.
        """
        from allauth.account import app_settings

        if not app_settings.EMAIL_NOTIFICATIONS:
            return
        if not email:
            email = EmailAddress.objects.get_primary_email(user)
        if not email:
            return
        kept = {"user": user, **{key: value for key, value in (context or {}).items() if key in _CONTEXT_KEYS}}
        self.send_mail(template_prefix, email, kept)

    def send_email_change_requested_mail(self, user, *, new_email: str) -> None:
        """Tell the account's current address that a change to ``new_email`` was asked for."""
        self.send_notification_mail("account/email/email_change_requested", user, {"new_email": new_email})

    def validate_address_change_allowed(self, user) -> None:
        """Raise a ValidationError when a staff member without a second factor changes their address.

        Their enrolment link goes to the confirmed address: whoever holds only their password must
        not be able to point it at an inbox of their own. A superuser changes it in the admin.
        """
        from allauth.mfa.models import Authenticator
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        if user.is_staff and not Authenticator.objects.filter(user=user).exists():
            raise ValidationError(
                _(
                    "Staff set up their second factor before changing their e-mail address. "
                    "Open your enrolment link first, or ask a superuser to change the address."
                )
            )

    def validate_address_is_free(self, email: str, *, user) -> None:
        """Raise a ValidationError when ``email`` is listed by another account, confirmed or not.

        Parking someone's address on your own account must not be possible: it would block their
        sign-up or, confirmed later by mistake, hand their password resets to you.
        """
        from accounts.selectors import accounts_holding

        if accounts_holding(email, except_user=user):
            raise self.validation_error("email_taken")

    def confirm_email(self, request, email_address) -> bool:
        """Confirming proves the address is yours: unconfirmed claims of it on other accounts go."""
        with transaction.atomic():
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                others = EmailAddress.objects.filter(email__iexact=email_address.email, verified=False).exclude(
                    user_id=email_address.user_id
                )
                squatters = list(others.values_list("user_id", flat=True))
                others.delete()
                get_user_model().objects.filter(pk__in=squatters, email__iexact=email_address.email).update(email="")
        return confirmed

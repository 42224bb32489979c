from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from django.utils.crypto import get_random_string

from outbox.services import email_queue

# Only these values of allauth's e-mail context are stored in the outbox; our
# templates for allauth's messages (templates/account/email/) use nothing else. The links and
# codes among them grant access: the outbox keeps them sealed and erases them once the message
# is sent (outbox/sealing.py), so no officer, log or backup ever holds them in usable form.
_CONTEXT_KEYS = ("activate_url", "password_reset_url", "code", "key", "email", "signup_url")


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

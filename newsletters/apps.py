from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Newsletters and subscriptions")

    def ready(self) -> None:
        from accounts.language import on_language_change
        from newsletters.services import subscription_language_follow

        # One language per resident: their subscription speaks the language of their profile.
        on_language_change(subscription_language_follow)

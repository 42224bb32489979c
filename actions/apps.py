from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        from actions import sources

        sources.register_builtin_sources()

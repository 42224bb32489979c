from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and residents")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate

        from accounts.selectors import resident_label

        # Django's own user model: the admin's lists, pickers, autocompletes and messages show a
        # person through str(); this makes that the desk's one way of naming a resident.
        get_user_model().__str__ = resident_label

        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="accounts.sync_roles")


def _sync_roles_after_last_app(sender, **kwargs):
    # post_migrate fires once per app, and each app's permissions exist only after its own
    # turn, so the groups are synced on the last app's signal.
    last_app_with_models = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender.label != last_app_with_models.label:
        return
    import io

    from django.core.management import call_command

    call_command("sync_roles", stdout=io.StringIO())

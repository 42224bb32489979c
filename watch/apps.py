from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "watch"
    verbose_name = _("Neighbourhood Watch")

    def ready(self):
        from accounts.staff_access import staff_access_handler_register
        from watch.services import watch_group_liaisons_release

        # Demotion (staff status, account, role or permission removed) ends the liaison role at once.
        staff_access_handler_register(watch_group_liaisons_release)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib import admin

        admin.site.site_header = _("Precinct administration")
        admin.site.site_title = _("Precinct admin")
        admin.site.index_title = _("Officers' desk")

        from portal.cache import watch_public_page_sources

        watch_public_page_sources()

        from django.utils.module_loading import autodiscover_modules

        # Each app's desk.py registers its queues on the officers' desk (portal.desk).
        autodiscover_modules("desk")

from django.db import models
from django.utils.translation import gettext_lazy as _


class Neighbourhood(models.Model):
    """An area of the city. Shared by every app: programs, meetings, tips, subscriptions."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    boundary_description = models.TextField(
        _("boundary description"), blank=True, help_text=_("Streets or landmarks that mark its edges.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")

    def __str__(self) -> str:
        return self.name

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood


class Profile(models.Model):
    """What a resident tells the portal about themselves, beside their log-in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    home_neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("home neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.email

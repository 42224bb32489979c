from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood
from portal.text import validate_single_line


class Profile(models.Model):
    """What a resident tells the portal about themselves, beside their log-in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=100, blank=True, validators=[validate_single_line])
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
        from accounts.selectors import resident_label

        return resident_label(self.user)


class StaffEnrolment(models.Model):
    """A single-use link that lets a staff member set up their first second factor.

    A password alone must not be enough to enrol an authenticator on a staff account: whoever
    holds the password would enrol their own and own the officers' desk. The link goes to the
    account's confirmed address; only a SHA-256 hash of its token is kept, so neither the admin,
    a dump nor a backup yields a working link.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_enrolments")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff enrolment link")
        verbose_name_plural = _("staff enrolment links")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

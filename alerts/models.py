import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood
from portal.text import validate_no_control_characters, validate_single_line
from portal.translated import TranslatableModel


class Alert(TranslatableModel):
    """A safety alert for some neighbourhoods (or the whole city), shaped after a CAP 1.2 ``info`` block.

    Its content changes only through ``alerts.services``; every publish, update and cancellation
    leaves an ``AlertRevision`` behind, which is what the CAP feed and the e-mails carry.
    """

    translated_fields = ("headline", "event", "description", "instruction")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    # Values are CAP 1.2's own spellings, so the feed needs no mapping.
    class Severity(models.TextChoices):
        EXTREME = "Extreme", _("Extreme")
        SEVERE = "Severe", _("Severe")
        MODERATE = "Moderate", _("Moderate")
        MINOR = "Minor", _("Minor")

    class Urgency(models.TextChoices):
        IMMEDIATE = "Immediate", _("Immediate: act now")
        EXPECTED = "Expected", _("Expected: act within the hour")
        FUTURE = "Future", _("Future: act in the near future")
        PAST = "Past", _("Past: no action needed any more")
        UNKNOWN = "Unknown", _("Unknown")

    class Certainty(models.TextChoices):
        OBSERVED = "Observed", _("Observed")
        LIKELY = "Likely", _("Likely")
        POSSIBLE = "Possible", _("Possible")
        UNLIKELY = "Unlikely", _("Unlikely")
        UNKNOWN = "Unknown", _("Unknown")

    class Category(models.TextChoices):
        SAFETY = "Safety", _("Public safety")
        SECURITY = "Security", _("Law enforcement and security")
        RESCUE = "Rescue", _("Rescue and recovery")
        FIRE = "Fire", _("Fire")
        HEALTH = "Health", _("Health")
        ENV = "Env", _("Environment")
        TRANSPORT = "Transport", _("Transport")
        INFRA = "Infra", _("Utilities and infrastructure")
        MET = "Met", _("Weather")
        OTHER = "Other", _("Other")

    code = models.UUIDField(_("public code"), default=uuid.uuid4, unique=True, editable=False)
    headline = models.CharField(_("headline"), max_length=160, validators=[validate_single_line])
    event = models.CharField(
        _("event"),
        max_length=100,
        help_text=_("What happened, in a few words: “Missing child”, “Road closure”."),
        validators=[validate_single_line],
    )
    description = models.TextField(_("description"), validators=[validate_no_control_characters])
    instruction = models.TextField(
        _("what residents should do"),
        blank=True,
        help_text=_("For example: “Avoid Main Street”, “Lock car doors”."),
        validators=[validate_no_control_characters],
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.SAFETY)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.EXPECTED)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY)
    neighbourhoods = models.ManyToManyField(
        Neighbourhood, verbose_name=_("neighbourhoods"), blank=True, related_name="alerts"
    )
    city_wide = models.BooleanField(_("city-wide"), default=False, help_text=_("For everyone in the city."))
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("composed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # With ALERTS_REQUIRE_APPROVAL, whoever wrote the words last may not be the one who sends them.
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An update waiting for a second approver: {field: value as JSON, "neighbourhoods": [ids]}.
    pending_update = models.JSONField(_("update awaiting approval"), default=dict, blank=True)
    pending_update_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("update proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_sent_at", "-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        permissions = [("publish_alert", _("Can publish, update and cancel alerts"))]
        verbose_name = _("safety alert")
        verbose_name_plural = _("safety alerts")

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("alerts:detail", kwargs={"code": self.code})

    def is_active(self, now=None) -> bool:
        return self.status == self.Status.PUBLISHED and self.expires_at > (now or timezone.now())


class AlertRevision(models.Model):
    """One message sent about an alert: the first publication, an update or the cancellation.

    A snapshot of what was said, so history and CAP documents never change after the fact.
    """

    class MessageType(models.TextChoices):
        ALERT = "Alert", _("Alert")
        UPDATE = "Update", _("Update")
        CANCEL = "Cancel", _("Cancel")

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    identifier = models.CharField(_("CAP identifier"), max_length=100, unique=True)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MessageType.choices)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(_("content"), default=dict)
    # The fan-out (one e-mail row per recipient) beats while it runs and is marked done at its end:
    # one whose worker died is started again by beat within seconds (alerts_deliveries_resume).
    fanout_heartbeat_at = models.DateTimeField(_("fan-out heartbeat"), null=True, blank=True, editable=False)
    fanout_completed_at = models.DateTimeField(_("fan-out completed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["alert", "number"]
        constraints = [models.UniqueConstraint(fields=["alert", "number"], name="alerts_revision_unique_number")]
        verbose_name = _("alert revision")
        verbose_name_plural = _("alert revisions")

    def __str__(self) -> str:
        return f"{self.identifier} ({self.msg_type})"


class AlertRecipient(models.Model):
    """An address that received an alert, so its updates and cancellation reach the same people."""

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="recipients")
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=10, default="en")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "email"], name="alerts_recipient_unique_address")]
        verbose_name = _("alert recipient")
        verbose_name_plural = _("alert recipients")

    def __str__(self) -> str:
        return self.email

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from neighbourhoods.models import Neighbourhood
from portal.text import validate_no_control_characters, validate_single_line
from portal.translated import TranslatableModel


class Topic(models.TextChoices):
    """What a subscriber can choose to hear about. Each topic is a boolean column on Subscription."""

    NEWSLETTER = "newsletter", _("Newsletters")
    MEETINGS = "meetings", _("Community meetings")
    PROGRAMS = "programs", _("Programs")
    SAFETY_ALERTS = "safety_alerts", _("Safety alerts")


# Topic → Subscription field. Booleans (not a JSON list) so every database can filter and index them.
TOPIC_FIELDS = {
    Topic.NEWSLETTER: "wants_newsletter",
    Topic.MEETINGS: "wants_meetings",
    Topic.PROGRAMS: "wants_programs",
    Topic.SAFETY_ALERTS: "wants_safety_alerts",
}


class Subscription(models.Model):
    """One e-mail address's choices: topics, neighbourhoods, digest frequency and language.

    Linked to a user when the address belongs to an account; a visitor subscribes with just
    an address and confirms it (double opt-in) before anything is sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class DigestFrequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        NONE = "none", _("Never")

    email = models.EmailField(_("e-mail address"), unique=True, help_text=_("Stored in lower case."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscription",
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.PENDING)
    wants_newsletter = models.BooleanField(_("newsletters"), default=True)
    wants_meetings = models.BooleanField(_("community meetings"), default=True)
    wants_programs = models.BooleanField(_("programs"), default=True)
    wants_safety_alerts = models.BooleanField(_("safety alerts"), default=True)
    neighbourhoods = models.ManyToManyField(
        Neighbourhood,
        verbose_name=_("neighbourhoods"),
        blank=True,
        related_name="subscriptions",
        help_text=_("None chosen means the whole city."),
    )
    digest_frequency = models.CharField(
        _("digest"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="newsletters_sub_status_id"),
            models.Index(fields=["status", "digest_frequency", "id"], name="newsletters_sub_digest"),
            models.Index(fields=["-created_at"], name="newsletters_sub_created"),
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.email

    @property
    def topics(self) -> list[str]:
        return [topic for topic, field in TOPIC_FIELDS.items() if getattr(self, field)]


class ConsentRecord(models.Model):
    """One change to a subscription: when, through what, by whom, and what changed (old → new)."""

    class Source(models.TextChoices):
        WEB = "web", _("Sign-up form")
        CONFIRMATION = "confirmation", _("Confirmation link")
        PREFERENCES = "preferences", _("Preferences page")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
        ADMIN = "admin", _("Admin")
        BOUNCE = "bounce", _("Bounce or complaint")

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="consent_records"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changes = models.JSONField(_("what changed"), default=dict, help_text=_("Field → [before, after]."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.subscription} · {self.get_source_display()}"


class Suppression(models.Model):
    """An address the outbox stops mailing.

    A hard bounce or a complaint (reported by the mail provider) stops every e-mail to it. One an
    officer adds (MANUAL) stops bulk mail only: password resets, confirmations and other messages
    the person asked for still go, so no officer can cut someone off from their own account.
    """

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by an officer")

    email = models.EmailField(_("e-mail address"), unique=True, help_text=_("Stored in lower case."))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True, help_text=_("What the mail provider reported."))
    created_at = models.DateTimeField(_("suppressed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return self.email


class Newsletter(TranslatableModel):
    """An issue of the newsletter: composed in Markdown by an officer, sent once to its audience."""

    translated_fields = ("subject", "body")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", pgettext_lazy("newsletter status", "Scheduled")
        SENDING = "sending", pgettext_lazy("newsletter status", "Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", pgettext_lazy("newsletter status", "Cancelled")

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone subscribed to newsletters")
        TOPIC = "topic", _("Subscribers of one topic")
        NEIGHBOURHOODS = "neighbourhoods", _("Newsletter subscribers in chosen neighbourhoods")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=150, validators=[validate_single_line])
    body = models.TextField(
        _("body"),
        help_text=_("Markdown: **bold**, *italic*, [links](https://…), lists, headings."),
        validators=[validate_no_control_characters],
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    topic = models.CharField(
        _("topic"), max_length=20, choices=Topic.choices, blank=True, help_text=_("For the “one topic” audience.")
    )
    neighbourhoods = models.ManyToManyField(
        Neighbourhood,
        verbose_name=_("neighbourhoods"),
        blank=True,
        related_name="+",
        help_text=_("For the “neighbourhoods” audience. Subscribers who follow the whole city get it too."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    # Fan-out progress: the last subscription id handed to the outbox, so a resumed run skips ahead.
    fanout_cursor = models.BigIntegerField(_("fan-out cursor"), default=0)
    fanout_heartbeat_at = models.DateTimeField(_("fan-out heartbeat"), null=True, blank=True)
    fanout_completed_at = models.DateTimeField(_("all e-mails queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Denormalised progress, refreshed by a beat task, so the list page counts nothing per request.
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    queued_count = models.PositiveIntegerField(_("queued"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="newsletters_nl_due")]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    # Once sending has started the newsletter is public: its web copy and the archive show it.
    PUBLIC_STATUSES = (Status.SENDING, Status.SENT)

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletters:archive-detail", kwargs={"code": self.code})

    @property
    def archive_topic(self) -> str:
        """The topic the archive files it under: its topic for a one-topic audience, else "newsletter"."""
        return self.topic if self.audience == self.Audience.TOPIC and self.topic else Topic.NEWSLETTER

    @property
    def archive_topic_label(self) -> str:
        return Topic(self.archive_topic).label


class NewsletterDelivery(models.Model):
    """One newsletter to one subscriber. Unique, so a resumed fan-out never queues a second copy."""

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.ForeignKey(
        "outbox.Email", verbose_name=_("e-mail"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "subscription"], name="newsletters_one_per_recipient")
        ]
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")

    def __str__(self) -> str:
        return f"{self.newsletter} → {self.subscription}"


class DigestDelivery(models.Model):
    """One weekly digest to one subscriber for one ISO week ("2026-W48"). Unique: at most one a week."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="+"
    )
    week = models.CharField(_("ISO week"), max_length=8)
    email = models.ForeignKey(
        "outbox.Email", verbose_name=_("e-mail"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "week"], name="newsletters_one_digest_a_week")]
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")

    def __str__(self) -> str:
        return f"{self.subscription} · {self.week}"

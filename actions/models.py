"""Action plans: what the department committed to after residents spoke ("you said, we did")."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from neighbourhoods.models import Neighbourhood
from portal.translated import TranslatableModel


class ActionItem(TranslatableModel):
    """One commitment, where it came from, who owns it and how far it has got."""

    translated_fields = ("title", "description", "status_reason")

    class Status(models.TextChoices):
        # In context: Spanish agrees them with "acción" (feminine), unlike a bare "Done" elsewhere.
        PROPOSED = "proposed", pgettext_lazy("action status", "Proposed")
        PLANNED = "planned", pgettext_lazy("action status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
        DONE = "done", pgettext_lazy("action status", "Done")
        NOT_POSSIBLE = "not_possible", pgettext_lazy("action status", "Not possible")

    class SourceKind(models.TextChoices):
        QUESTION = "question", _("Meeting question")
        FEEDBACK = "feedback", _("Meeting feedback")
        CONCERN = "concern", _("Watch-group concern")
        FINDING = "finding", _("Safety audit finding")
        DEBRIEF = "debrief", _("Drill debrief")
        NONE = "none", pgettext_lazy("action source", "None")

    # Statuses after which an item can no longer be late.
    CLOSED = (Status.DONE, Status.NOT_POSSIBLE)

    # The public address: a random code, never the sequential id.
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
        help_text=_("Leave empty for a city-wide action."),
    )
    owner = models.CharField(
        _("owner"), max_length=200, blank=True, help_text=_("The officer or partner organisation responsible.")
    )
    owner_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Reminded of the due date."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    status_reason = models.TextField(
        _("public reason"), blank=True, help_text=_("Required when the action is not possible.")
    )
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    source = GenericForeignKey("source_type", "source_id")
    source_kind = models.CharField(
        _("came from"), max_length=20, choices=SourceKind.choices, default=SourceKind.NONE, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="action_source"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="not_possible") | ~models.Q(status_reason=""),
                name="action_not_possible_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(source_type__isnull=True, source_id__isnull=True)
                | models.Q(source_type__isnull=False, source_id__isnull=False),
                name="action_source_complete",
            ),
        ]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actions:detail", args=[self.code])

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class ActionUpdate(TranslatableModel):
    """A dated entry in an item's public timeline: a status change or a progress note."""

    translated_fields = ("body",)

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status after"), max_length=20, choices=ActionItem.Status.choices)
    status_changed = models.BooleanField(_("status changed"), default=False)
    body = models.TextField(_("update"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")

    def __str__(self) -> str:
        return f"{self.action} · {self.get_status_display()}"


class ActionFollower(models.Model):
    """A resident's choice about an item's e-mails: following it, or (``muted``) hearing nothing about
    it, not even as one of the people who raised, voted on or attended its source."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_actions")
    muted = models.BooleanField(_("no e-mails"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "user"], name="action_follow_once")]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.action_id}"

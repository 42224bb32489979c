"""The anonymous tip line's data. See docs/tips-threat-model.md for why it looks the way it does.

- Everything a tipster writes or uploads is stored only encrypted (``*_encrypted``, see tips/crypto.py).
- Nothing about the request is stored: no address, user agent, referrer, cookie or account.
- Times a tipster causes are stored coarsened to the hour (``tips.clock.coarse_now``), primary keys
  are random UUIDs, so neither a time stamp nor a sequence number lines a tip up with network logs.
- What a tipster sends is "settled" once its hour is over (``tips.services.tips_settle``): only then
  is it written to the audit log, shown to reviewers, and its rows rewritten in a random order, so
  neither the audit log's order, a reviewer's exact-time entry, nor a dump's row order places it
  within its hour.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood
from portal.translated import TranslatableModel


class TipCategory(TranslatableModel):
    """What a tip is about (drugs, theft, …). Tip reviewers edit the list in the admin."""

    translated_fields = ("name",)

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    is_active = models.BooleanField(
        _("offered to tipsters"), default=True, help_text=_("Untick to retire a category without losing old tips.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("tip category")
        verbose_name_plural = _("tip categories")

    def __str__(self) -> str:
        return self.name


class Tip(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        ACTIONABLE = "actionable", _("Actionable")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed")
        SPAM = "spam", _("Spam")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    category = models.ForeignKey(TipCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # JSON {"what", "where", "when"}, encrypted.
    content_encrypted = models.TextField(editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reward_eligible = models.BooleanField(
        _("reward-eligible"),
        default=False,
        help_text=_("The tipster sees this when they come back with their receipt."),
    )
    tipster_wrote = models.BooleanField(
        _("tipster wrote since last view"),
        default=False,
        help_text=_("Set when the tipster adds a message or files; cleared when a reviewer opens the tip."),
    )
    # HMAC of the receipt phrase (keyed with SECRET_KEY) to find the tip, and a slow hash to confirm it.
    receipt_index = models.CharField(max_length=64, unique=True, editable=False)
    receipt_hash = models.CharField(max_length=200, editable=False)
    received_at = models.DateTimeField(_("received (hour)"), editable=False, db_index=True)
    # False until the hour it arrived in is over and tips_settle() has run: hidden from reviewers till then.
    settled = models.BooleanField(default=False, editable=False)
    closed_at = models.DateTimeField(_("closed (hour)"), null=True, blank=True, editable=False)
    reviewers_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-received_at", "reference"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        indexes = [models.Index(fields=["status", "closed_at"])]

    def __str__(self) -> str:
        return self.reference


class TipMessage(models.Model):
    """One message in the conversation between the reviewers and the tipster (the tip itself excluded)."""

    class Author(models.TextChoices):
        TIPSTER = "tipster", _("Tipster")
        REVIEWER = "reviewer", _("Reviewer")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_encrypted = models.TextField()
    # The hour. No sequence number: one would say whether the tipster wrote before or after a
    # reviewer's reply of the same hour, whose audit entry has the exact time. Within an hour the
    # reviewers' messages come first, then the tipster's in no particular order.
    created_at = models.DateTimeField()
    # Tipster messages: False until their hour is over and tips_settle() has run (reviewers' are settled).
    settled = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["tip", "created_at", "author", "id"]
        verbose_name = _("tip message")
        verbose_name_plural = _("tip messages")

    def __str__(self) -> str:
        return f"{self.tip_id} {self.author} {self.created_at:%Y-%m-%d %H:00}"


class TipAttachment(models.Model):
    """A file the tipster sent, cleaned of its metadata (tips/attachments.py), then encrypted."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField(help_text=_("Bytes after cleaning, before encryption."))
    data_encrypted = models.BinaryField()
    created_at = models.DateTimeField()
    settled = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["tip", "sequence"]
        constraints = [models.UniqueConstraint(fields=["tip", "sequence"], name="tips_attachment_unique_sequence")]
        verbose_name = _("tip attachment")
        verbose_name_plural = _("tip attachments")

    def __str__(self) -> str:
        return self.filename

    @property
    def filename(self) -> str:
        # The tipster's own file name is never kept: it may carry a name or a date.
        return f"attachment-{self.sequence}.{self.extension}"


class TipNote(models.Model):
    """A reviewers-only note on a tip. Encrypted like the tip: notes quote it."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tip", "created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"{self.tip_id} note {self.pk}"


class TipAuditEntry(models.Model):
    """Who viewed or changed which tip, and when. Never holds tip content; survives the tip's deletion."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        VIEWED = "viewed", _("Viewed")
        CHANGED = "changed", _("Changed")
        ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("Attachment downloaded")
        REPLIED = "replied", _("Replied to the tipster")
        NOTE_ADDED = "note_added", _("Internal note added")
        TIPSTER_WROTE = "tipster_wrote", _("Tipster added information")
        DELETED = "deleted", _("Deleted (retention period over)")

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.EmailField(_("actor's e-mail"), blank=True, help_text=_("Kept if the account is deleted."))
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    tip_reference = models.CharField(_("tip"), max_length=20, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("tip audit entry")
        verbose_name_plural = _("tip audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.tip_reference}"


class PendingReceiptIndex(models.Model):
    """A tip's receipt index under the current SECRET_KEY, for a tip its tipster opened under an older
    key (``SECRET_KEY_FALLBACKS``). Written when they come back, applied to the tip by ``tips_settle``
    once that hour is over: updating the tip at once would move its row and stamp it with the
    moment of the visit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="+")
    receipt_index = models.CharField(max_length=64)
    created_at = models.DateTimeField()  # the hour

    def __str__(self) -> str:
        return f"{self.tip_id} {self.created_at:%Y-%m-%d %H:00}"


class UsedFormToken(models.Model):
    """The hash of a tip form token already spent, so each form is submitted once. Kept a few hours.

    Spent in the transaction that stores a tip or a follow-up, so, like them, it has no sequential
    id (one would count tips as they arrive, and order them) and its rows are rewritten in a random
    order by ``tips_settle`` once their hour is over.
    """

    token_hash = models.CharField(max_length=64, primary_key=True)
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("used form token")
        verbose_name_plural = _("used form tokens")

    def __str__(self) -> str:
        return self.token_hash[:12]

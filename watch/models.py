from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood

# Longest texts a resident (or officer) may write: bounds what is stored and what is e-mailed.
DESCRIPTION_MAX_LENGTH = 4000
DECLINE_REASON_MAX_LENGTH = 1000
POST_BODY_MAX_LENGTH = 5000
CONCERN_BODY_MAX_LENGTH = 4000


class WatchGroup(models.Model):
    """A Neighbourhood Watch group: proposed by a resident (its coordinator), approved by an officer (its liaison)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address"), max_length=140, unique=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, verbose_name=_("neighbourhood"), on_delete=models.PROTECT, related_name="watch_groups"
    )
    description = models.TextField(
        _("description"), max_length=DESCRIPTION_MAX_LENGTH, help_text=_("Which streets it covers and what it does.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_watch_groups",
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_watch_groups",
    )
    members_need_approval = models.BooleanField(
        _("the coordinator approves new members"), default=False, help_text=_("Otherwise anyone may join at once.")
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=DECLINE_REASON_MAX_LENGTH, blank=True)
    training_program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("training program"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="watch_groups",
        help_text=_("The program the liaison officer recommends to members, e.g. a watch training workshop."),
    )
    meetings = models.ManyToManyField(
        "meetings.Meeting", verbose_name=_("meetings"), blank=True, related_name="watch_groups"
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "neighbourhood"])]
        verbose_name = _("watch group")
        verbose_name_plural = _("watch groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("watch:detail", kwargs={"slug": self.slug})


class Membership(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the coordinator")
        ACTIVE = "active", _("Member")

    group = models.ForeignKey(WatchGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="watch_memberships"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("asked to join"), auto_now_add=True)
    approved_at = models.DateTimeField(_("member since"), null=True, blank=True)

    class Meta:
        ordering = ["group", "created_at"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="watch_membership_once")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.group}"


class Post(models.Model):
    """An announcement from the coordinator or the liaison officer, e-mailed to the members."""

    class AuthorRole(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        LIAISON = "liaison", _("Liaison officer")

    group = models.ForeignKey(WatchGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_role = models.CharField(_("posted as"), max_length=15, choices=AuthorRole.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("message"), max_length=POST_BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title


class Concern(models.Model):
    """A member's report of a concern to the group's liaison officer, and the officers' answer."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    group = models.ForeignKey(WatchGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="concerns")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("what you noticed"), max_length=CONCERN_BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The officers' answer, e-mailed once to the reporter (watch.services.concern_reply).
    reply = models.TextField(_("reply to the resident"), max_length=CONCERN_BODY_MAX_LENGTH, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["replied_at", "status"])]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")

    def __str__(self) -> str:
        return self.subject

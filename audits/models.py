"""Safety audit walks (CPTED checklists, findings, re-audits) and preparedness-drill debriefs.

A walk and a drill are meetings (``Meeting.Kind.SAFETY_AUDIT`` / ``PREPAREDNESS_DRILL``): RSVP,
reminders and check-in are the meeting's. This app adds what is particular to each: the
checklist and the findings of a walk, the plan and the after-action debrief of a drill.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from portal.translated import TranslatableModel

# The local area map is a grid of columns A–H and rows 1–8 (static/audits/area-grid.svg).
MAP_COLUMNS = "ABCDEFGH"
MAP_ROWS = 8
MAP_CELL_PATTERN = re.compile(rf"^[{MAP_COLUMNS}][1-{MAP_ROWS}]$")


def map_cells() -> list[str]:
    return [f"{column}{row}" for row in range(1, MAP_ROWS + 1) for column in MAP_COLUMNS]


class ChecklistTemplate(TranslatableModel):
    """What participants look at on a walk: items grouped by theme, defined by officers."""

    translated_fields = ("name", "description")

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered for new walks"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(TranslatableModel):
    translated_fields = ("theme", "text")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    theme = models.CharField(_("theme"), max_length=100, help_text=_("Items of the same theme are shown together."))
    text = models.CharField(_("what to look at"), max_length=300)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return f"{self.theme}: {self.text}"


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    NEEDS_ATTENTION = "attention", _("Needs attention")
    URGENT = "urgent", _("Urgent")


# For comparing walks: a lower score is better.
RATING_SCORES = {Rating.GOOD: 0, Rating.NEEDS_ATTENTION: 1, Rating.URGENT: 2}


class AuditWalk(models.Model):
    """The audit part of a safety-audit meeting: where, with which checklist, and what it re-audits."""

    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.CASCADE,
        related_name="audit_walk",
        limit_choices_to={"kind": Meeting.Kind.SAFETY_AUDIT},
        verbose_name=_("meeting"),
    )
    area = models.CharField(
        _("area walked"), max_length=200, help_text=_("The streets or place walked, e.g. “Mill Lane underpass”.")
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="walks", verbose_name=_("checklist")
    )
    previous_walk = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="re_audits",
        verbose_name=_("re-audit of"),
        help_text=_("An earlier walk of the same area: the report then shows what changed since."),
    )
    report_published_at = models.DateTimeField(_("report published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-meeting__starts_at", "id"]
        verbose_name = _("safety audit walk")
        verbose_name_plural = _("safety audit walks")

    def __str__(self) -> str:
        return f"{self.meeting} · {self.area}"

    def get_absolute_url(self) -> str:
        return reverse("audits:report", args=[self.meeting.slug])

    def clean(self) -> None:
        if self.meeting_id and self.meeting.kind != Meeting.Kind.SAFETY_AUDIT:
            raise ValidationError({"meeting": _("Choose a meeting of the kind “Safety audit walk”.")})
        if self.previous_walk_id and self.previous_walk_id == self.pk:
            raise ValidationError({"previous_walk": _("A walk cannot be a re-audit of itself.")})
        if self.previous_walk_id and self.meeting_id and self.previous_walk.meeting.starts_at >= self.meeting.starts_at:
            raise ValidationError({"previous_walk": _("Choose a walk that took place before this one.")})

    @property
    def neighbourhood(self):
        return self.meeting.neighbourhood


class Finding(models.Model):
    """What one participant saw on a walk: checklist answers, a note, a place and photos."""

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for review")
        REVIEWED = "reviewed", _("Reviewed")
        MERGED = "merged", _("Merged into another finding")
        DISMISSED = "dismissed", _("Dismissed")

    # Public addresses carry this, never a sequential id.
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    walk = models.ForeignKey(AuditWalk, on_delete=models.CASCADE, related_name="findings", verbose_name=_("walk"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="audit_findings"
    )
    notes = models.TextField(_("notes"), blank=True, max_length=3000)
    address = models.CharField(_("address or landmark"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    map_cell = models.CharField(
        _("square on the area map"),
        max_length=2,
        blank=True,
        validators=[RegexValidator(MAP_CELL_PATTERN, _("Choose a square from A1 to H8."))],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["walk", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="finding_coordinates_together",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(duplicate_of__isnull=False),
                name="finding_merged_points_at_kept",
            ),
        ]
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")

    def __str__(self) -> str:
        summary = self.notes[:60] or self.address[:60] or str(_("finding"))
        return f"{self.walk.area}: {summary}"

    @property
    def has_location(self) -> bool:
        return bool(self.address or self.map_cell or self.latitude is not None)


class ChecklistAnswer(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["item__position", "item_id", "id"]
        # A merge moves answers onto the kept finding, so one finding may hold two for an item.
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")

    def __str__(self) -> str:
        return f"{self.item.text}: {self.get_rating_display()}"


def finding_photo_path(photo: "FindingPhoto", filename: str) -> str:
    # Our own random name: the uploader's file name may carry a name or a date.
    return f"audits/findings/{photo.id}.{filename.rsplit('.', 1)[-1]}"


class FindingPhoto(models.Model):
    """A photo of a finding, redrawn from its pixels (tips/attachments.py) before it is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=finding_photo_path)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("bytes"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")

    def __str__(self) -> str:
        return f"photo-{self.id}"

    def get_absolute_url(self) -> str:
        return reverse("audits:photo", args=[self.id])


class DrillPlan(TranslatableModel):
    """A preparedness drill's plan (shown on its meeting page) and the officers' published debrief summary."""

    translated_fields = ("scenario", "roles", "materials", "summary")

    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.CASCADE,
        related_name="drill_plan",
        limit_choices_to={"kind": Meeting.Kind.PREPAREDNESS_DRILL},
        verbose_name=_("meeting"),
    )
    scenario = models.TextField(_("scenario"))
    roles = models.TextField(_("roles"), blank=True, help_text=_("Who does what during the drill."))
    materials = models.TextField(_("materials"), blank=True, help_text=_("What to bring or what is provided."))
    summary = models.TextField(_("debrief summary"), blank=True)
    summary_published_at = models.DateTimeField(_("summary published"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("drill plan")
        verbose_name_plural = _("drill plans")

    def __str__(self) -> str:
        return str(self.meeting)

    def clean(self) -> None:
        if self.meeting_id and self.meeting.kind != Meeting.Kind.PREPAREDNESS_DRILL:
            raise ValidationError({"meeting": _("Choose a meeting of the kind “Emergency-preparedness drill”.")})


class DebriefAnswer(models.Model):
    """One participant's after-action debrief of a drill."""

    class KnewWhatToDo(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    drill = models.ForeignKey(DrillPlan, on_delete=models.CASCADE, related_name="debrief_answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="drill_debriefs"
    )
    went_well = models.TextField(_("what went well"), blank=True, max_length=2000)
    to_improve = models.TextField(_("what to improve"), blank=True, max_length=2000)
    knew_what_to_do = models.CharField(_("did you know what to do?"), max_length=10, choices=KnewWhatToDo.choices)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drill", "author"], condition=models.Q(author__isnull=False), name="debrief_once_per_person"
            )
        ]
        verbose_name = _("debrief answer")
        verbose_name_plural = _("debrief answers")

    def __str__(self) -> str:
        return f"{self.drill} · {(self.to_improve or self.went_well)[:60]}"

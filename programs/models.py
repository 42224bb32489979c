import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from neighbourhoods.models import Neighbourhood
from portal.choices import ChoiceLabelsModel
from portal.translated import TranslatableModel

# Paths under /programs/ that a program's slug must not shadow.
RESERVED_SLUGS = {"mine", "consent"}
# Under this age (at the program's start) an applicant needs a guardian's consent.
AGE_OF_MAJORITY = 18


def validate_program_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved for the portal's own pages."), params={"slug": value})


class Program(TranslatableModel):
    """A program residents apply to: an academy cohort, a youth program, a workshop, …"""

    translated_fields = ("title", "summary", "description")

    class Kind(models.TextChoices):
        ACADEMY = "academy", _("Citizen police academy")
        YOUTH = "youth", _("Youth program")
        WORKSHOP = "workshop", _("Crime-prevention workshop")
        RIDE_ALONG = "ride_along", _("Ride-along")
        VOLUNTEER = "volunteer", _("Volunteer program")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not shown)")
        PUBLISHED = "published", pgettext_lazy("program status", "Published")
        CLOSED = "closed", _("Closed to applications")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[validate_program_slug])
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences for the list."))
    description = models.TextField(_("description"), blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
        help_text=_("Leave empty for a city-wide program."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("Age on the day of the first session.")
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, help_text=_("Age on the day of the first session.")
    )
    residents_only = models.BooleanField(
        _("residents only"),
        default=False,
        help_text=_(
            "A resident is someone whose profile names a home neighbourhood in the city; for a neighbourhood "
            "program, it must be that neighbourhood. Open programs accept anyone with an account."
        ),
    )
    capacity = models.PositiveIntegerField(_("seats"), help_text=_("Accepted applicants; the rest are waitlisted."))
    applications_open_at = models.DateTimeField(_("applications open"))
    applications_close_at = models.DateTimeField(_("applications close"))
    requires_approval = models.BooleanField(
        _("needs an officer's approval"),
        default=False,
        help_text=_("If ticked, applications wait for an officer; otherwise seats are confirmed at once."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["applications_close_at", "title"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=models.F("applications_open_at")),
                name="program_window_closes_after_it_opens",
                violation_error_message=_("Applications must close after they open."),
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gte=models.F("min_age")),
                name="program_max_age_not_below_min_age",
                violation_error_message=_("The maximum age cannot be below the minimum age."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", args=[self.slug])

    @property
    def seats_left(self) -> int:
        """Free seats, from the ``seats_taken`` the program selectors annotate (in Python, not a
        second copy of the count's subquery in the SQL)."""
        return max(self.capacity - self.seats_taken, 0)

    @property
    def has_age_limits(self) -> bool:
        return self.min_age is not None or self.max_age is not None

    def is_open_for_applications(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.applications_open_at <= now < self.applications_close_at


class ProgramSession(TranslatableModel):
    translated_fields = ("title", "location")

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="program_session_ends_after_it_starts",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.title or self.program.title} ({local:%Y-%m-%d %H:%M})"


class ProgramQuestion(TranslatableModel):
    """A question an applicant answers on the application form."""

    # Translated choices are labels only, line for line: the stored answer is the source option.
    translated_fields = ("text", "choices")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        YES_NO = "yes_no", _("Yes / no")
        CHOICE = "choice", _("Choice")

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice question: one option a line."))
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind == self.Kind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("A choice question needs at least two options, one a line.")})


class Application(ChoiceLabelsModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    # A resident holds at most one of these per program; declined or withdrawn ones may re-apply.
    LIVE_STATUSES = (Status.PENDING, Status.ACCEPTED, Status.WAITLISTED, Status.COMPLETED)
    # Applications that occupy a seat.
    SEAT_STATUSES = (Status.ACCEPTED, Status.COMPLETED)
    WITHDRAWABLE_STATUSES = (Status.PENDING, Status.ACCEPTED, Status.WAITLISTED)

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="program_applications",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    answers = models.JSONField(
        _("answers"), default=list, blank=True, help_text=_("A list of {question, answer} as the applicant saw them.")
    )
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_email = models.EmailField(_("guardian's e-mail"), blank=True)
    consent_requested_at = models.DateTimeField(_("consent last requested"), null=True, blank=True)
    # Set when someone holding the guardian's address confirms, from the e-mailed link, that they
    # are the applicant's guardian; only then can consent be given.
    guardian_confirmed_at = models.DateTimeField(_("guardian's address confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "applicant"],
                condition=Q(status__in=["pending", "accepted", "waitlisted", "completed"]),
                name="program_one_live_application_per_applicant",
                violation_error_message=_("You already have an application to this program."),
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "waitlist_position"])]

    def __str__(self) -> str:
        return f"{self.applicant.email} → {self.program.title}"

    @property
    def is_seated(self) -> bool:
        return self.status in self.SEAT_STATUSES

    @property
    def needs_guardian_consent(self) -> bool:
        """A minor's application waits for a guardian; ``guardian_email`` is set only for minors."""
        return bool(self.guardian_email) and not hasattr(self, "guardian_consent")


class GuardianConsent(models.Model):
    """A guardian's consent to a minor's application: who, when, and the exact text they agreed to."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="guardian_consent"
    )
    guardian_name = models.CharField(_("consenting guardian"), max_length=200)
    guardian_email = models.EmailField(_("guardian's e-mail"))
    consent_text = models.TextField(_("text consented to"))
    consented_at = models.DateTimeField(_("consented"), default=timezone.now)

    class Meta:
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")

    def __str__(self) -> str:
        return f"{self.guardian_name} ({timezone.localtime(self.consented_at):%Y-%m-%d %H:%M})"


class GuardianOptOut(models.Model):
    """An address whose owner said, from a consent e-mail, that they are no applicant's guardian
    and want no more of these e-mails: no application may name it again."""

    email = models.EmailField(_("e-mail"), unique=True, help_text=_("Stored in lower case."))
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)

    class Meta:
        verbose_name = _("guardian opt-out")
        verbose_name_plural = _("guardian opt-outs")

    def __str__(self) -> str:
        return self.email


class Attendance(models.Model):
    """Whether an accepted applicant came to one session. One row per session and application."""

    session = models.ForeignKey(
        ProgramSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="attendances"
    )
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="program_one_attendance_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.application} @ {self.session}"

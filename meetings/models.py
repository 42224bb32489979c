"""Town halls, forums and beat meetings: who comes, what they ask, and what they thought of it."""

import uuid
from datetime import timedelta
from urllib.parse import quote_plus

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from neighbourhoods.models import Neighbourhood
from portal.choices import ChoiceLabelsModel
from portal.translated import TranslatableModel

# Registration and question codes: short, unguessable, no look-alike characters.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_REMINDER_OFFSETS = [1440, 60]
# The longest reminder lead time an officer may configure (one week, in minutes).
MAX_REMINDER_OFFSET = 7 * 24 * 60


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


def new_registration_code() -> str:
    return get_random_string(8, CODE_ALPHABET)


def new_question_code() -> str:
    return get_random_string(10, CODE_ALPHABET)


class Meeting(TranslatableModel):
    translated_fields = ("title", "description", "minutes")

    class Kind(models.TextChoices):
        TOWN_HALL = "town_hall", _("Town hall")
        COMMUNITY_FORUM = "community_forum", _("Police-community forum")
        BEAT_MEETING = "beat_meeting", _("Beat meeting")
        PREPAREDNESS_DRILL = "preparedness_drill", _("Emergency-preparedness drill")
        SAFETY_AUDIT = "safety_audit", _("Safety audit walk")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.TOWN_HALL)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("web address"), max_length=220, unique=True, blank=True, help_text=_("Left blank, it is made from the title.")
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("where"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text=_("Leave empty for a city-wide meeting."),
    )
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty when there is no limit.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    is_published = models.BooleanField(_("published"), default=False)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Shown on the meeting page once it has ended."))
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("host officers"), blank=True, related_name="hosted_meetings"
    )
    reminder_offsets = models.JSONField(
        _("reminders (minutes before)"),
        default=default_reminder_offsets,
        blank=True,
        help_text=_("Minutes before the start at which everyone going gets a reminder, e.g. [1440, 60]."),
    )
    # Goes up whenever time or place changes, so calendar apps (SEQUENCE) and e-mails see a new version.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    feedback_requested_at = models.DateTimeField(_("feedback requested"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["is_published", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("The meeting must end after it starts."),
            )
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.slug])

    @property
    def is_in_person(self) -> bool:
        return self.mode in (self.Mode.IN_PERSON, self.Mode.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)

    @property
    def map_url(self) -> str:
        if not (self.is_in_person and self.address):
            return ""
        return f"https://www.openstreetmap.org/search?query={quote_plus(self.address)}"

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def seats_left(self) -> int | None:
        """Free seats, or None without a limit (uses the ``going_count`` annotation when present)."""
        if self.capacity is None:
            return None
        going = getattr(self, "going_count", None)
        if going is None:
            going = self.rsvps.filter(status=Rsvp.Status.GOING).count()
        return max(self.capacity - going, 0)


class AgendaItem(TranslatableModel):
    translated_fields = ("title", "description")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(pgettext_lazy("duration", "minutes"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")

    def __str__(self) -> str:
        return self.title


class Rsvp(ChoiceLabelsModel):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_rsvps")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.GOING)
    code = models.CharField(_("registration code"), max_length=12, unique=True, default=new_registration_code)
    # The waiting list is served in the order people joined it.
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["status_changed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="rsvp_once_per_meeting")]
        indexes = [models.Index(fields=["meeting", "status", "status_changed_at"])]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")

    def __str__(self) -> str:
        return f"{self.code} · {self.meeting}"


class ReminderDelivery(models.Model):
    """One reminder to one RSVP, for one offset and the start time it was computed for.

    The unique constraint is what makes a duplicate beat tick or a retried task a no-op; a
    reschedule gives a new start time, so reminders for the old one can never be sent again.
    """

    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="reminder_deliveries")
    offset_minutes = models.PositiveIntegerField(_("minutes before"))
    starts_at = models.DateTimeField(_("for the start time"))
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rsvp", "offset_minutes", "starts_at"], name="reminder_once_per_offset")
        ]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return f"{self.rsvp} · {self.offset_minutes} min"


class Question(TranslatableModel):
    translated_fields = ("answer",)

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        ANSWERED = "answered", _("Answered")
        HIDDEN = "hidden", _("Hidden")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_questions")
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_question_code, editable=False)
    text = models.TextField(_("question"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.ANSWERED)


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="question_vote_once")]
        verbose_name = _("question vote")
        verbose_name_plural = _("question votes")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.question_id}"


def _ratings_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(
            rating_information__gte=1,
            rating_information__lte=5,
            rating_listening__gte=1,
            rating_listening__lte=5,
            rating_organisation__gte=1,
            rating_organisation__lte=5,
            rating_overall__gte=1,
            rating_overall__lte=5,
        ),
        name=name,
    )


class FeedbackAnswers(models.Model):
    """What a resident answers about a meeting: four ratings, the concern and a comment."""

    class Concern(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        NONE = "none", _("I did not bring a concern")

    RATING_FIELDS = ("rating_information", "rating_listening", "rating_organisation", "rating_overall")
    ANSWER_FIELDS = (*RATING_FIELDS, "concern_addressed", "comment")

    # Random, so an id says nothing about when or after whom a row was written.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    rating_information = models.PositiveSmallIntegerField(
        _("Useful information"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_listening = models.PositiveSmallIntegerField(
        _("Officers listened"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_organisation = models.PositiveSmallIntegerField(
        _("Well organised"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_overall = models.PositiveSmallIntegerField(
        _("Overall"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    concern_addressed = models.CharField(_("concern addressed"), max_length=10, choices=Concern.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        abstract = True

    def answers(self) -> dict:
        return {name: getattr(self, name) for name in self.ANSWER_FIELDS}


class Feedback(FeedbackAnswers):
    """One resident's answers about a meeting, as officers read them.

    Anonymous feedback has no user, no time and a random id, and is never written in the
    transaction of its ``FeedbackReceipt``: it waits in ``PendingFeedback`` and is written here
    in shuffled batches (``services.feedback_release``), so neither ids, row order, times nor
    transaction ids tie it back to the person.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [_ratings_constraint("feedback_ratings_1_to_5")]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.meeting} · {self.rating_overall}/5"

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


class PendingFeedback(FeedbackAnswers):
    """Anonymous answers waiting for their batch: no user, no time, deleted once released.

    Written in the same transaction as the person's receipt (so an answer is never lost nor
    given twice); officers never see these rows, only how many are waiting.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pending_feedback")

    class Meta:
        constraints = [_ratings_constraint("pending_feedback_ratings_1_to_5")]
        verbose_name = _("feedback waiting for release")
        verbose_name_plural = _("feedback waiting for release")

    def __str__(self) -> str:
        return str(self.meeting)


class FeedbackReceipt(models.Model):
    """Who has already given feedback on a meeting (never what they said), to the day only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The day, not the moment: a time could be set beside the release of a batch.
    responded_on = models.DateField(_("responded on"), default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="feedback_once_per_meeting")]
        verbose_name = _("feedback receipt")
        verbose_name_plural = _("feedback receipts")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.meeting_id}"


class FeedbackResponse(TranslatableModel):
    """The officers' public answer to a meeting's feedback ("what you told us")."""

    translated_fields = ("summary", "response")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="feedback_response")
    summary = models.TextField(_("what you told us"))
    response = models.TextField(_("what we will do"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("feedback response")
        verbose_name_plural = _("feedback responses")

    def __str__(self) -> str:
        return str(self.meeting)

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Email(models.Model):
    """One e-mail to one recipient, written in the same transaction as the change that causes it.

    The row is the message's source of truth: a worker renders and sends it, and the
    unique ``idempotency_key`` makes queueing the same message twice a no-op.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", pgettext_lazy("e-mail status", "Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", _("Transactional")
        BULK = "bulk", _("Bulk")

    to = models.EmailField(_("recipient"))
    template = models.CharField(
        _("template"),
        max_length=150,
        help_text=_("Renders <template>_subject.txt, <template>.txt and <template>.html."),
    )
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True, help_text=_("A list of {filename, content, mimetype} text parts.")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"

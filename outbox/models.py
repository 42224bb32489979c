from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outbox import sealing


class Email(models.Model):
    """One e-mail to one recipient, written in the same transaction as the change that causes it.

    The row is the message's source of truth: a worker renders and sends it, and the
    unique ``idempotency_key`` makes queueing the same message twice a no-op. Its context and
    attachments (which may carry links that grant access) are sealed at rest (``outbox.sealing``)
    and erased once the row is sent, failed or withdrawn; ``context`` and ``attachments`` open them.
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
    language = models.CharField(_("language"), max_length=10, default="en")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    # {"context": {...}, "attachments": [{filename, content, mimetype}, ...]} sealed; "" once erased.
    sealed = models.TextField(_("sealed context"), blank=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set on a message to someone the portal must then forget (the notice that their account was
    # deleted): once the row is sent, failed or withdrawn, its recipient is erased too.
    forget_recipient = models.BooleanField(_("forget the recipient once sent"), default=False, editable=False)
    # The Celery queue that delivers it ("" = the default queue), so the sweep re-enqueues a row where
    # it was meant to go: an alert a dead worker had claimed must not wait behind a newsletter.
    queue = models.CharField(_("queue"), max_length=50, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The retention purge finds the oldest rows by it, whatever the table's size.
            models.Index(fields=["created_at"], name="outbox_email_created_at"),
        ]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"

    @staticmethod
    def seal(*, context: dict | None, attachments: list | None) -> str:
        """The value of ``sealed`` for this context and these attachments ("" when both are empty)."""
        if not context and not attachments:
            return ""
        return sealing.seal({"context": context or {}, "attachments": attachments or []})

    def open_sealed(self, opened: dict | None = None) -> dict:
        """The sealed payload; ``opened``, a dict kept for a batch, opens a token shared by many rows once.

        Raises ``sealing.Unreadable`` if no outbox key opens it.
        """
        cached = self.__dict__.get("_opened")
        if cached is not None and cached[0] == self.sealed:
            return cached[1]
        if not self.sealed:
            payload = {"context": {}, "attachments": []}
        elif opened is not None and self.sealed in opened:
            payload = opened[self.sealed]
        else:
            payload = sealing.unseal(self.sealed)
            if opened is not None:
                opened[self.sealed] = payload
        self.__dict__["_opened"] = (self.sealed, payload)
        return payload

    @property
    def context(self) -> dict:
        return self.open_sealed()["context"]

    @context.setter
    def context(self, value: dict) -> None:
        self.sealed = self.seal(context=value, attachments=self.attachments if self.sealed else None)

    @property
    def attachments(self) -> list:
        return self.open_sealed()["attachments"]

    @attachments.setter
    def attachments(self, value: list) -> None:
        self.sealed = self.seal(context=self.context if self.sealed else None, attachments=value)

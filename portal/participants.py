"""Officers message a program's or a meeting's participants (seated, waitlisted or all) from the admin.

The admin page composes the message, then shows the confirmation page (portal.confirmation) with
how many people get it, in which languages, and a preview; only the confirmed post sends, through
the app's service. A key made when the form is first shown travels with both posts and makes the
outbox's idempotency keys, so a double submit sends each person one copy.
"""

import uuid
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from outbox.models import Email
from outbox.services import email_queue
from portal.confirmation import confirmation_response, is_confirmed
from portal.text import TextCleaningFormMixin

SEATED = "seated"
WAITLISTED = "waitlisted"
EVERYONE = "all"


def participants_message_queue(
    *,
    target,
    people: dict,
    key_prefix: str,
    template: str,
    context_for: Callable[[str], dict],
    audience: str,
    subject: str,
    audit_action: str,
    actor,
) -> None:
    """Queue ``template`` to each of ``people`` ({id that ends the person's idempotency key: user}) in
    their language, with ``context_for(language)``, and audit it on ``target`` (a meeting or program).
    A message under ``key_prefix`` that is queued already (a double submit) queues and audits nothing.
    Call it in a transaction that has locked ``target``, so two posts cannot both pass that check."""
    if Email.objects.filter(idempotency_key__startswith=key_prefix).exists():
        return
    for person_id, user in people.items():
        language = user.profile.preferred_language if hasattr(user, "profile") else settings.LANGUAGE_CODE
        email_queue(
            to=user.email,
            template=template,
            context=context_for(language),
            idempotency_key=f"{key_prefix}{person_id}",
            language=language,
        )
    audit_record(
        actor=actor,
        action=audit_action,
        target=target,
        detail={"audience": audience, "subject": subject, "recipients": len(people)},
    )


class ParticipantMessageForm(TextCleaningFormMixin, forms.Form):
    audience = forms.ChoiceField(
        label=_("Who gets it"),
        choices=[
            (SEATED, _("Everyone with a seat")),
            (WAITLISTED, _("Everyone on the waitlist")),
            (EVERYONE, _("Everyone registered (seated and waitlisted)")),
        ],
        widget=forms.RadioSelect,
        initial=SEATED,
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain text, sent as you write it, with a greeting and the usual footer in each person's language."
        ),
    )
    message_key = forms.UUIDField(widget=forms.HiddenInput)


class ParticipantMessageAdminMixin:
    """``<id>/message/`` on a ModelAdmin: compose, confirm, send. The ModelAdmin gives
    ``participant_mailing(obj, audience, subject, body)`` (a portal.confirmation.Mailing) and
    ``participant_message_send(obj, audience, subject, body, key, actor) -> int``."""

    def participant_message_view(self, request, object_id):
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if request.method != "POST":
            form = ParticipantMessageForm(initial={"message_key": uuid.uuid4()})
        else:
            form = ParticipantMessageForm(request.POST)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            arguments = (obj, data["audience"], data["subject"], data["body"])
            if is_confirmed(request):
                sent = self.participant_message_send(*arguments, key=str(data["message_key"]), actor=request.user)
                self.message_user(
                    request, _("Message queued for %(count)d people.") % {"count": sent}, messages.SUCCESS
                )
                return redirect(change_url)
            return confirmation_response(
                self,
                request,
                title=_("Send this message?"),
                intro=_("It goes out as soon as you confirm and cannot be called back."),
                button=_("Yes, send it"),
                mailings=[self.participant_mailing(*arguments)],
                hidden_form=form,
                cancel_url=change_url,
            )
        return TemplateResponse(
            request,
            "admin/desk/participant_message.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Message the participants of “%(name)s”") % {"name": obj},
                "opts": self.opts,
                "original": obj,
                "form": form,
                "change_url": change_url,
            },
        )

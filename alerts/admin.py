from datetime import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alerts import services
from alerts.cap import cap_document
from alerts.forms import AlertCancelForm, AlertForm
from alerts.models import Alert, AlertRecipient, AlertRevision
from alerts.selectors import alert_audience
from audit.mixins import AuditedModelAdmin
from portal.confirmation import confirmation_response, is_confirmed, language_counts, mailing
from portal.translated import TranslationsAdminMixin, translation_field_name, translation_fieldsets, translation_names


class AlertRevisionInline(admin.TabularInline):
    model = AlertRevision
    fields = ["number", "msg_type", "identifier", "sent_at", "sent_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(TranslationsAdminMixin, AuditedModelAdmin):
    """Drafts are edited here; publishing, updating and cancelling go through the buttons, i.e. the services."""

    form = AlertForm
    list_display = ["headline", "status", "severity", "area", "expires_at", "last_sent_at"]
    list_filter = ["status", "severity", "category", "neighbourhoods"]
    search_fields = ["headline", "event", "description"]
    filter_horizontal = ["neighbourhoods"]
    date_hierarchy = "created_at"
    inlines = [AlertRevisionInline]
    actions = ["publish_selected", "cancel_selected"]
    show_full_result_count = False
    list_select_related = ["created_by__profile"]
    change_form_template = "admin/alerts/alert/change_form.html"

    @admin.display(description=_("area"))
    def area(self, alert: Alert) -> str:
        if alert.city_wide:
            return str(_("City-wide"))
        return ", ".join(n.name for n in alert.neighbourhoods.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("neighbourhoods")

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": [*AlertForm.Meta.fields, "status"]}),
            *translation_fieldsets(Alert, list(Alert.translated_fields)),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Once sent, an alert changes only through "Send an update", which keeps its history.
        if obj is not None and obj.status != Alert.Status.DRAFT:
            return [*AlertForm.Meta.fields, "status", *translation_names(Alert)]
        return ["status"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == Alert.Status.DRAFT)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        services.alert_draft_save(actor=request.user, alert=obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="alerts_alert_preview"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="alerts_alert_publish"),
            path("<int:pk>/send-update/", wrap(self.update_view), name="alerts_alert_update"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="alerts_alert_cancel"),
            *super().get_urls(),
        ]

    def _alert(self, request, pk) -> Alert:
        alert = get_object_or_404(Alert, pk=pk)
        if not self.has_change_permission(request, alert):
            raise PermissionDenied
        return alert

    def _context(self, request, alert, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": alert,
            "alert": alert,
            **extra,
        }

    def preview_view(self, request, pk):
        """What residents will receive: the e-mail, and the CAP document other systems will read."""
        alert = self._alert(request, pk)
        draft = _next_revision(alert)
        context = services.alert_email_context(draft, language=request.LANGUAGE_CODE)
        return TemplateResponse(
            request,
            "admin/alerts/alert/preview.html",
            self._context(
                request,
                alert,
                title=_("Preview: %(headline)s") % {"headline": alert.headline},
                email_subject=render_to_string("alerts/emails/alert_subject.txt", context).strip(),
                email_text=render_to_string("alerts/emails/alert.txt", context),
                cap_xml=cap_document(draft, earlier=list(alert.revisions.all())).decode(),
            ),
        )

    def publish_view(self, request, pk):
        alert = self._alert(request, pk)
        if is_confirmed(request):
            try:
                services.alert_publish(actor=request.user, alert=alert)
            except services.AlertError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Published. Subscribers in its area are being e-mailed now."))
            return redirect(reverse("admin:alerts_alert_change", args=[alert.pk]))
        return confirmation_response(
            self,
            request,
            title=_("Publish this alert?"),
            intro=_("It appears on the site and in the feeds, and its area's subscribers get an e-mail now."),
            button=_("Publish now"),
            mailings=[alert_mailing(alert, cancelling=False)],
            cancel_url=reverse("admin:alerts_alert_change", args=[alert.pk]),
        )

    def update_view(self, request, pk):
        """Write an update and send it; with approval required, write it for another approver to send,
        or send the one another officer wrote ("_approve")."""
        alert = self._alert(request, pk)
        approval = settings.ALERTS_REQUIRE_APPROVAL
        if request.method == "POST" and approval and "_approve" in request.POST:
            try:
                services.alert_update_approve(actor=request.user, alert=alert)
            except services.AlertError as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect(reverse("admin:alerts_alert_update", args=[alert.pk]))
            self.message_user(request, _("Update sent to everyone who got the alert."))
            return redirect(reverse("admin:alerts_alert_change", args=[alert.pk]))
        # The admin's own form class (date pickers, neighbourhood chooser); None: every field editable.
        form_class = self.get_form(request, None, fields=AlertForm.Meta.fields)
        # A proposal is shown to be read; a posted form is compared with the alert as it stands.
        showing_proposal = request.method != "POST" and approval and alert.pending_update
        initial = _proposal_initial(alert.pending_update) if showing_proposal else None
        form = form_class(request.POST or None, instance=alert, initial=initial)
        if request.method == "POST" and form.is_valid():
            changes = {
                field: form.cleaned_data[field] for field in services.CONTENT_FIELDS if field in form.changed_data
            }
            if any(name in form.changed_data for name in translation_names(Alert)):
                # The form put the posted translations, over the stored ones, on its instance.
                changes["translations"] = form.instance.translations
            arguments = {
                "actor": request.user,
                "alert": Alert.objects.get(pk=alert.pk),
                "changes": changes,
                "neighbourhoods": form.cleaned_data["neighbourhoods"],
            }
            try:
                if approval:
                    services.alert_update_propose(**arguments)
                else:
                    services.alert_update(**arguments)
            except services.AlertError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                if approval:
                    self.message_user(request, _("Update saved for approval: another approver must send it."))
                else:
                    self.message_user(request, _("Update sent to everyone who got the alert."))
                return redirect(reverse("admin:alerts_alert_change", args=[alert.pk]))
        proposed_by = alert.pending_update_by if approval and alert.pending_update else None
        return TemplateResponse(
            request,
            "admin/alerts/alert/update.html",
            self._context(
                request,
                alert,
                title=_("Send an update"),
                form=form,
                media=self.media + form.media,
                button=_("Save the update for approval") if approval else None,
                proposed_by=proposed_by,
                may_approve=proposed_by is not None and alert.pending_update_by_id != request.user.pk,
            ),
        )

    def cancel_view(self, request, pk):
        alert = self._alert(request, pk)
        form = AlertCancelForm(request.POST if is_confirmed(request) else None)
        if form.is_bound and form.is_valid():
            try:
                services.alert_cancel(
                    actor=request.user,
                    alert=alert,
                    note=form.cleaned_data["note"],
                    note_translations=form.note_translations(),
                )
            except services.AlertError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Cancelled. Everyone who got the alert is told."))
            return redirect(reverse("admin:alerts_alert_change", args=[alert.pk]))
        return confirmation_response(
            self,
            request,
            title=_("Cancel this alert?"),
            intro=_("The banner goes at once, the feeds say it is cancelled, and everyone who got it is told."),
            button=_("Cancel the alert"),
            mailings=[alert_mailing(alert, cancelling=True)] if alert.status == Alert.Status.PUBLISHED else [],
            form=form,
            cancel_url=reverse("admin:alerts_alert_change", args=[alert.pk]),
        )

    @admin.action(description=_("Publish the selected drafts"), permissions=["change"])
    def publish_selected(self, request, queryset):
        if not is_confirmed(request):
            alerts = list(queryset.prefetch_related("neighbourhoods").order_by("pk"))
            return confirmation_response(
                self,
                request,
                title=_("Publish these alerts?"),
                intro=_("They appear on the site and in the feeds, and their areas' subscribers get an e-mail now."),
                button=_("Publish now"),
                mailings=[
                    alert_mailing(alert, cancelling=False) for alert in alerts if alert.status == Alert.Status.DRAFT
                ],
                action="publish_selected",
                selected=alerts,
            )
        done = self._run(request, queryset, services.alert_publish)
        if done:
            self.message_user(request, ngettext("%d alert published.", "%d alerts published.", done) % done)

    @admin.action(description=_("Cancel the selected alerts"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        if not is_confirmed(request):
            alerts = list(queryset.order_by("pk"))
            return confirmation_response(
                self,
                request,
                title=_("Cancel these alerts?"),
                intro=_(
                    "Their banners go at once, the feeds say they are cancelled, and everyone who got them is told."
                ),
                button=_("Cancel the alerts"),
                mailings=[
                    alert_mailing(alert, cancelling=True) for alert in alerts if alert.status == Alert.Status.PUBLISHED
                ],
                action="cancel_selected",
                selected=alerts,
            )
        done = self._run(request, queryset, services.alert_cancel)
        if done:
            self.message_user(request, ngettext("%d alert cancelled.", "%d alerts cancelled.", done) % done)

    def _run(self, request, queryset, service) -> int:
        """Apply ``service`` to each alert; each refusal becomes an error message naming the alert."""
        done = 0
        for alert in queryset:
            try:
                service(actor=request.user, alert=alert)
            except services.AlertError as error:
                self.message_user(request, f"{alert}: {error}", messages.ERROR)
            else:
                done += 1
        return done


def _next_revision(alert: Alert, *, msg_type: str | None = None) -> AlertRevision:
    """The message the alert's next sending would make (not saved): what previews render."""
    number = alert.revisions.count() + 1
    if msg_type is None:
        msg_type = AlertRevision.MessageType.ALERT if number == 1 else AlertRevision.MessageType.UPDATE
    return AlertRevision(
        alert=alert,
        number=number,
        identifier=f"{alert.code}-{number}",
        msg_type=msg_type,
        sent_at=timezone.now(),
        snapshot=services.alert_snapshot(alert, note=""),
    )


def alert_mailing(alert: Alert, *, cancelling: bool):
    """What publishing or cancelling ``alert`` sends. A publication reaches its area's safety-alert
    subscribers (the same selector the delivery uses); a cancellation, everyone who got the alert."""
    if cancelling:
        recipients = alert.recipients.all()
        revision = _next_revision(alert, msg_type=AlertRevision.MessageType.CANCEL)
        where = None
    else:
        recipients = alert_audience(alert)
        revision = _next_revision(alert)
        where = [] if alert.city_wide else [neighbourhood.name for neighbourhood in alert.neighbourhoods.all()]
    return mailing(
        title=alert.headline,
        counts=language_counts(recipients, "language"),
        template="alerts/emails/alert",
        context_for=lambda language: services.alert_email_context(revision, language=language),
        neighbourhoods=where,
    )


def _proposal_initial(proposal: dict) -> dict:
    """The form's initial values for a proposed update (stored as JSON: ISO dates, neighbourhood ids)."""
    initial = {}
    for field, value in proposal.items():
        if field == "translations":
            for language, texts in value.items():
                initial.update({translation_field_name(name, language): text for name, text in texts.items()})
            continue
        if field in ("starts_at", "expires_at"):
            value = timezone.localtime(datetime.fromisoformat(value))
        initial[field] = value
    return initial


@admin.register(AlertRecipient)
class AlertRecipientAdmin(AuditedModelAdmin):
    list_display = ["email", "alert", "language", "added_at"]
    list_filter = ["language"]
    search_fields = ["email", "alert__headline"]
    list_select_related = ["alert"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.mixins import AuditedModelAdmin
from newsletters import selectors, services
from newsletters.forms import NewsletterForm
from newsletters.models import ConsentRecord, Newsletter, Subscription, Suppression
from outbox.models import Email
from outbox.services import email_render
from portal.confirmation import confirmation_response, is_confirmed, language_counts, mailing
from portal.translated import TranslationsAdminMixin, translation_fieldsets, translation_names


class NoCountPaginator(Paginator):
    """Pages through a big table without COUNT(*): it only asks whether one more row exists.

    With 100,000 subscribers, COUNT(*) is the slow part of an admin list; officers page with
    "previous" / "next" (templates/admin/newsletters/subscription/pagination.html) or search.
    """

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = self._get_page(rows[: self.per_page], number, self)
        page.has_next = lambda: len(rows) > self.per_page
        return page


class NoCountChangeList(ChangeList):
    def get_results(self, request):
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        page = paginator.page(self.page_num)
        self.paginator = paginator
        self.result_list = page.object_list
        # What is on this page: the only number known without counting the table.
        self.result_count = len(page.object_list)
        self.full_result_count = None
        self.show_full_result_count = False
        self.can_show_all = False
        self.multi_page = page.has_next() or self.page_num > 1
        self.previous_page_url = self.get_query_string({PAGE_VAR: self.page_num - 1}) if self.page_num > 1 else ""
        self.next_page_url = self.get_query_string({PAGE_VAR: self.page_num + 1}) if page.has_next() else ""


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    fields = ["created_at", "source", "actor", "changes"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Subscription)
class SubscriptionAdmin(AuditedModelAdmin):
    list_display = ["email", "status", "digest_frequency", "language", "created_at", "confirmed_at"]
    list_filter = ["status", "digest_frequency", "language"]
    search_fields = ["=email"]  # Exact match: a LIKE '%…%' scan over 100,000 rows is slow.
    show_full_result_count = False
    paginator = NoCountPaginator
    list_per_page = 50
    raw_id_fields = ["user"]
    filter_horizontal = ["neighbourhoods"]
    readonly_fields = ["email", "user", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    fields = [
        "email",
        "user",
        "status",
        ("wants_newsletter", "wants_meetings", "wants_programs", "wants_safety_alerts"),
        "neighbourhoods",
        "digest_frequency",
        "language",
        ("created_at", "confirmed_at", "unsubscribed_at"),
    ]
    inlines = [ConsentRecordInline]
    actions = ["unsubscribe_selected"]

    def get_changelist(self, request, **kwargs):
        return NoCountChangeList

    def has_add_permission(self, request):
        return False  # Addresses subscribe themselves (double opt-in); officers do not add them.

    def save_model(self, request, obj, form, change):
        # Through the service, so the change is recorded as consent given in the admin.
        services.subscription_update(
            email=obj.email,
            subscribed=obj.status == Subscription.Status.ACTIVE,
            topics=obj.topics,
            neighbourhoods=form.cleaned_data["neighbourhoods"],
            digest_frequency=obj.digest_frequency,
            language=obj.language,
            source=ConsentRecord.Source.ADMIN,
            actor=request.user,
        )

    def save_related(self, request, form, formsets, change):
        # The service above saved the neighbourhoods; only the (read-only) inline is left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Unsubscribe the selected addresses"), permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        emails = list(queryset.values_list("email", flat=True)[:1000])
        for address in emails:
            services.subscription_unsubscribe(email=address, source=ConsentRecord.Source.ADMIN, actor=request.user)
        self.message_user(
            request,
            ngettext("%(n)d address unsubscribed.", "%(n)d addresses unsubscribed.", len(emails)) % {"n": len(emails)},
            messages.SUCCESS,
        )


@admin.register(Suppression)
class SuppressionAdmin(AuditedModelAdmin):
    list_display = ["email", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["=email"]
    show_full_result_count = False
    # Officers add suppressions that stop bulk mail only; bounces and complaints (which stop
    # everything) come from the mail provider's reports, never from this form.
    fields = ["email", "detail"]

    def get_fields(self, request, obj=None):
        return ["email", "reason", "detail", "created_at"] if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ["email", "reason", "detail", "created_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            services.suppression_add(
                email=obj.email, reason=Suppression.Reason.MANUAL, detail=obj.detail, actor=request.user
            )


@admin.register(Newsletter)
class NewsletterAdmin(TranslationsAdminMixin, AuditedModelAdmin):
    form = NewsletterForm
    list_display = [
        "subject",
        "status",
        "audience",
        "scheduled_for",
        "recipient_count",
        "queued_count",
        "sent_count",
        "failed_count",
        "preview_link",
    ]
    list_filter = ["status", "audience"]
    search_fields = ["subject"]
    show_full_result_count = False
    list_select_related = ["created_by__profile"]
    filter_horizontal = ["neighbourhoods"]
    fieldsets = [
        (None, {"fields": ["subject", "body", "preview_link"]}),
        (_("Audience"), {"fields": ["audience", "topic", "neighbourhoods"]}),
        (
            _("Sending"),
            {
                "description": _(
                    "Set “send at” and use the “Schedule” action, or “Send now”. Progress is refreshed every minute."
                ),
                "fields": [
                    "scheduled_for",
                    "status",
                    ("recipient_count", "queued_count", "sent_count", "failed_count"),
                    ("started_at", "fanout_completed_at", "sent_at"),
                    "created_by",
                ],
            },
        ),
    ]
    actions = ["send_test", "send_now", "schedule", "cancel"]
    progress_fields = [
        "status",
        "recipient_count",
        "queued_count",
        "sent_count",
        "failed_count",
        "started_at",
        "fanout_completed_at",
        "sent_at",
        "created_by",
        "preview_link",
    ]

    def get_fieldsets(self, request, obj=None):
        # Composed in every site language: one fieldset per language after the source text.
        return [self.fieldsets[0], *translation_fieldsets(Newsletter, ["subject", "body"]), *self.fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in (Newsletter.Status.DRAFT, Newsletter.Status.CANCELLED):
            # Once scheduled, what residents receive is fixed; cancel it to edit.
            return [
                *self.progress_fields,
                "subject",
                "body",
                *translation_names(Newsletter),
                "audience",
                "topic",
                "neighbourhoods",
                "scheduled_for",
            ]
        return self.progress_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("Preview"))
    def preview_link(self, obj):
        if not obj.pk:
            return _("Save the draft to preview it.")
        url = reverse("admin:newsletters_newsletter_preview", args=[obj.pk])
        return format_html_join(
            " · ",
            '<a href="{}?language={}" target="_blank" rel="noopener" hreflang="{}">{} ({})</a>',
            ((url, code, code, _("Preview in the browser"), name) for code, name in settings.LANGUAGES),
        )

    def get_urls(self):
        return [
            path(
                "<int:newsletter_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletters_newsletter_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, newsletter_id: int) -> HttpResponse:
        """The HTML part exactly as the outbox renders it (nothing is saved or sent)."""
        newsletter = get_object_or_404(Newsletter, pk=newsletter_id)
        if not self.has_view_permission(request, newsletter):
            return HttpResponse(status=403)
        languages = dict(settings.LANGUAGES)
        language = request.GET.get("language")
        language = language if language in languages else request.LANGUAGE_CODE
        email = Email(
            to=request.user.email or "preview@example.invalid",
            template="newsletters/emails/newsletter",
            context=services.newsletter_email_context(newsletter, language),
            kind=Email.Kind.BULK,
            language=language,
        )
        message = email_render(email)
        return HttpResponse(message.alternatives[0][0])

    def _each(self, request, queryset, action, done_message):
        done = 0
        for newsletter in queryset:
            try:
                action(newsletter)
            except services.NewsletterError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Send a test copy to me"), permissions=["view"])
    def send_test(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda newsletter: services.newsletter_send_test(newsletter=newsletter, actor=request.user),
            _("%(n)d test copy(ies) sent to your address."),
        )

    @admin.action(description=_("Send now (shows who gets it first)"), permissions=["change"])
    def send_now(self, request, queryset):
        """Say how many subscribers get each newsletter, in which language and where; send once confirmed."""
        newsletters = list(queryset.prefetch_related("neighbourhoods").order_by("pk"))
        if not is_confirmed(request):
            return confirmation_response(
                self,
                request,
                title=_("Send now?"),
                intro=_(
                    "Sending starts as soon as you confirm and cannot be called back. "
                    "Each subscriber gets the newsletter in their language."
                ),
                button=_("Yes, send now"),
                mailings=[newsletter_mailing(newsletter) for newsletter in newsletters],
                action="send_now",
                selected=newsletters,
                warnings=[
                    _("“%(subject)s” is %(status)s: it will not be sent again.")
                    % {"subject": newsletter.subject, "status": newsletter.get_status_display().lower()}
                    for newsletter in newsletters
                    if newsletter.status not in (Newsletter.Status.DRAFT, Newsletter.Status.CANCELLED)
                ],
            )
        self._each(
            request,
            queryset,
            lambda newsletter: services.newsletter_schedule(
                newsletter_id=newsletter.pk, send_at=None, actor=request.user
            ),
            _("%(n)d newsletter(s) are being sent; progress appears in the list."),
        )

    @admin.action(description=_("Schedule at its “send at” time"), permissions=["change"])
    def schedule(self, request, queryset):
        def schedule_one(newsletter):
            if newsletter.scheduled_for is None or newsletter.scheduled_for <= timezone.now():
                raise services.NewsletterError(
                    _("Set a future “send at” time on “%(subject)s” first.") % {"subject": newsletter.subject}
                )
            services.newsletter_schedule(
                newsletter_id=newsletter.pk, send_at=newsletter.scheduled_for, actor=request.user
            )

        self._each(request, queryset, schedule_one, _("%(n)d newsletter(s) scheduled."))

    @admin.action(description=_("Cancel the scheduled sending"), permissions=["change"])
    def cancel(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda newsletter: services.newsletter_cancel(newsletter_id=newsletter.pk, actor=request.user),
            _("%(n)d newsletter(s) cancelled."),
        )


def newsletter_mailing(newsletter: Newsletter):
    """What "Send now" will do for ``newsletter``: counted from the audience the fan-out sends to."""
    audience = selectors.newsletter_audience(newsletter)
    where = None
    if newsletter.audience == Newsletter.Audience.NEIGHBOURHOODS:
        where = [neighbourhood.name for neighbourhood in newsletter.neighbourhoods.all()]
    elif newsletter.audience != Newsletter.Audience.TOPIC:
        where = []
    return mailing(
        title=newsletter.subject,
        counts=language_counts(audience, "language"),
        template="newsletters/emails/newsletter",
        context_for=lambda language: services.newsletter_email_context(newsletter, language),
        kind=Email.Kind.BULK,
        neighbourhoods=where,
        note=_("Subscribers who follow the whole city are included.") if where else "",
    )

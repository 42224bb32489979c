"""The officers' desk for meetings: every change goes through ``meetings.services``."""

import csv
from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import resident_label
from actions.admin import SourceActionsMixin, make_action_button
from audit.mixins import AuditedModelAdmin
from audit.services import audit_export
from meetings import selectors, services
from meetings.forms import FeedbackResponseForm
from meetings.models import AgendaItem, Feedback, FeedbackResponse, Meeting, Question, Rsvp
from meetings.reminders import ReminderOffsetsField
from portal.check_in import CheckInForm, check_in_result, door_list_pdf
from portal.confirmation import confirmation_response, is_confirmed, language_counts, mailing
from portal.dates import format_moment
from portal.desk import queue_filter
from portal.participants import ParticipantMessageAdminMixin
from portal.spreadsheets import spreadsheet_cell
from portal.text import TextCleaningFormMixin
from portal.translated import TranslationsAdminMixin, translatable_form, translation_fieldsets, with_translations


@translatable_form
class MeetingAdminForm(TextCleaningFormMixin, forms.ModelForm):
    online_url = forms.URLField(
        label=gettext_lazy("online link"), max_length=200, required=False, assume_scheme="https"
    )
    reminder_offsets = ReminderOffsetsField(
        label=gettext_lazy("Reminders"),
        help_text=gettext_lazy("Everyone going gets an e-mail at each time you choose."),
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "slug",
            "kind",
            "description",
            "neighbourhood",
            "hosts",
            "starts_at",
            "ends_at",
            "mode",
            "address",
            "online_url",
            "capacity",
            "reminder_offsets",
            "is_published",
            "minutes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "hosts" in self.fields:
            self.fields["hosts"].queryset = self.fields["hosts"].queryset.filter(is_staff=True)

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The meeting must end after it starts: the end is before or at the start."))
            return cleaned
        if starts_at and ends_at:
            candidate = Meeting(
                starts_at=starts_at,
                ends_at=ends_at,
                mode=cleaned.get("mode") or Meeting.Mode.IN_PERSON,
                address=cleaned.get("address", ""),
                online_url=cleaned.get("online_url", ""),
                reminder_offsets=cleaned.get("reminder_offsets"),
            )
            try:
                services.meeting_validate(candidate)
            except services.MeetingError as error:
                raise forms.ValidationError(str(error)) from error
            cleaned["reminder_offsets"] = candidate.reminder_offsets
        return cleaned


@translatable_form
class AgendaItemForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["position", "title", "duration_minutes", "description"]


class AgendaItemInline(TranslationsAdminMixin, admin.TabularInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 1
    fields = with_translations(AgendaItem, ["position", "title", "duration_minutes", "description"])


class MeetingCancelForm(TextCleaningFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason, added to the e-mail everyone registered gets"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def meeting_cancel_mailing(meeting: Meeting):
    """What cancelling ``meeting`` sends: counted from the people the cancellation service e-mails."""
    return mailing(
        title=_("Cancelled: %(title)s") % {"title": meeting.title},
        counts=language_counts(selectors.meeting_people(meeting), "user__profile__preferred_language"),
        template="meetings/emails/meeting_cancelled",
        context_for=lambda language: {
            **services.meeting_email_context(meeting, language=language, going=True),
            "reason": _("(your reason)"),
        },
        neighbourhoods=[meeting.neighbourhood.name] if meeting.neighbourhood_id else [],
    )


@admin.register(Meeting)
class MeetingAdmin(ParticipantMessageAdminMixin, TranslationsAdminMixin, AuditedModelAdmin):
    form = MeetingAdminForm
    inlines = [AgendaItemInline]
    list_display = ["title", "starts_at", "kind", "neighbourhood", "status", "is_published", "going", "capacity"]
    list_filter = [
        "status",
        "is_published",
        queue_filter(
            title=gettext_lazy("feedback"),
            parameter_name="feedback_to_answer",
            label=gettext_lazy("Waiting for a response"),
            selector=selectors.meetings_with_feedback_to_answer,
        ),
        "kind",
        "neighbourhood",
        "starts_at",
    ]
    search_fields = ["title", "slug", "address"]
    date_hierarchy = "starts_at"
    list_select_related = ["neighbourhood"]
    show_full_result_count = False
    filter_horizontal = ["hosts"]
    readonly_fields = ["status", "revision", "officer_tools"]
    actions = ["publish", "unpublish", "cancel"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "description", "neighbourhood", "hosts"]}),
        (gettext_lazy("Time and place"), {"fields": ["starts_at", "ends_at", "mode", "address", "online_url"]}),
        (gettext_lazy("Registration"), {"fields": ["capacity", "reminder_offsets", "is_published", "status"]}),
        (gettext_lazy("After the meeting"), {"fields": ["minutes"]}),
        (gettext_lazy("Attendance and feedback"), {"fields": ["officer_tools", "revision"]}),
        *translation_fieldsets(Meeting, ["title", "description", "minutes"]),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(going_count=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)))
        )

    @admin.display(description=gettext_lazy("going"), ordering="going_count")
    def going(self, meeting: Meeting) -> int:
        return meeting.going_count

    @admin.display(description=gettext_lazy("tools"))
    def officer_tools(self, meeting: Meeting) -> str:
        if meeting.pk is None:
            return _("Available once the meeting is saved.")
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:meetings_meeting_attendance", args=[meeting.pk]),
            _("RSVP list and check-in"),
            reverse("admin:meetings_meeting_message", args=[meeting.pk]),
            _("Message the participants"),
            reverse("admin:meetings_meeting_attendance_csv", args=[meeting.pk]),
            _("Download the RSVP list (CSV)"),
            reverse("admin:meetings_meeting_feedback", args=[meeting.pk]),
            _("Feedback results"),
        )

    def save_model(self, request, obj, form, change):
        services.meeting_save(meeting=obj, actor=request.user)

    def participant_mailing(self, meeting: Meeting, audience: str, subject: str, body: str):
        people = selectors.meeting_people(meeting, statuses=services.PARTICIPANT_STATUSES[audience])
        return mailing(
            title=subject,
            counts=language_counts(people, "user__profile__preferred_language"),
            template="meetings/emails/participants_message",
            context_for=lambda language: services.participants_message_context(
                meeting, subject=subject, body=body, language=language
            ),
        )

    def participant_message_send(self, meeting: Meeting, audience: str, subject: str, body: str, *, key, actor) -> int:
        return services.meeting_participants_message(
            meeting=meeting, audience=audience, subject=subject, body=body, key=key, actor=actor
        )

    def save_formset(self, request, form, formset, change):
        services.agenda_items_save(meeting=form.instance, formset=formset, actor=request.user)

    def _run(self, request, queryset, action, success: str) -> None:
        done = 0
        for meeting in queryset:
            try:
                action(meeting=meeting, actor=request.user)
            except services.MeetingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish selected meetings"), permissions=["change"])
    def publish(self, request, queryset):
        self._run(request, queryset, services.meeting_publish, _("%(count)s meeting(s) published."))

    @admin.action(description=gettext_lazy("Unpublish selected meetings"), permissions=["change"])
    def unpublish(self, request, queryset):
        def hide(*, meeting, actor):
            return services.meeting_publish(meeting=meeting, actor=actor, published=False)

        self._run(request, queryset, hide, _("%(count)s meeting(s) unpublished."))

    @admin.action(
        description=gettext_lazy("Cancel selected meetings and tell everyone registered"), permissions=["change"]
    )
    def cancel(self, request, queryset):
        """Say who is told of each cancellation (and preview it); cancel once confirmed, with the reason."""
        form = MeetingCancelForm(request.POST if is_confirmed(request) else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]

            def cancel_one(*, meeting, actor):
                return services.meeting_cancel(meeting=meeting, actor=actor, reason=reason)

            self._run(request, queryset, cancel_one, _("%(count)s meeting(s) cancelled; attendees are notified."))
            return None
        meetings = list(queryset.order_by("starts_at", "pk"))
        cancellable = [meeting for meeting in meetings if not (meeting.is_cancelled or meeting.has_ended)]
        return confirmation_response(
            self,
            request,
            title=_("Cancel meetings?"),
            intro=_("A cancelled meeting cannot be scheduled again. Everyone going or waitlisted is told at once."),
            button=_("Yes, cancel and tell them"),
            mailings=[meeting_cancel_mailing(meeting) for meeting in cancellable],
            action="cancel",
            selected=meetings,
            form=form,
            warnings=[
                _("“%(title)s” is already cancelled or over: nothing happens to it.") % {"title": meeting.title}
                for meeting in meetings
                if meeting not in cancellable
            ],
        )

    # --- Attendance and feedback pages -------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/message/",
                self.admin_site.admin_view(self.participant_message_view),
                name="meetings_meeting_message",
            ),
            path(
                "<int:meeting_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="meetings_meeting_attendance",
            ),
            path(
                "<int:meeting_id>/door-list.pdf",
                self.admin_site.admin_view(self.door_list_view),
                name="meetings_meeting_door_list_pdf",
            ),
            path(
                "<int:meeting_id>/attendance.csv",
                self.admin_site.admin_view(self.attendance_csv_view),
                name="meetings_meeting_attendance_csv",
            ),
            path(
                "<int:meeting_id>/feedback/",
                self.admin_site.admin_view(self.feedback_view),
                name="meetings_meeting_feedback",
            ),
        ]
        return own + super().get_urls()

    def _meeting_for(self, request: HttpRequest, meeting_id: int, permission: str) -> Meeting:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return get_object_or_404(Meeting, pk=meeting_id)

    def attendance_view(self, request: HttpRequest, meeting_id: int) -> HttpResponse:
        """Check-in at the door: a typed or scanned code (a scanner types it and Enter) is checked in
        at once and the person's name and status shown; the box is empty again for the next one."""
        meeting = self._meeting_for(request, meeting_id, "meetings.view_rsvp")
        form = CheckInForm(request.POST or None)
        result = None
        if request.method == "POST":
            if not request.user.has_perm("meetings.change_rsvp"):
                raise PermissionDenied
            if form.is_valid():
                code = form.cleaned_data["code"]
                result = check_in_result(
                    lambda: services.rsvp_check_in(meeting=meeting, code=code, actor=request.user),
                    person_of=attrgetter("user"),
                )
                form = CheckInForm()  # Empty for the next person in line.
        rsvps = (
            Rsvp.objects.filter(meeting=meeting)
            .select_related("user__profile")
            .order_by("status", "status_changed_at", "id")
        )
        counts = dict(rsvps.order_by().values_list("status").annotate(count=Count("id")))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Check-in: %(title)s") % {"title": meeting.title},
            "meeting": meeting,
            "rsvps": rsvps,
            "form": form,
            "result": result,
            "counts": {status.label: counts.get(status.value, 0) for status in Rsvp.Status},
            "checked_in": rsvps.filter(checked_in_at__isnull=False).count(),
        }
        return TemplateResponse(request, "admin/meetings/meeting/attendance.html", context)

    def door_list_view(self, request: HttpRequest, meeting_id: int) -> HttpResponse:
        """Everyone going, on paper with a tick box, for a door without network."""
        meeting = self._meeting_for(request, meeting_id, "meetings.view_rsvp")
        going = Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING).select_related("user__profile")
        pdf = door_list_pdf(
            title=meeting.title,
            when=format_moment(meeting.starts_at, "DATETIME_FORMAT"),
            rows=[(resident_label(rsvp.user), rsvp.code) for rsvp in going],
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="door-list-{meeting.slug}.pdf"'
        audit_export(request, response, target=meeting)
        return response

    def attendance_csv_view(self, request: HttpRequest, meeting_id: int) -> HttpResponse:
        meeting = self._meeting_for(request, meeting_id, "meetings.view_rsvp")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rsvps-{meeting.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow([_("code"), _("name"), _("e-mail"), _("status"), _("since"), _("checked in")])
        rsvps = (
            Rsvp.objects.filter(meeting=meeting).select_related("user").order_by("status", "status_changed_at", "id")
        )
        for rsvp in rsvps:
            writer.writerow(
                [
                    spreadsheet_cell(value)
                    for value in (
                        rsvp.code,
                        rsvp.user.get_full_name(),
                        rsvp.user.email,
                        rsvp.get_status_display(),
                        timezone.localtime(rsvp.status_changed_at).isoformat(timespec="minutes"),
                        timezone.localtime(rsvp.checked_in_at).isoformat(timespec="minutes")
                        if rsvp.checked_in_at
                        else "",
                    )
                ]
            )
        audit_export(request, response, target=meeting)
        return response

    def feedback_view(self, request: HttpRequest, meeting_id: int) -> HttpResponse:
        meeting = self._meeting_for(request, meeting_id, "meetings.view_feedback")
        existing = FeedbackResponse.objects.filter(meeting=meeting).first()
        form = FeedbackResponseForm(request.POST or None, instance=existing or FeedbackResponse(meeting=meeting))
        if request.method == "POST":
            if not request.user.has_perm("meetings.change_feedbackresponse"):
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.feedback_response_publish(
                        meeting=meeting,
                        actor=request.user,
                        summary=form.cleaned_data["summary"],
                        response=form.cleaned_data["response"],
                        translations=form.instance.translations,
                    )
                except services.MeetingError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    self.message_user(request, _("The summary is published on the meeting page."))
                    return redirect("admin:meetings_meeting_feedback", meeting.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Feedback on %(title)s") % {"title": meeting.title},
            "meeting": meeting,
            "results": selectors.feedback_results(meeting=meeting),
            "form": form,
            "published": existing,
            # "Make an action" from the published response, and the actions made from it.
            "action_items": make_action_button(existing) if existing and existing.published_at else "",
        }
        return TemplateResponse(request, "admin/meetings/meeting/feedback.html", context)


@admin.register(Rsvp)
class RsvpAdmin(AuditedModelAdmin):
    list_display = ["code", "user", "meeting", "status", "status_changed_at", "checked_in_at"]
    list_filter = ["status", ("checked_in_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "user__email", "meeting__title"]
    list_select_related = ["user__profile", "meeting"]
    show_full_result_count = False
    readonly_fields = ["meeting", "user", "status", "code", "status_changed_at", "checked_in_at", "created_at"]
    actions = ["check_in"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Check in the selected registrations"), permissions=["change"])
    def check_in(self, request, queryset):
        done = 0
        for rsvp in queryset.select_related("meeting"):
            try:
                services.rsvp_check_in(meeting=rsvp.meeting, code=rsvp.code, actor=request.user)
            except services.MeetingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)s registration(s) checked in.") % {"count": done}, messages.SUCCESS)


@translatable_form
class QuestionAnswerForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = ["status", "answer"]


@admin.register(Question)
class QuestionAdmin(SourceActionsMixin, TranslationsAdminMixin, AuditedModelAdmin):
    list_display = ["short_text", "meeting", "status", "vote_count", "created_at"]
    list_filter = [
        "status",
        queue_filter(
            title=gettext_lazy("to moderate"),
            parameter_name="to_moderate",
            label=gettext_lazy("Waiting, for meetings still to come"),
            selector=selectors.questions_to_moderate,
        ),
        "meeting",
    ]
    search_fields = ["text", "meeting__title"]
    list_select_related = ["meeting"]
    show_full_result_count = False
    form = QuestionAnswerForm
    fields = ["meeting", "text", "created_at", "status", *with_translations(Question, ["answer"])]
    readonly_fields = ["meeting", "text", "created_at"]
    actions = ["publish", "hide"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(vote_total=Count("votes"))

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("question"))
    def short_text(self, question: Question) -> str:
        return question.text[:100]

    @admin.display(description=gettext_lazy("votes"), ordering="vote_total")
    def vote_count(self, question: Question) -> int:
        return question.vote_total

    def save_model(self, request, obj, form, change):
        services.question_moderate(
            question=obj,
            actor=request.user,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
            translations=obj.translations,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class QuestionModerationForm(form):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("status") == Question.Status.ANSWERED and not (cleaned.get("answer") or "").strip():
                    self.add_error("answer", _("Write the answer before marking the question answered."))
                return cleaned

        return QuestionModerationForm

    def _moderate(self, request, queryset, status: str, success: str) -> None:
        for question in queryset:
            services.question_moderate(question=question, actor=request.user, status=status)
        self.message_user(request, success % {"count": queryset.count()}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish selected questions"), permissions=["change"])
    def publish(self, request, queryset):
        self._moderate(request, queryset, Question.Status.PUBLISHED, _("%(count)s question(s) published."))

    @admin.action(description=gettext_lazy("Hide selected questions"), permissions=["change"])
    def hide(self, request, queryset):
        self._moderate(request, queryset, Question.Status.HIDDEN, _("%(count)s question(s) hidden."))


@admin.register(Feedback)
class FeedbackAdmin(AuditedModelAdmin):
    list_display = ["meeting", "rating_overall", *Feedback.RATING_FIELDS[:-1], "concern_addressed", "who"]
    list_filter = ["meeting", "concern_addressed", "rating_overall"]
    list_select_related = ["meeting", "user__profile"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("from"))
    def who(self, feedback: Feedback) -> str:
        return resident_label(feedback.user) if feedback.user else _("anonymous")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

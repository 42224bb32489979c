import csv
from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.selectors import resident_label
from audit.mixins import AuditedModelAdmin
from audit.services import audit_export
from portal.check_in import CheckInForm, check_in_result, door_list_pdf
from portal.confirmation import language_counts, mailing
from portal.dates import format_moment
from portal.desk import queue_filter
from portal.participants import ParticipantMessageAdminMixin
from portal.spreadsheets import spreadsheet_cell
from portal.text import TextCleaningFormMixin
from portal.translated import (
    TranslationsAdminMixin,
    translatable_form,
    translation_field_name,
    translation_fieldsets,
    translation_languages,
    with_translations,
)
from programs import selectors, services
from programs.models import Application, Attendance, GuardianConsent, Program, ProgramQuestion, ProgramSession
from programs.services import ProgramError


@translatable_form
class ProgramSessionForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = ProgramSession
        # The inline's ``fields`` adds the rest through the admin (its https-first link field).
        fields = ["title", "location"]


class ProgramSessionInline(TranslationsAdminMixin, admin.TabularInline):
    model = ProgramSession
    form = ProgramSessionForm
    extra = 1
    fields = [
        *with_translations(ProgramSession, ["title", "starts_at", "ends_at", "location", "online_url"]),
        "attendance_link",
    ]
    readonly_fields = ["attendance_link"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("attendance"))
    def attendance_link(self, session: ProgramSession) -> str:
        if not session.pk:
            return "—"
        url = reverse("admin:programs_program_attendance", args=[session.program_id, session.pk])
        return format_html('<a href="{}">{}</a>', url, _("Check-in and attendance"))


@translatable_form
class ProgramQuestionForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = ProgramQuestion
        fields = ["text", "choices"]

    def clean(self):
        cleaned = super().clean()
        options = [line for line in (cleaned.get("choices") or "").splitlines() if line.strip()]
        for language, _name in translation_languages():
            name = translation_field_name("choices", language)
            translated = [line for line in (cleaned.get(name) or "").splitlines() if line.strip()]
            if translated and len(translated) != len(options):
                self.add_error(name, _("Give one translated option a line, as many as the options above."))
        return cleaned


class ProgramQuestionInline(TranslationsAdminMixin, admin.TabularInline):
    model = ProgramQuestion
    form = ProgramQuestionForm
    extra = 0
    fields = with_translations(ProgramQuestion, ["position", "text", "kind", "choices", "required"])


@translatable_form
class ProgramAdminForm(TextCleaningFormMixin, forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "summary",
            "description",
            "neighbourhood",
            "min_age",
            "max_age",
            "residents_only",
            "capacity",
            "applications_open_at",
            "applications_close_at",
            "requires_approval",
        ]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        problem = services.program_capacity_problem(program=self.instance, capacity=capacity)
        if problem:
            raise forms.ValidationError(problem)
        return capacity


@admin.register(Program)
class ProgramAdmin(ParticipantMessageAdminMixin, TranslationsAdminMixin, AuditedModelAdmin):
    form = ProgramAdminForm
    list_display = [
        "title",
        "kind",
        "status",
        "neighbourhood",
        "capacity",
        "applied",
        "accepted",
        "waitlisted",
        "attended",
        "applications_close_at",
    ]
    list_filter = ["status", "kind", "neighbourhood"]
    search_fields = ["title", "summary"]
    list_select_related = ["neighbourhood"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "applications_open_at"
    inlines = [ProgramSessionInline, ProgramQuestionInline]
    actions = ["export_roster"]
    readonly_fields = ["counts"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "summary", "description", "neighbourhood"]}),
        *translation_fieldsets(Program, ["title", "summary", "description"]),
        (_("Who may apply"), {"fields": ["min_age", "max_age", "residents_only"]}),
        (
            _("Applications"),
            {"fields": ["capacity", "applications_open_at", "applications_close_at", "requires_approval", "counts"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest):
        return selectors.programs_with_counts(super().get_queryset(request))

    @admin.display(description=_("applied"), ordering="applied_count")
    def applied(self, program: Program) -> int:
        return program.applied_count

    @admin.display(description=_("accepted"), ordering="accepted_count")
    def accepted(self, program: Program) -> int:
        return program.accepted_count

    @admin.display(description=_("waitlisted"), ordering="waitlisted_count")
    def waitlisted(self, program: Program) -> int:
        return program.waitlisted_count

    @admin.display(description=_("attended"), ordering="attended_count")
    def attended(self, program: Program) -> int:
        return program.attended_count

    @admin.display(description=_("counts"))
    def counts(self, program: Program) -> str:
        if not program.pk:
            return "—"
        applications = reverse("admin:programs_application_changelist") + f"?program__id__exact={program.pk}"
        return format_html(
            '{}: {} · {}: {} · {}: {} · {}: {} · <a href="{}">{}</a> · <a href="{}">{}</a>',
            _("Applied"),
            program.applied_count,
            _("Accepted"),
            program.accepted_count,
            _("Waitlisted"),
            program.waitlisted_count,
            _("Attended at least one session"),
            program.attended_count,
            applications,
            _("See the applications"),
            reverse("admin:programs_program_message", args=[program.pk]),
            _("Message the participants"),
        )

    def participant_mailing(self, program: Program, audience: str, subject: str, body: str):
        return mailing(
            title=subject,
            counts=language_counts(
                selectors.program_participants(program, audience), "applicant__profile__preferred_language"
            ),
            template="programs/emails/participants_message",
            context_for=lambda language: services.participants_message_context(
                program, subject=subject, body=body, language=language
            ),
        )

    def participant_message_send(self, program: Program, audience: str, subject: str, body: str, *, key, actor) -> int:
        return services.program_participants_message(
            program=program, audience=audience, subject=subject, body=body, key=key, actor=actor
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = services.program_seats_fill(program=obj, actor=request.user)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d applicant moved from the waitlist into a new seat and was e-mailed.",
                        "%(count)d applicants moved from the waitlist into new seats and were e-mailed.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Export the roster of the selected programs (CSV)"), permissions=["view"])
    def export_roster(self, request: HttpRequest, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="program-roster-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Program"),
                _("Status"),
                _("Waitlist position"),
                _("Name"),
                _("E-mail"),
                _("Phone"),
                _("Date of birth"),
                _("Guardian"),
                _("Guardian's e-mail"),
                _("Guardian consented"),
                _("Sessions attended"),
                _("Applied"),
                _("Answers"),
            ]
        )
        for program in queryset.order_by("title"):
            for application in selectors.roster_of(program=program):
                profile = getattr(application.applicant, "profile", None)
                consent = getattr(application, "guardian_consent", None)
                writer.writerow(
                    spreadsheet_cell(value)
                    for value in [
                        program.title,
                        application.get_status_display(),
                        application.waitlist_position or "",
                        profile.display_name if profile and profile.display_name else application.applicant.email,
                        application.applicant.email,
                        profile.phone if profile else "",
                        application.date_of_birth or "",
                        application.guardian_name,
                        application.guardian_email,
                        timezone.localtime(consent.consented_at).strftime("%Y-%m-%d %H:%M") if consent else "",
                        application.sessions_attended,
                        timezone.localtime(application.created_at).strftime("%Y-%m-%d %H:%M"),
                        " | ".join(f"{a['question']}: {a['answer']}" for a in application.answers),
                    ]
                )
        return response

    def get_urls(self):
        return [
            path(
                "<int:object_id>/message/",
                self.admin_site.admin_view(self.participant_message_view),
                name="programs_program_message",
            ),
            path(
                "<int:program_id>/sessions/<int:session_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="programs_program_attendance",
            ),
            path(
                "<int:program_id>/sessions/<int:session_id>/door-list.pdf",
                self.admin_site.admin_view(self.door_list_view),
                name="programs_program_door_list_pdf",
            ),
            *super().get_urls(),
        ]

    def attendance_view(self, request: HttpRequest, program_id: int, session_id: int) -> HttpResponse:
        """Check-in at the session's door by code (typed or scanned, answered at once), or tick who
        came; the ticks are saved through ``attendance_record`` for every seated applicant."""
        if not (
            request.user.has_perm("programs.add_attendance") and request.user.has_perm("programs.change_attendance")
        ):
            raise PermissionDenied
        session = get_object_or_404(
            ProgramSession.objects.select_related("program"), pk=session_id, program_id=program_id
        )
        check_in_form, result = CheckInForm(), None
        if request.method == "POST" and "code" in request.POST:
            check_in_form = CheckInForm(request.POST)
            if check_in_form.is_valid():
                code = check_in_form.cleaned_data["code"]
                result = check_in_result(
                    lambda: services.attendance_check_in(session=session, code=code, actor=request.user),
                    person_of=attrgetter("applicant"),
                )
                check_in_form = CheckInForm()  # Empty for the next person in line.
        elif request.method == "POST":
            seated_count = Application.objects.filter(
                program_id=program_id, status__in=Application.SEAT_STATUSES
            ).count()
            present = {int(value) for value in request.POST.getlist("present") if value.isdigit()}
            try:
                count = services.attendance_record(session=session, present_application_ids=present, actor=request.user)
            except ProgramError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return redirect("admin:programs_program_change", program_id)
            self.message_user(
                request,
                _("Attendance saved: %(present)d of %(total)d present.") % {"present": count, "total": seated_count},
                messages.SUCCESS,
            )
            return redirect("admin:programs_program_change", program_id)
        seated = list(
            Application.objects.filter(program_id=program_id, status__in=Application.SEAT_STATUSES)
            .select_related("applicant", "applicant__profile")
            .order_by("applicant__email")
        )
        present_ids = set(
            Attendance.objects.filter(session=session, present=True).values_list("application_id", flat=True)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Check-in and attendance: %(session)s") % {"session": session},
            "opts": self.model._meta,
            "original": session.program,
            "session": session,
            "form": check_in_form,
            "result": result,
            "rows": [(application, application.pk in present_ids) for application in seated],
        }
        return TemplateResponse(request, "admin/programs/attendance.html", context)

    def door_list_view(self, request: HttpRequest, program_id: int, session_id: int) -> HttpResponse:
        """Everyone seated, on paper with a tick box and their short code, for a door without network."""
        if not request.user.has_perm("programs.view_application"):
            raise PermissionDenied
        session = get_object_or_404(
            ProgramSession.objects.select_related("program"), pk=session_id, program_id=program_id
        )
        seated = Application.objects.filter(program_id=program_id, status__in=Application.SEAT_STATUSES).select_related(
            "applicant__profile"
        )
        pdf = door_list_pdf(
            title=str(session),
            when=format_moment(session.starts_at, "DATETIME_FORMAT"),
            rows=[(resident_label(application.applicant), services.short_code(application)) for application in seated],
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="door-list-{session.program.slug}-{session.pk}.pdf"'
        audit_export(request, response, target=session)
        return response


class GuardianConsentInline(admin.StackedInline):
    model = GuardianConsent
    extra = 0
    can_delete = False
    readonly_fields = ["guardian_name", "guardian_email", "consented_at", "consent_text"]

    def has_add_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    can_delete = False
    fields = ["session", "present", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session", "session__program", "recorded_by")


class DeclineForm(TextCleaningFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to each applicant in their e-mail"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


def _run_on_each(modeladmin, request, queryset, service, done_singular: str, done_plural: str) -> None:
    """Call ``service`` for each selected application, oldest first; report successes and each refusal."""
    done = 0
    for application in queryset.select_related("program", "applicant").order_by("created_at", "id"):
        try:
            service(application=application, actor=request.user)
        except ProgramError as refusal:
            modeladmin.message_user(request, str(refusal), messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, ngettext(done_singular, done_plural, done) % {"count": done}, messages.SUCCESS)


def _applicant_mailings(groups, *, extra: dict):
    """One preview and count per e-mail the decline sends: (title, e-mail name, applications)."""
    mailings = []
    for title, name, applications in groups:
        if not applications:
            continue
        recipients = Application.objects.filter(pk__in=[a.pk for a in applications]).exclude(applicant__email="")
        mailings.append(
            mailing(
                title=title,
                counts=language_counts(recipients, "applicant__profile__preferred_language"),
                template=f"programs/emails/{name}",
                context_for=lambda language, first=applications[0], name=name: services.applicant_email_context(
                    first, name, language=language, extra=extra.get(name)
                ),
            )
        )
    return mailings


@admin.register(Application)
class ApplicationAdmin(AuditedModelAdmin):
    list_display = ["applicant", "program", "status", "waitlist_position", "consent_state", "created_at"]
    list_filter = [
        "status",
        queue_filter(
            title=_("guardian consent"),
            parameter_name="consent_overdue",
            label=_("Overdue"),
            selector=selectors.applications_consent_overdue,
        ),
        "program",
    ]
    search_fields = ["applicant__email", "applicant__profile__display_name", "guardian_email", "program__title"]
    list_select_related = ["applicant__profile", "program", "guardian_consent"]
    show_full_result_count = False
    ordering = ["program", "status", "waitlist_position", "created_at"]
    inlines = [GuardianConsentInline, AttendanceInline]
    actions = ["accept", "decline", "promote", "complete", "resend_consent"]
    fields = [
        "program",
        "applicant",
        "status",
        "waitlist_position",
        "answers_display",
        "date_of_birth",
        "guardian_name",
        "guardian_email",
        "consent_requested_at",
        "guardian_confirmed_at",
        "created_at",
        "decided_at",
        "completed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        # Applications come from residents; officers act on them with the actions.
        return False

    @admin.display(description=_("guardian consent"))
    def consent_state(self, application: Application) -> str:
        if not application.guardian_email:
            return "—"
        return _("given") if hasattr(application, "guardian_consent") else _("waiting")

    @admin.display(description=_("answers"))
    def answers_display(self, application: Application) -> str:
        if not application.answers:
            return "—"
        return format_html(
            "<dl>{}</dl>",
            format_html(
                "".join("<dt>{}</dt><dd>{}</dd>" for _answer in application.answers),
                *[part for answer in application.answers for part in (answer["question"], answer["answer"] or "—")],
            ),
        )

    @admin.action(description=_("Accept (seat, or waitlist when full)"), permissions=["change"])
    def accept(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.application_accept,
            "%(count)d application accepted or waitlisted; the applicant was e-mailed.",
            "%(count)d applications accepted or waitlisted; the applicants were e-mailed.",
        )

    @admin.action(description=_("Decline (asks for a reason and confirmation)"), permissions=["change"])
    def decline(self, request, queryset):
        """Show who is declined, which seats are freed and who takes them; decline only once confirmed."""
        applications = list(
            queryset.select_related("program", "applicant", "applicant__profile").order_by("created_at", "id")
        )
        form = DeclineForm(request.POST if request.POST.get("confirm") else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            _run_on_each(
                self,
                request,
                queryset,
                lambda *, application, actor: services.application_decline(
                    application=application, actor=actor, reason=reason
                ),
                "%(count)d application declined; the applicant was e-mailed.",
                "%(count)d applications declined; the applicants were e-mailed.",
            )
            return None
        effects = services.decline_seat_effects(applications)
        programs = {application.program_id: application.program for application in applications}
        promoted = [application for seated in effects.values() for application in seated]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decline applications"),
            "opts": self.model._meta,
            "applications": applications,
            "freed_seats": sum(1 for a in applications if a.status == Application.Status.ACCEPTED),
            "seat_effects": [(programs[program_id], promoted) for program_id, promoted in effects.items()],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "mailings": _applicant_mailings(
                [
                    (_("Your application was declined"), "declined", applications),
                    (_("A seat is yours"), "promoted", promoted),
                ],
                extra={"declined": {"reason": str(_("(your reason)")), "status": str(Application.Status.DECLINED)}},
            ),
        }
        return TemplateResponse(request, "admin/programs/application/decline_confirmation.html", context)

    @admin.action(description=_("Promote from the waitlist into a free seat"), permissions=["change"])
    def promote(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.application_promote,
            "%(count)d application promoted; the applicant was e-mailed.",
            "%(count)d applications promoted; the applicants were e-mailed.",
        )

    @admin.action(description=_("Mark completed (sends the certificate)"), permissions=["change"])
    def complete(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.application_complete,
            "%(count)d applicant marked as completed; their certificate is ready.",
            "%(count)d applicants marked as completed; their certificates are ready.",
        )

    @admin.action(description=_("Resend the guardian's consent link"), permissions=["change"])
    def resend_consent(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.guardian_consent_request,
            "%(count)d consent link sent again.",
            "%(count)d consent links sent again.",
        )

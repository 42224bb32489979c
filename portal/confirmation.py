"""Confirmation pages for officer actions that reach residents or cannot be undone.

An admin action that mails people first renders ``admin/desk/confirm.html`` saying exactly what
will happen: for each e-mail, how many people get it in which language, in which neighbourhoods,
and a preview (rendered subject and text) in each of those languages. The action runs only when
the page is posted back with ``confirm=yes``. The counts come from the same selector the sending
service uses, so what the page says is what the outbox then holds.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.response import TemplateResponse
from django.utils import translation

CONFIRM_FIELD = "confirm"


@dataclass
class Mailing:
    """One e-mail about to go out: to how many people, in which languages and where, and a preview."""

    title: str
    total: int
    languages: list[tuple[str, int]]  # (language name, how many), in the site's language order
    previews: list[dict] = field(default_factory=list)  # {"language", "subject", "text"}
    neighbourhoods: list[str] | None = None  # None: not tied to neighbourhoods; []: the whole city
    note: str = ""


def is_confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def language_counts(queryset: QuerySet, language_field: str) -> dict[str, int]:
    """How many rows of ``queryset`` there are per value of ``language_field`` (one grouped query);
    an empty or missing language counts as the site's default, as the outbox sends it."""
    language = Coalesce(NullIf(F(language_field), Value("")), Value(settings.LANGUAGE_CODE))
    rows = queryset.order_by().annotate(mail_language=language).values("mail_language").annotate(n=Count("pk"))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["mail_language"]] = counts.get(row["mail_language"], 0) + row["n"]
    return counts


def mailing(
    *,
    title: str,
    counts: dict[str, int],
    template: str,
    context_for: Callable[[str], dict],
    kind: str = "transactional",
    neighbourhoods: Iterable[str] | None = None,
    note: str = "",
    to: str = "resident@example.invalid",
) -> Mailing:
    """A ``Mailing`` with ``counts`` ({language: n}) and a preview of ``template`` in each language that
    has recipients (the site's default language when nobody does), rendered as the outbox renders it."""
    from outbox.models import Email
    from outbox.services import email_render

    names = dict(settings.LANGUAGES)
    languages = [code for code, _name in settings.LANGUAGES if counts.get(code)] or [settings.LANGUAGE_CODE]
    previews = []
    for language in languages:
        with translation.override(language):
            # Each person's own links are made when their copy is sent; the preview names them instead.
            personal = {
                "recipient": to,
                "preferences_url": f"[{translation.gettext('their e-mail preferences link')}]",
                "unsubscribe_url": f"[{translation.gettext('their unsubscribe link')}]",
            }
        message = email_render(
            Email(to=to, template=template, context=context_for(language), kind=kind, language=language),
            personal=personal
            if kind == Email.Kind.BULK
            else {k: v for k, v in personal.items() if k != "unsubscribe_url"},
        )
        previews.append(
            {
                "language": names.get(language, language),
                "code": language,
                "subject": message.subject,
                "text": message.body,
            }
        )
    return Mailing(
        title=title,
        total=sum(counts.values()),
        languages=[(names.get(code, code), counts[code]) for code, _name in settings.LANGUAGES if counts.get(code)],
        previews=previews,
        neighbourhoods=None if neighbourhoods is None else list(neighbourhoods),
        note=note,
    )


def confirmation_response(
    modeladmin,
    request,
    *,
    title: str,
    intro: str,
    button: str,
    mailings: list[Mailing],
    action: str | None = None,
    selected: Iterable = (),
    form=None,
    cancel_url: str = "",
    warnings: Iterable[str] = (),
    hidden_form=None,
) -> TemplateResponse:
    """The confirmation page. For an admin action (``action`` given), the selected ids are posted back
    with the action name so the changelist calls the action again, now with ``confirm=yes``.
    ``form`` is shown to be filled in on the page; ``hidden_form`` (already filled in) is posted back as is."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "button": button,
        "mailings": mailings,
        "total": sum(item.total for item in mailings),
        "opts": opts,
        "action": action,
        "selected": [getattr(item, "pk", item) for item in selected],
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "form": form,
        "cancel_url": cancel_url,
        "warnings": list(warnings),
        "hidden_form": hidden_form,
        "media": modeladmin.media + (form.media if form is not None else modeladmin.media.__class__()),
    }
    return TemplateResponse(request, "admin/desk/confirm.html", context)

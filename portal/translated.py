"""Officer-written content in every site language, with a marked fallback.

Why in-house and not django-modeltranslation (0.20.x, which does support Django 5.2): its
descriptors make ``program.title`` answer in the *active* language and write to the active
language's column on assignment, and its managers rewrite ``filter``/``order_by`` the same way. Our
e-mails render under ``translation.override(recipient_language)`` in workers, services assign
fields in whatever language the request is in, and the pages must *know* when a value is a
fallback to mark it ``lang="en"`` (WCAG 3.1.2): modeltranslation hides exactly that. So:

- each model keeps its field (``title``...) as the text in ``settings.LANGUAGE_CODE``, required as
  before, and a ``translations`` JSON column ``{"es": {"title": "..."}}`` for every other language;
  queries, constraints and existing rows are untouched, and a row costs no extra query;
- ``translated(obj, "title")`` gives the text in the active (or a given) language, falling back to
  the source language, as a ``TranslatedText``: a ``str`` that knows its ``language`` and whether it
  is a ``fallback``; the ``translated`` template library marks fallbacks with ``lang``;
- ``translatable_form`` adds one form field per other language and translated field, built from
  the model field (same length, validators and widget), and stores them in ``translations``.

A third language is a ``LANGUAGES`` entry in the settings plus its catalogue: no migration, the
admin grows the new fieldset by itself.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from portal.choices import ChoiceLabelsModel


def source_language() -> str:
    """The language every officer text is written in first (its model field), and the fallback."""
    return settings.LANGUAGE_CODE


def translation_languages() -> list[tuple[str, str]]:
    """(code, name) of every site language other than the source language."""
    return [(code, name) for code, name in settings.LANGUAGES if code != source_language()]


def _supported(language: str | None) -> str:
    if not language:
        return source_language()
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return source_language()


class TranslatedText(str):
    """Text in ``language``; ``fallback`` is true when it stands in for a missing translation."""

    language: str
    fallback: bool

    def __new__(cls, value: str, *, language: str, fallback: bool):
        text = super().__new__(cls, value)
        text.language = language
        text.fallback = fallback
        return text

    @property
    def lang_attr(self) -> SafeString:
        """`` lang="en"`` for a fallback (to put inside the element's start tag), else nothing."""
        return format_html(' lang="{}"', self.language) if self.fallback and self else SafeString("")

    def marked(self) -> SafeString:
        """The escaped text, wrapped in ``<span lang="..">`` when it is a fallback."""
        if self.fallback and self:
            return format_html('<span lang="{}">{}</span>', self.language, str(self))
        return conditional_escape(str(self))


def translated(obj, field: str, language: str | None = None) -> TranslatedText:
    """``obj``'s ``field`` in ``language`` (default: the active one), or in the source language
    when that translation is empty. ``obj`` is a ``TranslatableModel`` or a dict with the same keys
    (an alert's frozen snapshot)."""
    language = _supported(language or translation.get_language())
    source = source_language()
    if isinstance(obj, dict):
        value, translations = obj.get(field) or "", obj.get("translations") or {}
    else:
        value, translations = getattr(obj, field) or "", getattr(obj, "translations", None) or {}
    if language != source:
        text = (translations.get(language) or {}).get(field) or ""
        if text.strip():
            return TranslatedText(text, language=language, fallback=False)
        return TranslatedText(value, language=source, fallback=bool(value))
    return TranslatedText(value, language=source, fallback=False)


class TranslatableModel(ChoiceLabelsModel):
    """A model whose ``translated_fields`` can be written in every site language."""

    translated_fields: tuple[str, ...] = ()

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        # Written through translatable_form's per-language fields, never as raw JSON.
        editable=False,
        help_text=_("The text in the other site languages: {language: {field: text}}."),
    )

    class Meta:
        abstract = True

    def in_language(self, field: str, language: str | None = None) -> TranslatedText:
        return translated(self, field, language)


def translated_context(obj, fields, language: str | None = None) -> dict:
    """For e-mail contexts (JSON): each field's text in ``language`` and, as ``<field>_lang``, the
    language code of a fallback ("" when the text is in ``language``); ``untranslated_language`` is the
    fallback's code when any field fell back (``emails/untranslated.txt`` says so)."""
    context, fell_back = {}, False
    for field in fields:
        text = translated(obj, field, language)
        context[field] = str(text)
        context[f"{field}_lang"] = text.language if text.fallback else ""
        fell_back = fell_back or text.fallback
    context["untranslated_language"] = source_language() if fell_back else ""
    return context


def translation_field_name(field: str, language: str) -> str:
    return f"{field}_{language}"


def _translation_form_field(model, field: str, language: str, name: str) -> forms.Field:
    model_field = model._meta.get_field(field)
    form_field = model_field.formfield(required=False)
    form_field.required = False
    form_field.label = format_lazy("{} ({})", capfirst(model_field.verbose_name), name)
    form_field.help_text = format_lazy(
        _("Leave empty to show the text in {language}."), language=dict(settings.LANGUAGES)[source_language()]
    )
    form_field.widget.attrs["lang"] = language
    return form_field


def translatable_form(form_class):
    """Class decorator for a ModelForm of a ``TranslatableModel``: for each translated field the
    form edits, one optional field per other language (``title_es``), stored in ``translations``.

    The fields are declared on the class, so an admin's ``fields``/``fieldsets`` can name them."""
    model = form_class._meta.model
    for field in model.translated_fields:
        if field not in form_class.base_fields:
            continue
        for language, name in translation_languages():
            form_field = _translation_form_field(model, field, language, name)
            form_class.base_fields[translation_field_name(field, language)] = form_field
            form_class.declared_fields[translation_field_name(field, language)] = form_field
    original_init = form_class.__init__
    original_post_clean = form_class._post_clean

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        stored = getattr(self.instance, "translations", None) or {}
        for language, _name in translation_languages():
            for field in self._meta.model.translated_fields:
                name = translation_field_name(field, language)
                if name not in self.fields:
                    continue
                if field not in self.fields:
                    # The text itself is read-only or left out here (a sent alert, a scheduled
                    # newsletter): so are its translations, and a post never erases them.
                    del self.fields[name]
                elif name not in self.initial:
                    self.initial[name] = (stored.get(language) or {}).get(field, "")

    def _post_clean(self):
        original_post_clean(self)
        # The model field's own validators (one line, no control characters, length), run like the
        # source field's: after the form's clean(), so text the form cleans up is not refused.
        for language, _name in translation_languages():
            for field in self._meta.model.translated_fields:
                name = translation_field_name(field, language)
                if self.cleaned_data.get(name):
                    try:
                        self._meta.model._meta.get_field(field).run_validators(self.cleaned_data[name])
                    except ValidationError as error:
                        self.add_error(name, error)
        self.instance.translations = cleaned_translations(self, self.instance.translations)

    form_class.__init__ = __init__
    form_class._post_clean = _post_clean
    return form_class


def cleaned_translations(form, stored: dict | None) -> dict:
    """``stored`` translations with the values of ``form``'s translation fields put in (empty
    ones removed): fields the form does not show keep their stored text."""
    result = {language: dict(values) for language, values in (stored or {}).items() if isinstance(values, dict)}
    cleaned = getattr(form, "cleaned_data", {})
    for language, _name in translation_languages():
        values = result.setdefault(language, {})
        for field in form._meta.model.translated_fields:
            name = translation_field_name(field, language)
            if name not in form.fields or name not in cleaned:
                continue
            text = (cleaned[name] or "").strip()
            if text:
                values[field] = text
            else:
                values.pop(field, None)
        if not values:
            del result[language]
    return result


def translation_fieldsets(model, fields: list[str]) -> list[tuple[str, dict]]:
    """Admin fieldsets, one per other language, with the translations of ``fields``."""
    return [
        (
            name,
            {
                "fields": [translation_field_name(field, language) for field in fields],
                "description": _("What residents who read this language see. An empty field shows the original text."),
            },
        )
        for language, name in translation_languages()
    ]


def translation_names(model) -> list[str]:
    """Every per-language form field name of ``model``'s translated fields."""
    return [
        translation_field_name(field, language)
        for field in model.translated_fields
        for language, _name in translation_languages()
    ]


def with_translations(model, fields: list[str]) -> list[str]:
    """``fields`` with each translated field followed by its other-language fields (for admin
    inlines and short forms, where one fieldset per language would be too much)."""
    names = []
    for field in fields:
        names.append(field)
        if field in model.translated_fields:
            names.extend(translation_field_name(field, language) for language, _name in translation_languages())
    return names


class TranslatedSelect(forms.Select):
    """A select whose options carry ``lang`` when their label is a fallback translation."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if isinstance(label, TranslatedText) and label.fallback:
            option["attrs"] = {**option["attrs"], "lang": label.language}
        return option


class TranslatedModelChoiceField(forms.ModelChoiceField):
    """Choices of a ``TranslatableModel`` labelled by ``label_field`` in the active language."""

    widget = TranslatedSelect

    def __init__(self, *args, label_field: str, **kwargs):
        self.label_field = label_field
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> TranslatedText:
        return translated(obj, self.label_field)


class TranslationsAdminMixin:
    """For a ModelAdmin or inline of a ``TranslatableModel``: its per-language fields can be shown
    read-only (an officer with view permission only), as the stored text."""

    def __getattr__(self, name: str):
        try:
            model = object.__getattribute__(self, "model")
        except AttributeError:
            raise AttributeError(name) from None
        for language, language_name in translation_languages():
            field = name.removesuffix(f"_{language}")
            if field != name and field in getattr(model, "translated_fields", ()):

                def display(obj, field=field, language=language) -> str:
                    return ((getattr(obj, "translations", None) or {}).get(language) or {}).get(field, "")

                display.short_description = format_lazy(
                    "{} ({})", capfirst(model._meta.get_field(field).verbose_name), language_name
                )
                return display
        raise AttributeError(name)

"""Text that officers and residents write, made safe for every place it goes: XML (Atom and CAP
feeds), .ics calendars, e-mail headers and bodies.

XML 1.0 forbids most C0 control characters; a word processor pastes some (``\\x0b`` is Word's
line break inside a paragraph, ``\\x0c`` its page break). One of them in a headline made the alert
feeds answer 500 and the CAP document ill-formed. So:

- forms clean the text they receive with ``TextCleaningFormMixin``: line and page breaks become
  newlines, other control characters are dropped (nothing the writer meant is lost);
- model fields carry ``validate_no_control_characters``, so any path that skips the form but calls
  ``full_clean`` is refused with a clear message;
- output that may meet rows saved before this existed goes through ``xml_safe_text``, and
  ``manage.py clean_stored_text`` cleans such rows once, after an upgrade.

Use all three for any new field whose text leaves the site (meetings, programs, watch posts...).
"""

import contextlib
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets), plus DEL and the C1 controls
# that no keyboard types and that some mail clients and calendars choke on. Tab, LF and CR stay.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_WORD_PROCESSOR_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")


def xml_safe_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry: for output of rows saved earlier."""
    return _XML_INVALID.sub("", value) if value else value


def clean_control_characters(value: str) -> str:
    """A writer's text with word-processor line and page breaks made newlines and other control
    characters removed; tabs, newlines and every printable character are kept."""
    if not value:
        return value
    return _CONTROL.sub("", _WORD_PROCESSOR_BREAKS.sub("\n", value))


def validate_no_control_characters(value: str) -> None:
    """Model-field validator: refuse text with control characters (forms clean them away first)."""
    if value and _CONTROL.search(value):
        raise ValidationError(
            _("This text contains invisible control characters (often pasted from a word processor). Retype it."),
            code="control_characters",
        )


def validate_single_line(value: str) -> None:
    """Model-field validator for one-line text that may become an e-mail subject or a feed title:
    control characters and line breaks are refused (a line break in a header is header injection)."""
    validate_no_control_characters(value)
    if value and ("\n" in value or "\r" in value):
        raise ValidationError(_("This text must be on one line."), code="line_break")


class TextCleaningFormMixin:
    """Put first in a form's bases: every text value it receives is cleaned before validation;
    in one-line fields (any widget but a textarea) line breaks become spaces."""

    def full_clean(self):
        # Cleaned before the fields validate: Django's own refusal of a NUL byte ("Null characters
        # are not allowed") names a character nobody can see, and lengths count only what is kept.
        if self.is_bound and hasattr(self.data, "lists"):
            data = self.data.copy()
            for key, values in self.data.lists():
                data.setlist(key, [clean_control_characters(v) if isinstance(v, str) else v for v in values])
            self.data = data
        elif self.is_bound:
            self.data = {k: clean_control_characters(v) if isinstance(v, str) else v for k, v in self.data.items()}
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                value = clean_control_characters(value)
                field = self.fields.get(name)
                if field is not None and not isinstance(field.widget, forms.Textarea):
                    value = " ".join(value.splitlines())
                cleaned[name] = value
        return cleaned


def email_canonical(address: str) -> str:
    """One spelling for every way of writing the same mailbox: trimmed, in lower case, its domain in
    the ASCII (IDNA) form mail servers deliver to.

    Django accepts ``alice@ｅxample.com`` (a full-width "ｅ") as valid and, when sending, converts the
    domain to ``example.com``: the message reaches alice@example.com. Compared as typed, each such
    spelling was another address: a fresh per-recipient rate limit, no opt-out or suppression, no
    account holding it. Every address a person types goes through this before it is compared,
    counted or stored.
    """
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    # IDNA leaves an ASCII domain as it is (or refuses it), so only others go through its codec,
    # which costs more than the rest (a fan-out's suppression check spells every address).
    # A domain IDNA cannot write stays as typed: the form's validator refuses it.
    if not domain.isascii():
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower()


# Apps whose rows are a record of what happened, kept as written: the audit log, the outbox's
# messages (sent as they were) and the tip line's sealed text (ciphertext, never edited).
_RECORDS_KEPT_AS_WRITTEN = {"audit", "outbox", "tips"}


def _one_line(value: str) -> str:
    """A one-line field's text cleaned: a pasted break becomes a space (a line break in a title
    that becomes an e-mail subject would be a header injection)."""
    return clean_control_characters(_WORD_PROCESSOR_BREAKS.sub(" ", value)) if value else value


def _cleaner(field):
    from django.db import models

    return clean_control_characters if isinstance(field, models.TextField) else _one_line


def _translation_cleaner(model, name: str):
    from django.core.exceptions import FieldDoesNotExist

    try:
        return _cleaner(model._meta.get_field(name))
    except FieldDoesNotExist:  # a key no field has (any more): cleaned as one line, the safer reading
        return _one_line


def _cleaned_translations(model, value):
    if not isinstance(value, dict):
        return value
    cleaned = {}
    for language, fields in value.items():
        if isinstance(fields, dict):
            fields = {
                name: _translation_cleaner(model, name)(text) if isinstance(text, str) else text
                for name, text in fields.items()
            }
        cleaned[language] = fields
    return cleaned


def stored_text_clean(*, dry_run: bool = False, chunk_size: int = 2000) -> dict[str, int]:
    """Clean control characters out of rows saved before the forms cleaned them, in every text field
    and translation of the project's apps: as ``clean_control_characters`` does for multi-line text;
    in one-line fields (``CharField``) a pasted break becomes a space.

    Returns the number of rows changed (or that would change, with ``dry_run``) per model label.
    Safe to run again: a clean row is left alone. Rows are rewritten with ``update()``, so no save
    hook sends anything; public pages are invalidated once at the end.
    """
    from django.apps import apps
    from django.conf import settings
    from django.db import models, transaction

    changed: dict[str, int] = {}
    for model in apps.get_models():
        config = apps.get_app_config(model._meta.app_label)
        if config.label in _RECORDS_KEPT_AS_WRITTEN or not str(config.path).startswith(str(settings.BASE_DIR)):
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        cleaners = {
            field.attname: _cleaner(field)
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.primary_key
        }
        if any(field.name == "translations" for field in model._meta.concrete_fields):
            cleaners["translations"] = lambda value, model=model: _cleaned_translations(model, value)
        if not cleaners:
            continue
        text_fields = list(cleaners)
        count = 0
        rows = model._default_manager.order_by("pk").values_list("pk", *text_fields)
        for pk, *values in rows.iterator(chunk_size=chunk_size):
            updates = {}
            for name, value in zip(text_fields, values, strict=True):
                cleaned = cleaners[name](value)
                if cleaned != value:
                    updates[name] = cleaned
            if updates:
                count += 1
                if not dry_run:
                    with transaction.atomic():
                        model._default_manager.filter(pk=pk).update(**updates)
        if count:
            changed[model._meta.label] = count
    if changed and not dry_run:
        from portal.cache import PUBLIC_PAGE_SOURCES, bump_cache_version

        bump_cache_version(*PUBLIC_PAGE_SOURCES)
    return changed

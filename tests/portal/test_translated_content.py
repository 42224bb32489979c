"""Officer-written text in the reader's language (portal/translated.py): the fallback is the
source language and is marked, and a third language needs only a settings entry."""

import pytest
from django import forms
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from portal.translated import translatable_form, translated, translated_context
from programs.models import Program


def _program(**translations) -> Program:
    return Program(title="Citizen Police Academy", summary="Ten evenings.", translations=translations)


def _render(source: str, **context) -> str:
    return Template("{% load translated %}" + source).render(Context(context))


def test_the_active_language_chooses_the_text_and_an_empty_translation_falls_back_marked():
    program = _program(es={"title": "Academia de Policía Ciudadana", "summary": "   "})
    with translation.override("es"):
        title, summary = translated(program, "title"), translated(program, "summary")
    assert (title, title.language, title.fallback) == ("Academia de Policía Ciudadana", "es", False)
    # Blank is empty: the English stands in, and says it is English.
    assert (summary, summary.language, summary.fallback) == ("Ten evenings.", "en", True)
    with translation.override("en"):
        assert not translated(program, "title").fallback


def test_the_template_filter_wraps_only_a_fallback_in_its_language():
    program = _program(es={"title": "Academia <de> Policía"})
    with translation.override("es"):
        assert _render('{{ p|translated:"title"|marked }}', p=program) == "Academia &lt;de&gt; Policía"
        assert _render('{{ p|translated:"summary"|marked }}', p=program) == '<span lang="en">Ten evenings.</span>'
        assert _render(
            '{% with s=p|translated:"summary" %}<p{{ s.lang_attr }}>{{ s }}</p>{% endwith %}', p=program
        ) == ('<p lang="en">Ten evenings.</p>')
    with translation.override("en"):
        assert _render('{{ p|translated:"summary"|marked }}', p=program) == "Ten evenings."


def test_an_empty_field_is_not_marked_as_a_fallback():
    program = _program()
    with translation.override("es"):
        assert _render("<div{{ d.lang_attr }}>{{ d }}</div>", d=translated(program, "description")) == "<div></div>"


def test_e_mail_contexts_name_the_language_of_each_fallback():
    context = translated_context(_program(es={"title": "Academia"}), ["title", "summary"], "es")
    assert context == {
        "title": "Academia",
        "title_lang": "",
        "summary": "Ten evenings.",
        "summary_lang": "en",
        "untranslated_language": "en",
    }


@override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish"), ("fr", "French")])
def test_a_third_language_is_a_settings_entry():
    @translatable_form
    class ProgramForm(forms.ModelForm):
        class Meta:
            model = Program
            fields = ["title", "summary"]

    form = ProgramForm(
        data={"title": "Academy", "summary": "Evenings.", "title_es": "Academia", "title_fr": "Académie"},
        instance=Program(),
    )
    assert {"title_es", "summary_es", "title_fr", "summary_fr"} <= set(form.fields)
    assert form.is_valid(), form.errors
    assert form.instance.translations == {"es": {"title": "Academia"}, "fr": {"title": "Académie"}}
    with translation.override("fr"):
        assert translated(form.instance, "title") == "Académie"
        assert translated(form.instance, "summary").fallback


@pytest.mark.parametrize("language", ["de", "", None])
def test_a_language_the_site_does_not_offer_gets_the_source_text(language):
    assert translated(_program(es={"title": "Academia"}), "title", language or None) == "Citizen Police Academy"

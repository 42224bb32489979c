"""The HTML e-mail templates are built from their sources with the CSS inlined, and kept built."""

import pytest

from outbox.email_build import BuildError, build, build_one


def test_the_built_templates_are_up_to_date():
    stale = [str(path) for path, content in build().items() if not path.exists() or path.read_text() != content]
    assert not stale, f"run `manage.py build_email_templates` and commit: {stale}"


def test_classes_become_inline_styles_and_template_syntax_survives():
    built = build_one(
        "x.html",
        '{% load i18n %}<p class="intro">{% translate "Hi" %} {{ name }}</p>'
        '<table role="presentation" class="details">{% for row in rows %}'
        '<tr><td class="details-label">{{ row }}</td></tr>{% endfor %}</table>'
        '<a class="button" href="{{ url }}">{{ label }}</a>',
        ".intro { margin: 0; } .details-label { font-weight: bold; } .button { color: #fff; }",
    )
    assert '<p class="intro" style="margin: 0;">{% translate "Hi" %} {{ name }}</p>' in built
    assert "{% for row in rows %}<tbody><tr>" in built or "{% for row in rows %}<tr>" in built
    assert '<td class="details-label" style="font-weight: bold;">{{ row }}</td></tr>{% endfor %}' in built
    assert 'href="{{ url }}"' in built and "{{ label }}</a>" in built


def test_a_variable_the_parser_would_move_out_of_a_table_fails_the_build():
    with pytest.raises(BuildError, match="moved or dropped"):
        build_one("x.html", '<table role="presentation"><tr><td>a</td></tr>{{ stray }}</table>', "")


def test_styled_markup_inside_a_translated_sentence_fails_the_build():
    # Its message id would become the inlined markup, and the translation would no longer match.
    with pytest.raises(BuildError, match="blocktranslate"):
        source = '<p>{% blocktranslate %}See <a class="link" href="{{ u }}">this</a>{% endblocktranslate %}</p>'
        build_one("x.html", source, ".link { color: red; }")

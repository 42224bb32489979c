"""{% load i18n %} gives the project's library: its plain {% translate "…" %} renders what Django's does."""

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from portal.templatetags.i18n_literals import LiteralTranslateNode

SOURCES = [
    '{% translate "Skip to main content" %}',
    '{% trans "Log in" %}|{% translate "Sign up" %}',
    '{% translate "100% of <b>you</b>" %}',
    '{% translate "Contact us" as label %}[{{ label }}]',
    '{% translate "Contact us" noop %}',
    '{% translate "Contact us"|upper %}',
    '{% translate "May" context "month name" %}',
    "{% translate name %}",
    '{% autoescape off %}{% translate "a < b" %}{% endautoescape %}',
    "{% blocktranslate %}In an emergency, call {{ name }}.{% endblocktranslate %}",
]


def render(engine: Engine, source: str) -> str:
    return engine.from_string("{% load i18n %}" + source).render(Context({"name": "Log in"}))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("source", SOURCES)
def test_same_output_as_djangos_library(source, language):
    djangos = Engine(libraries={"i18n": "django.templatetags.i18n"})
    ours = Engine(libraries={"i18n": "portal.templatetags.i18n_literals"})
    with translation.override(language):
        assert render(ours, source) == render(djangos, source)


def test_the_sites_templates_use_it():
    engine = engines["django"].engine
    nodes = engine.from_string('{% load i18n %}{% translate "Log in" %}').nodelist
    assert any(isinstance(node, LiteralTranslateNode) for node in nodes)
    with translation.override("es"):
        assert engine.from_string('{% load i18n %}{% translate "Log in" %}').render(Context()) != "Log in"

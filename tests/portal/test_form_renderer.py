"""The form renderer's Python selects and inputs write exactly what Django's widget templates write."""

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from meetings.forms import MeetingFilterForm
from portal.form_renderer import FormRenderer

WIDGETS = [
    forms.TextInput(attrs={"class": "wide", "required": True, "disabled": False, "data-x": 'a"<b>&'}),
    forms.TextInput(),
    forms.HiddenInput(),
    forms.EmailInput(attrs={"autocomplete": "email"}),
    forms.NumberInput(attrs={"min": 0, "step": 0.5}),
    forms.PasswordInput(render_value=True),
    forms.URLInput(),
    forms.DateInput(),
    forms.CheckboxInput(),
    forms.Select(choices=[("", "All kinds"), ("a", "A & <b>"), (3, 1234), ("d", date(2026, 12, 2))]),
    forms.Select(choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", mark_safe("<em>Z</em>"))]),
    forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]),
    forms.NullBooleanSelect(),
]
VALUES = [None, "", "a", 'a"<b>', 3, ["a", "c"], True, False, "unknown", 0.5, date(2026, 12, 2)]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
def test_same_html_as_djangos_templates(widget):
    for value in VALUES:
        attrs = {"id": "id_field", "aria-describedby": "id_field_helptext"}
        try:
            expected = widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())
        except TypeError:  # a value this widget cannot take (a list for NullBooleanSelect)
            continue
        assert widget.render("field", value, attrs=attrs, renderer=FormRenderer()) == expected, value


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_filter_form_same_html_in_both_languages(language, settings):
    from django.utils import translation

    from neighbourhoods.models import Neighbourhood

    Neighbourhood.objects.create(name="Riverside & <Old> Town", slug="riverside")
    with translation.override(language):
        data = {"neighbourhood": "riverside", "kind": ""}
        ours = [str(field) for field in MeetingFilterForm(data)]
        assert [str(field) for field in MeetingFilterForm(data, renderer=DjangoTemplates())] == ours
    assert "selected>Riverside &amp; &lt;Old&gt; Town</option>" in ours[0]


def test_other_widget_templates_still_djangos():
    widget = forms.RadioSelect(choices=[("a", "A")])
    assert widget.render("r", "a", renderer=FormRenderer()) == widget.render("r", "a", renderer=DjangoTemplates())


def test_settings_use_it(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(get_default_renderer(), FormRenderer)
    finally:
        get_default_renderer.cache_clear()

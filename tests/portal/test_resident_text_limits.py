"""Every text a resident can type into the portal has a length limit (tips test their own)."""

import pytest
from django import forms

from accounts.forms import ProfileForm
from meetings.forms import FeedbackForm, QuestionForm
from newsletters.forms import PreferencesForm, SubscribeForm
from programs.forms import ApplicationForm, ConsentForm
from programs.models import ProgramQuestion
from tests.programs.conftest import make_program
from watch.forms import ConcernForm, PostForm, ProposeGroupForm

pytestmark = pytest.mark.django_db


def _resident_forms():
    program = make_program(min_age=12)
    ProgramQuestion.objects.create(program=program, text="Why do you want to join?", kind=ProgramQuestion.Kind.TEXT)
    return [
        ProposeGroupForm(),
        PostForm(),
        ConcernForm(),
        QuestionForm(),
        FeedbackForm(),
        ApplicationForm(program=program),
        ConsentForm(),
        SubscribeForm(),
        PreferencesForm(),
        ProfileForm(),
    ]


def test_every_resident_text_field_has_a_length_limit():
    unbounded = [
        f"{type(form).__name__}.{name}"
        for form in _resident_forms()
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert unbounded == []


def test_a_text_over_its_limit_is_refused_with_a_clear_message():
    form = ConcernForm(data={"subject": "Noise", "body": "x" * 100_000})
    assert not form.is_valid()
    assert "Ensure this value has at most" in form.errors["body"][0]

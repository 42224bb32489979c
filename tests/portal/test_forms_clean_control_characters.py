"""Every form where officers or residents write text cleans control characters (portal/text.py):
a word processor's line break (\\x0b) becomes a newline, other control characters are dropped, and
nothing else the person typed is lost. The text then reaches e-mails, feeds and calendars clean."""

import importlib

import pytest
from django import forms
from django.apps import apps
from django.core import mail
from django.urls import reverse

from actions.models import ActionItem
from meetings.services import rsvp_create
from portal import check_in, participants
from portal.text import TextCleaningFormMixin
from programs import services as program_services
from tests.actions.test_admin import action_form
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

PASTED = "Flooded\x0bhall\x01 <b>"


def test_a_meeting_cancel_reason_reaches_the_e_mail_clean(desk_client, resident, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    rsvp_create(meeting=meeting, user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(
            "/admin/meetings/meeting/",
            {"action": "cancel", "_selected_action": [meeting.pk], "confirm": "yes", "reason": PASTED},
        )
    (message,) = mail.outbox
    assert "Flooded\nhall <b>" in message.body and "\x01" not in message.body and "\x0b" not in message.body


def test_a_decline_reason_reaches_the_e_mail_clean(desk_client, django_capture_on_commit_callbacks):
    program = make_program(capacity=1)
    application = program_services.application_submit(program=program, applicant=make_user("ann@example.com"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(
            "/admin/programs/application/",
            {"action": "decline", "_selected_action": [application.pk], "confirm": "yes", "reason": PASTED},
        )
    (message,) = mail.outbox
    assert "Flooded\nhall <b>" in message.body and "\x01" not in message.body


def test_an_action_title_pasted_from_a_word_processor_is_saved_clean(desk_client):
    response = desk_client.post("/admin/actions/actionitem/add/", action_form(title=PASTED, description=PASTED))
    assert response.status_code == 302, response.content.decode()[:3000]
    action = ActionItem.objects.get()
    assert (action.title, action.description) == ("Flooded hall <b>", "Flooded\nhall <b>")


# Forms whose text boxes take no free text: codes, filters, addresses, tokens, passwords.
NOT_FREE_TEXT = {
    "portal.check_in.CheckInForm",  # a registration code: the service keeps only letters and digits
    "transparency.forms.DashboardFilterForm",
    "tips.forms.ReceiptForm",
    "newsletters.forms.SubscribeForm",
    "newsletters.forms.PreferencesForm",
    "accounts.forms.SignupForm",  # its username is the e-mail address
    "accounts.forms.AccountDeleteForm",  # a password
}
FREE_TEXT_FIELDS = (forms.CharField,)
NOT_TEXT_FIELDS = (forms.EmailField, forms.URLField, forms.SlugField, forms.RegexField, forms.UUIDField)


def _project_forms():
    """The form classes Precinct's own apps define in their forms and admin modules, and portal's."""
    for config in apps.get_app_configs():
        if "site-packages" in config.path:
            continue
        for module_name in ("forms", "admin"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            yield from (
                value
                for value in vars(module).values()
                if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__
            )
    yield from (check_in.CheckInForm, participants.ParticipantMessageForm)


def _takes_free_text(form_class) -> bool:
    return any(
        isinstance(field, FREE_TEXT_FIELDS) and not isinstance(field, NOT_TEXT_FIELDS)
        for field in form_class.base_fields.values()
    )


def test_every_form_that_takes_free_text_cleans_control_characters():
    missing = sorted(
        f"{form_class.__module__}.{form_class.__qualname__}"
        for form_class in _project_forms()
        if _takes_free_text(form_class)
        and not issubclass(form_class, TextCleaningFormMixin)
        and f"{form_class.__module__}.{form_class.__qualname__}" not in NOT_FREE_TEXT
    )
    assert missing == [], "put TextCleaningFormMixin first in these forms' bases:\n" + "\n".join(missing)


def test_a_nul_byte_is_cleaned_away_not_refused(client, db):
    # Django refuses NUL with "Null characters are not allowed", which nobody can act on: the
    # character is invisible. Cleaned first, the finding is saved with what the person meant.
    from audits.models import Finding
    from tests.audits.conftest import check_in, make_walk

    walk = make_walk()
    walker = make_user("walker@example.com")
    check_in(walk, walker)
    client.force_login(walker)
    response = client.post(
        reverse("audits:finding-create", args=[walk.meeting.slug]),
        {"notes": "Dark\x00 corner", "address": "Mill\x00 Lane"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    finding = Finding.objects.get()
    assert (finding.notes, finding.address) == ("Dark corner", "Mill Lane")

"""Rows saved before the forms cleaned control characters are cleaned once by
``manage.py clean_stored_text``: every text field and translation of the project's apps, never the
audit log, the outbox or the sealed tips, and nothing twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from alerts.models import Alert
from audit.models import AuditEntry
from meetings.models import Meeting
from tests.alerts.conftest import make_alert
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("clean_stored_text", *args, stdout=out)
    return out.getvalue()


def test_old_rows_are_cleaned_once_and_records_are_kept_as_written(officer):
    meeting = make_meeting()
    # As a row saved years ago would be: written straight to the table, past every form.
    Meeting.objects.filter(pk=meeting.pk).update(
        title="Flooded\x0bhall\x01",
        description="First line\x0bsecond\x02",
        translations={"es": {"title": "Sala\x0cinundada\x7f", "description": "Uno\x0bdos"}},
    )
    clean = make_meeting(title="Already clean", slug="already-clean")
    entry = AuditEntry.objects.create(actor=officer, action="meetings.change\x01", detail={})

    assert "meetings.Meeting: 1 row(s) would change" in run("--dry-run")
    assert Meeting.objects.get(pk=meeting.pk).title == "Flooded\x0bhall\x01"

    assert "meetings.Meeting: 1 row(s) changed" in run()
    meeting.refresh_from_db()
    # A one-line field gets a space (a newline in a title would reach e-mail subjects), text a newline.
    assert (meeting.title, meeting.translations["es"]["title"]) == ("Flooded hall", "Sala inundada")
    assert (meeting.description, meeting.translations["es"]["description"]) == ("First line\nsecond", "Uno\ndos")
    assert Meeting.objects.get(pk=clean.pk).title == "Already clean"
    assert AuditEntry.objects.get(pk=entry.pk).action == "meetings.change\x01"

    assert run().strip() == "0 row(s) changed in all."


def test_an_alert_headline_stays_on_one_line(officer):
    alert = make_alert(created_by=officer, city_wide=True)
    Alert.objects.filter(pk=alert.pk).update(headline="Road\x0bclosed\u2028tonight")
    run()
    alert.refresh_from_db()
    assert alert.headline == "Road closed tonight"
    alert.full_clean()  # the model's own one-line validators accept what is left

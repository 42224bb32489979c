"""Text pasted from a word processor (with XML-invalid control characters such as \\x0b) is cleaned
at input in alerts and newsletters, refused on a model that skips the form, and rows saved before
still give well-formed feeds and CAP documents."""

from xml.etree import ElementTree as ET

import feedparser
import pytest
from django.core.exceptions import ValidationError

from alerts.models import Alert
from alerts.services import alert_cancel, alert_publish
from newsletters.models import Newsletter
from portal.text import clean_control_characters, xml_safe_text
from tests.alerts.conftest import make_alert
from tests.alerts.test_admin import _form
from tests.alerts.test_feeds import CAP_SCHEMA, NS

pytestmark = pytest.mark.django_db

PASTED = "Three homes\x0bbroken into\x0coverni\x07ght."


def test_a_pasted_line_break_becomes_a_newline_and_other_controls_go():
    assert clean_control_characters(PASTED) == "Three homes\nbroken into\novernight."
    assert clean_control_characters("tab\there\r\nline") == "tab\there\r\nline"
    assert xml_safe_text("a\x0bb\x00c\ufffe") == "abc"


def test_the_alert_form_in_the_admin_cleans_what_a_word_processor_pasted(desk_client, neighbourhood):
    response = desk_client.post(
        "/admin/alerts/alert/add/",
        _form(neighbourhood, headline="Road\x0bclosed\x1b", description=PASTED, instruction="Use\x0bRiver Road"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    alert = Alert.objects.get()
    assert alert.headline == "Road closed"
    assert alert.description == "Three homes\nbroken into\novernight."
    assert alert.instruction == "Use\nRiver Road"


def test_a_cancellation_note_is_cleaned_too(desk_client, officer, alert_for_a):
    alert_publish(actor=officer, alert=alert_for_a)

    desk_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/cancel/", {"confirm": "yes", "note": "Found\x0bsafe\x07"})

    assert alert_for_a.revisions.get(msg_type="Cancel").snapshot["note"] == "Found safe"


def test_a_model_saved_without_the_form_is_refused_with_a_clear_message(officer, neighbourhood):
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood])
    alert.description = "Broken\x0binto"
    alert.headline = "Two\nlines"

    with pytest.raises(ValidationError) as refused:
        alert.full_clean()

    assert "invisible control characters" in str(refused.value.message_dict["description"])
    assert "must be on one line" in str(refused.value.message_dict["headline"])


def test_old_alerts_holding_control_characters_still_give_well_formed_feeds(client, officer, neighbourhood):
    # As saved before input was cleaned: straight into the table.
    alert = make_alert(
        created_by=officer,
        neighbourhoods=[neighbourhood],
        headline="Burglaries\x0bon Elm Street",
        description=PASTED,
        instruction="Lock\x0cdoors",
        event="Burglary\x0bpattern",
    )
    alert_publish(actor=officer, alert=alert)
    alert_cancel(actor=officer, alert=alert, note="All\x0bclear")

    for url in ["/alerts/feed/", "/alerts/feed/riverside/", "/alerts/cap/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        ET.fromstring(response.content)  # noqa: S314 - the portal's own output; raises if ill-formed
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (url, feed.bozo_exception)
    assert "Burglarieson Elm Street" in client.get("/alerts/feed/").content.decode()

    for url in [f"/alerts/{alert.code}/cap.xml", f"/alerts/{alert.code}/cap/1.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        CAP_SCHEMA.validate(response.content.decode())
        document = ET.fromstring(response.content)  # noqa: S314 - schema-checked above
        assert document.findtext("cap:info/cap:event", namespaces=NS) == "Burglarypattern"
    assert client.get(f"/alerts/{alert.code}/").status_code == 200


def test_the_newsletter_form_in_the_admin_cleans_what_a_word_processor_pasted(desk_client):
    response = desk_client.post(
        "/admin/newsletters/newsletter/add/",
        {
            "subject": "Bike\x0bthefts\r\nare down",
            "body": "Lock your\x0bbike.\x1b",
            "audience": "all",
            "topic": "",
            "scheduled_for_0": "",
            "scheduled_for_1": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    newsletter = Newsletter.objects.get()
    assert newsletter.subject == "Bike thefts are down"
    assert newsletter.body == "Lock your\nbike."

"""Alerts are written in English and Spanish and reach each subscriber in their language; a Spanish
e-mail carries English only where no Spanish was written, and says so."""

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from alerts.cap import CAP_NAMESPACE
from alerts.models import Alert
from alerts.services import alert_publish, alert_update, alert_update_propose
from tests.alerts.conftest import make_alert, make_subscription
from tests.alerts.test_admin import _form, _local
from tests.conftest import desk_client_for

pytestmark = pytest.mark.django_db

SPANISH = {
    "headline": "Robos en la calle Elm",
    "event": "Serie de robos",
    "description": "Entraron en tres casas durante la noche.",
    "instruction": "Cierre puertas y ventanas.",
}
ENGLISH_TEXTS = [
    "Burglaries on Elm Street",
    "Three homes were broken into overnight.",
    "Lock doors and windows",
]


def _to(address):
    return [message for message in mail.outbox if message.to == [address]]


def _untranslated_notice(language: str) -> str:
    with translation.override(language):
        return render_to_string("emails/untranslated.txt", {"untranslated_language": "en"}).strip()


def test_an_english_and_a_spanish_subscriber_each_get_the_alert_in_their_language(
    officer, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood, language="en")
    make_subscription("eva@example.com", neighbourhood, language="es")
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood], translations={"es": SPANISH})

    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)

    [english] = _to("ana@example.com")
    [spanish] = _to("eva@example.com")
    assert english.subject == "Safety alert: Burglaries on Elm Street"
    assert all(text in english.body for text in ENGLISH_TEXTS)
    assert "Robos" not in english.body
    assert spanish.subject == "Alerta de seguridad: Robos en la calle Elm"
    assert SPANISH["description"] in spanish.body and SPANISH["instruction"] in spanish.body
    assert not any(text in spanish.body for text in ENGLISH_TEXTS)
    assert _untranslated_notice("es") not in spanish.body


def test_a_spanish_e_mail_carries_untranslated_fields_in_english_and_says_so(
    officer, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("eva@example.com", neighbourhood, language="es")
    alert = make_alert(
        created_by=officer, neighbourhoods=[neighbourhood], translations={"es": {"headline": SPANISH["headline"]}}
    )

    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)

    [spanish] = mail.outbox
    assert spanish.subject == "Alerta de seguridad: Robos en la calle Elm"
    assert "Three homes were broken into overnight." in spanish.body
    assert _untranslated_notice("es") in spanish.body


def test_an_update_carries_its_new_spanish_text_to_the_spanish_recipients(
    officer, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("eva@example.com", neighbourhood, language="es")
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood], translations={"es": SPANISH})
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)

    with django_capture_on_commit_callbacks(execute=True):
        alert_update(
            actor=officer,
            alert=alert,
            changes={"headline": "Burglaries spreading", "translations": {"es": {**SPANISH, "headline": "Más robos"}}},
        )

    assert mail.outbox[-1].to == ["eva@example.com"]
    assert "Más robos" in mail.outbox[-1].subject
    assert alert.revisions.get(number=2).snapshot["translations"]["es"]["headline"] == "Más robos"


def test_officers_compose_an_alert_in_both_languages_and_send_a_spanish_update(
    desk_client, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("eva@example.com", neighbourhood, language="es")
    add_page = desk_client.get("/admin/alerts/alert/add/").content.decode()
    for name in ("headline_es", "event_es", "description_es", "instruction_es"):
        assert f'name="{name}"' in add_page, name

    spanish_fields = {f"{field}_es": text for field, text in SPANISH.items()}
    response = desk_client.post("/admin/alerts/alert/add/", _form(neighbourhood, **spanish_fields))
    assert response.status_code == 302, response.context["adminform"].form.errors
    alert = Alert.objects.get()
    assert alert.translations == {"es": SPANISH}

    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(f"/admin/alerts/alert/{alert.pk}/publish/", {"confirm": "yes"})
    # Once sent, the change page shows the alert read-only (translations included) and still opens.
    change_page = desk_client.get(f"/admin/alerts/alert/{alert.pk}/change/").content.decode()
    assert 'name="headline_es"' not in change_page and "Robos en la calle Elm" in change_page
    update_page = desk_client.get(f"/admin/alerts/alert/{alert.pk}/send-update/").content.decode()
    assert 'value="Robos en la calle Elm"' in update_page

    expiry_date, expiry_time = _local(alert.expires_at).split()
    update = _form(
        neighbourhood,
        **{**spanish_fields, "headline_es": "Calle Main cortada"},
        headline="Road closed on Main St",
        expires_at_0=expiry_date,
        expires_at_1=expiry_time,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(f"/admin/alerts/alert/{alert.pk}/send-update/", update)

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.translations["es"]["headline"] == "Calle Main cortada"
    assert "Calle Main cortada" in mail.outbox[-1].subject


def test_a_proposed_spanish_update_is_shown_to_the_second_approver_and_sent_as_proposed(
    settings, approver, officer, alert_for_a, neighbourhood, django_capture_on_commit_callbacks
):
    settings.ALERTS_REQUIRE_APPROVAL = True
    make_subscription("eva@example.com", neighbourhood, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=approver, alert=alert_for_a)
    alert_update_propose(actor=officer, alert=alert_for_a, changes={"translations": {"es": SPANISH}})

    approver_client = desk_client_for(approver)
    page = approver_client.get(f"/admin/alerts/alert/{alert_for_a.pk}/send-update/").content.decode()
    assert 'value="Robos en la calle Elm"' in page
    with django_capture_on_commit_callbacks(execute=True):
        approver_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/send-update/", {"_approve": "1"})

    assert mail.outbox[-1].to == ["eva@example.com"]
    assert mail.outbox[-1].subject.endswith(": Robos en la calle Elm")
    assert alert_for_a.revisions.get(number=2).snapshot["translations"] == {"es": SPANISH}


def test_the_cap_message_has_one_info_block_per_language(client, officer, alert_for_a):
    alert_for_a.translations = {"es": SPANISH}
    alert_for_a.save()
    alert_publish(actor=officer, alert=alert_for_a)

    response = client.get(f"/alerts/{alert_for_a.code}/cap.xml")

    xmlschema.XMLSchema(Path(__file__).with_name("CAP-v1.2.xsd")).validate(response.content.decode())
    document = ET.fromstring(response.content)  # noqa: S314 - the portal's own output, schema-checked above.
    infos = document.findall("cap:info", {"cap": CAP_NAMESPACE})
    texts = [
        {name: info.findtext(f"cap:{name}", namespaces={"cap": CAP_NAMESPACE}) for name in ("language", "headline")}
        for info in infos
    ]
    assert texts == [
        {"language": "en", "headline": "Burglaries on Elm Street"},
        {"language": "es", "headline": "Robos en la calle Elm"},
    ]


def test_the_spanish_alert_page_and_banner_show_spanish_and_mark_english(client, officer, neighbourhood):
    alert = make_alert(
        created_by=officer,
        city_wide=True,
        translations={"es": {"headline": SPANISH["headline"], "instruction": SPANISH["instruction"]}},
    )
    alert_publish(actor=officer, alert=alert)

    page = client.get(alert.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es")

    assertContains(page, "<h1>Robos en la calle Elm</h1>", html=True)
    assertContains(page, "<p>Cierre puertas y ventanas.</p>", html=True)
    assertContains(page, '<p lang="en">Three homes were broken into overnight.</p>', html=True)
    assertContains(page, '<dd><span lang="en">Burglary pattern</span></dd>', html=True)
    # The banner on every page, from the shared cache, in the reader's language.
    assertContains(page, f'<a href="/alerts/{alert.code}/">Robos en la calle Elm</a>', html=True)
    english = client.get("/programs/", HTTP_ACCEPT_LANGUAGE="en")
    assertContains(english, f'<a href="/alerts/{alert.code}/">Burglaries on Elm Street</a>', html=True)
    assertNotContains(english, "Robos")


def test_a_spanish_headline_is_held_to_the_english_ones_rules(desk_client, neighbourhood):
    # Pasted word-processor breaks are cleaned as in the English field; what is left must fit one line.
    response = desk_client.post(
        "/admin/alerts/alert/add/",
        _form(neighbourhood, headline_es="Robos\x0ben la calle Elm", description_es="Línea uno\x0bLínea dos"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Alert.objects.get().translations["es"] == {
        "headline": "Robos en la calle Elm",
        "description": "Línea uno\nLínea dos",
    }

    refused = desk_client.post("/admin/alerts/alert/add/", _form(neighbourhood, headline_es="R" * 161))
    assert refused.status_code == 200
    assert "headline_es" in refused.context["adminform"].form.errors


def test_the_cancellation_note_reaches_each_recipient_in_their_language(
    desk_client, officer, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood, language="en")
    make_subscription("eva@example.com", neighbourhood, language="es")
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood], translations={"es": SPANISH})
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=officer, alert=alert)
    mail.outbox.clear()
    assert 'name="note_es"' in desk_client.get(f"/admin/alerts/alert/{alert.pk}/cancel/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(
            f"/admin/alerts/alert/{alert.pk}/cancel/",
            {"confirm": "yes", "note": "An arrest was made.", "note_es": "Se realizó una detención."},
        )

    assert "An arrest was made." in _to("ana@example.com")[0].body
    spanish = _to("eva@example.com")[0].body
    assert "Se realizó una detención." in spanish and "An arrest was made." not in spanish
    assert _untranslated_notice("es") not in spanish

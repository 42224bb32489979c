"""The demo shows bilingual content: some items in Spanish, some Spanish pages with English fallbacks."""

import pytest
from django.core import mail
from pytest_django.asserts import assertContains

from alerts import demo as alerts_demo
from meetings import demo as meetings_demo
from newsletters import demo as newsletters_demo
from portal import demo
from programs import demo as programs_demo
from programs.models import Program

pytestmark = pytest.mark.django_db


def test_the_demo_has_spanish_content_and_marked_english_fallbacks(client, officer):
    neighbourhoods = demo.create_neighbourhoods()
    for module in (programs_demo, meetings_demo, alerts_demo):
        module.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)

    academy = Program.objects.get(slug="citizen-police-academy-spring")
    page = client.get(academy.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es")
    assertContains(page, "<h1>Academia de Policía Ciudadana</h1>", html=True)
    assertContains(page, '<div lang="en">')

    meeting = client.get("/meetings/demo-riverside-town-hall/", HTTP_ACCEPT_LANGUAGE="es")
    assertContains(meeting, "<h1>Asamblea comunitaria de Riverside</h1>", html=True)
    assertContains(meeting, '<strong><span lang="en">Next steps</span></strong>', html=True)

    alerts = client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="es")
    assertContains(alerts, "Robos en coches cerca del parque Riverside")


def test_the_demo_newsletter_reaches_the_spanish_reader_in_spanish(officer, django_capture_on_commit_callbacks):
    neighbourhoods = demo.create_neighbourhoods()
    with django_capture_on_commit_callbacks(execute=True):
        newsletters_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)

    [spanish] = [message for message in mail.outbox if message.to == ["maria.lopez@example.com"]]
    assert spanish.subject == newsletters_demo.SENT_SPANISH["subject"]

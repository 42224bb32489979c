"""Newsletters are composed in English and Spanish and each subscriber gets theirs; a Spanish copy
carries English only where no Spanish was written, marked lang="en" and said so."""

import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from newsletters.models import Newsletter
from tests.newsletters.helpers import make_subscription
from tests.newsletters.test_admin import CHANGELIST, act, compose
from tests.newsletters.test_digest import WEDNESDAY_NOON, make_meeting, make_program, run_digest
from tests.newsletters.test_newsletter_sending import send_now

pytestmark = pytest.mark.django_db


def _to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def _untranslated_notice(language: str) -> str:
    with translation.override(language):
        return render_to_string("emails/untranslated.txt", {"untranslated_language": "en"}).strip()


def test_an_english_and_a_spanish_subscriber_each_get_the_newsletter_in_their_language(
    officer, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", language="en")
    make_subscription("eva@example.com", language="es")
    newsletter = Newsletter.objects.create(
        subject="Spring news",
        body="Lock your **bikes**.",
        translations={"es": {"subject": "Noticias de primavera", "body": "Cierre sus **bicicletas** con candado."}},
        created_by=officer,
    )

    send_now(newsletter, officer, django_capture_on_commit_callbacks)

    english, spanish = _to("ana@example.com"), _to("eva@example.com")
    assert english.subject == "Spring news"
    assert "Lock your bikes." in english.body and "bicicletas" not in english.body
    assert spanish.subject == "Noticias de primavera"
    html = spanish.alternatives[0][0]
    assert '<html lang="es" dir="ltr">' in html
    assert "<strong>bicicletas</strong>" in html
    assert "Lock your" not in spanish.body and "Lock your" not in html
    assert 'lang="en"' not in html
    assert _untranslated_notice("es") not in spanish.body


def test_a_spanish_copy_of_an_untranslated_body_is_english_marked_and_announced(
    officer, django_capture_on_commit_callbacks
):
    make_subscription("eva@example.com", language="es")
    newsletter = Newsletter.objects.create(
        subject="Spring news",
        body="Lock your **bikes**.",
        translations={"es": {"subject": "Noticias de primavera"}},
        created_by=officer,
    )

    send_now(newsletter, officer, django_capture_on_commit_callbacks)

    spanish = _to("eva@example.com")
    assert spanish.subject == "Noticias de primavera"
    html = spanish.alternatives[0][0]
    assert '<div lang="en"><p>Lock your <strong>bikes</strong>.</p>' in html
    assert _untranslated_notice("es") in spanish.body
    assert _untranslated_notice("es") in html


def test_officers_compose_both_languages_and_test_and_preview_each(
    officer, desk_client, django_capture_on_commit_callbacks
):
    add_page = desk_client.get(f"{CHANGELIST}add/").content.decode()
    assert 'name="subject_es"' in add_page and 'name="body_es"' in add_page
    assert 'class="fieldset-heading">Spanish</h2>' in add_page

    newsletter = compose(desk_client, subject_es="Bajan los robos de bicicletas", body_es="Use un **candado**.")
    assert newsletter.translations == {
        "es": {"subject": "Bajan los robos de bicicletas", "body": "Use un **candado**."}
    }

    preview = desk_client.get(f"{CHANGELIST}{newsletter.pk}/preview/?language=es").content.decode()
    assert "<strong>candado</strong>" in preview and "Lock your" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        act(desk_client, "send_test", newsletter)
    # One test copy per language the newsletter is written in.
    assert sorted(message.subject for message in mail.outbox) == [
        f"[{_test_word('es')}] Bajan los robos de bicicletas",
        "[Test] Bike thefts are down",
    ]


def _test_word(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Test")


def test_a_scheduled_newsletter_keeps_its_spanish_when_its_page_is_saved(
    officer, desk_client, django_capture_on_commit_callbacks
):
    newsletter = compose(desk_client, subject_es="Noticias", body_es="Texto.")
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SCHEDULED)

    page = desk_client.get(f"{CHANGELIST}{newsletter.pk}/change/")

    assert page.status_code == 200
    # Shown, read-only: what Spanish readers will get is fixed once scheduled.
    assert 'name="subject_es"' not in page.content.decode()
    assert "Noticias" in page.content.decode()
    desk_client.post(f"{CHANGELIST}{newsletter.pk}/change/", {})
    newsletter.refresh_from_db()
    assert newsletter.translations == {"es": {"subject": "Noticias", "body": "Texto."}}


def test_the_weekly_digest_lists_items_in_each_subscribers_language(time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(WEDNESDAY_NOON, tick=False)
    make_subscription("ana@example.com", language="en", digest_frequency="weekly")
    make_subscription("eva@example.com", language="es", digest_frequency="weekly")
    make_meeting("Riverside town hall", translations={"es": {"title": "Asamblea de Riverside"}})
    make_program("Riverside academy")

    run_digest(django_capture_on_commit_callbacks)

    english, spanish = _to("ana@example.com"), _to("eva@example.com")
    assert "Riverside town hall" in english.body and "Asamblea" not in english.body
    assert "Asamblea de Riverside" in spanish.body and "Riverside town hall" not in spanish.body
    html = spanish.alternatives[0][0]
    assert re.search(r'<a [^>]*lang="en"[^>]*>Riverside academy</a>', html)
    assert re.search(r"<a (?![^>]*lang=)[^>]*>Asamblea de Riverside</a>", html)  # Spanish: no lang of its own

"""Meetings, their agenda and officers' answers in English and Spanish, with marked fallbacks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.selectors import profile_for
from audit.models import AuditEntry
from meetings.models import AgendaItem, Meeting, Question
from meetings.services import feedback_response_publish, rsvp_create
from tests.meetings.conftest import make_meeting
from tests.meetings.test_admin import meeting_form

pytestmark = pytest.mark.django_db


def _spanish(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="es")


def test_the_spanish_meeting_page_shows_spanish_title_description_agenda_and_answers(client, resident):
    meeting = make_meeting(
        title="Riverside town hall",
        description="Bring your questions.",
        translations={"es": {"title": "Asamblea de Riverside", "description": "Traiga sus preguntas."}},
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Welcome", translations={"es": {"title": "Bienvenida"}}
    )
    AgendaItem.objects.create(meeting=meeting, position=2, title="Street lighting", description="Plans for 2027.")
    Question.objects.create(
        meeting=meeting,
        author=resident,
        text="¿Habrá más luces?",
        status=Question.Status.ANSWERED,
        answer="Yes, six by spring.",
        translations={"es": {"answer": "Sí, seis en primavera."}},
    )

    page = _spanish(client, meeting.get_absolute_url())

    assertContains(page, "<h1>Asamblea de Riverside</h1>", html=True)
    assertContains(page, "<div><p>Traiga sus preguntas.</p></div>", html=True)
    assertContains(page, "<strong>Bienvenida</strong>", html=True)
    assertContains(page, "<div><p>Sí, seis en primavera.</p></div>", html=True)
    # The untranslated agenda item is shown in English, marked as English.
    assertContains(page, '<strong><span lang="en">Street lighting</span></strong>', html=True)
    assertContains(page, '<span lang="en">Plans for 2027.</span>', html=True)
    assertNotContains(page, "Yes, six by spring.")
    assertNotContains(page, "Bring your questions.")


def test_an_untranslated_meeting_is_shown_in_english_marked_on_the_spanish_list(client):
    make_meeting(title="Northgate beat meeting")

    page = _spanish(client, "/meetings/")

    assertContains(page, '<span lang="en">Northgate beat meeting</span>', html=True)


def test_officers_write_the_meeting_and_its_agenda_in_both_languages(desk_client):
    form_page = desk_client.get("/admin/meetings/meeting/add/").content.decode()
    for name in ("title_es", "description_es", "minutes_es", "agenda_items-0-title_es"):
        assert f'name="{name}"' in form_page, name

    response = desk_client.post(
        "/admin/meetings/meeting/add/",
        meeting_form(title_es="Asamblea de Northgate", description_es="", **{"agenda_items-0-title_es": "Bienvenida"}),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    assert meeting.translations == {"es": {"title": "Asamblea de Northgate"}}
    assert meeting.agenda_items.get(position=1).translations == {"es": {"title": "Bienvenida"}}
    assert meeting.agenda_items.get(position=2).translations == {}


def test_a_translation_only_change_is_saved_and_audited(desk_client, officer):
    desk_client.post("/admin/meetings/meeting/add/", meeting_form())
    meeting = Meeting.objects.get()
    data = meeting_form(slug=meeting.slug, title_es="Asamblea de Northgate")
    data.update({"agenda_items-TOTAL_FORMS": "0"})

    response = desk_client.post(f"/admin/meetings/meeting/{meeting.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.translations == {"es": {"title": "Asamblea de Northgate"}}
    entry = AuditEntry.objects.filter(action="meeting.updated").latest("pk")
    assert entry.detail == {"fields": ["translations"]}


def test_officers_answer_a_question_in_both_languages(desk_client, resident):
    meeting = make_meeting(starts_at=(timezone.now() + timedelta(days=3)).replace(microsecond=0))
    question = Question.objects.create(meeting=meeting, author=resident, text="Will the park get lights?")
    url = f"/admin/meetings/question/{question.pk}/change/"
    assert 'name="answer_es"' in desk_client.get(url).content.decode()

    desk_client.post(url, {"status": "answered", "answer": "Yes, by spring.", "answer_es": "Sí, en primavera."})

    question.refresh_from_db()
    assert question.answer == "Yes, by spring."
    assert question.translations == {"es": {"answer": "Sí, en primavera."}}


def test_a_spanish_resident_gets_the_rsvp_e_mail_and_calendar_in_spanish(resident, django_capture_on_commit_callbacks):
    profile = profile_for(resident)
    profile.preferred_language = "es"
    profile.save()
    meeting = make_meeting(
        title="Riverside town hall",
        description="Bring your questions.",
        translations={"es": {"title": "Asamblea de Riverside", "description": "Traiga sus preguntas."}},
    )

    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=meeting, user=resident)

    [message] = mail.outbox
    assert "Asamblea de Riverside" in message.body
    assert "Riverside town hall" not in message.body
    [(_name, calendar, _type)] = message.attachments
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert "SUMMARY:Asamblea de Riverside" in calendar
    assert "Traiga sus preguntas." in calendar


def test_officers_publish_the_feedback_response_in_both_languages(desk_client, officer):
    meeting = make_meeting(starts_at=(timezone.now() - timedelta(days=2)).replace(microsecond=0))
    url = f"/admin/meetings/meeting/{meeting.pk}/feedback/"
    assert 'name="summary_es"' in desk_client.get(url).content.decode()

    desk_client.post(
        url,
        {"summary": "You liked the format.", "summary_es": "Le gustó el formato.", "response": "We will keep it."},
    )

    page = _spanish(desk_client, meeting.get_absolute_url())
    assertContains(page, "<div><p>Le gustó el formato.</p></div>", html=True)
    assertContains(page, '<div lang="en"><p>We will keep it.</p></div>', html=True)
    # Publishing again from elsewhere without translations keeps the Spanish.
    feedback_response_publish(meeting=meeting, actor=officer, summary="You liked the format.")
    meeting.feedback_response.refresh_from_db()
    assert meeting.feedback_response.translations == {"es": {"summary": "Le gustó el formato."}}

"""Programs are written in English and Spanish; a Spanish page shows the Spanish, and English only
where no Spanish was written, marked lang="en" (WCAG 3.1.2)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from programs.models import Application, Program, ProgramQuestion
from tests.conftest import desk_client_for, make_user
from tests.programs.conftest import add_question, make_program
from tests.programs.test_admin import _change_form

pytestmark = pytest.mark.django_db


def _spanish(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="es")


def test_a_spanish_page_shows_the_spanish_title_summary_description_and_sessions(client):
    program = make_program(description="Ten evenings with the department.")
    program.translations = {
        "es": {
            "title": "Academia de Policía Ciudadana",
            "summary": "Diez tardes entre bastidores.",
            "description": "Diez tardes con el departamento.",
        }
    }
    program.save()
    session = program.sessions.get()
    session.translations = {"es": {"title": "Semana uno", "location": "Jefatura, Calle Mayor 100"}}
    session.save()

    page = _spanish(client, f"/programs/{program.slug}/")

    assertContains(page, "<h1>Academia de Policía Ciudadana</h1>", html=True)
    assertContains(page, '<p class="lead">Diez tardes entre bastidores.</p>', html=True)
    assertContains(page, "Diez tardes con el departamento.")
    assertContains(page, "Semana uno")
    assertContains(page, "Jefatura, Calle Mayor 100")
    assertNotContains(page, "Ten evenings")
    main = page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'lang="en"' not in main  # (the header's language switcher names English in English)


def test_an_empty_spanish_field_shows_the_english_marked_as_english(client):
    program = make_program(title="Youth Explorers", description="Hands-on evenings.")
    program.translations = {"es": {"title": "Exploradores juveniles"}}
    program.save()

    page = _spanish(client, f"/programs/{program.slug}/")

    assertContains(page, "<h1>Exploradores juveniles</h1>", html=True)
    assertContains(page, '<p class="lead" lang="en">Ten evenings behind the scenes.</p>', html=True)
    assertContains(page, '<div lang="en"><p>Hands-on evenings.</p></div>', html=True)


def test_the_english_page_is_unchanged_and_carries_no_lang_marks(client):
    program = make_program(title="Youth Explorers")
    program.translations = {"es": {"title": "Exploradores juveniles"}}
    program.save()

    page = client.get(f"/programs/{program.slug}/", HTTP_ACCEPT_LANGUAGE="en")

    assertContains(page, "<h1>Youth Explorers</h1>", html=True)
    assertNotContains(page, "Exploradores")
    assertContains(page, 'lang="en"', count=1)  # <html lang="en"> only


def test_the_spanish_list_shows_spanish_titles_and_marks_english_summaries(client):
    translated = make_program(title="Night Patrol Ride-along")
    translated.translations = {"es": {"title": "Patrulla nocturna", "summary": "Una noche en el coche patrulla."}}
    translated.save()
    untranslated = make_program(title="Bike Safety Workshop")

    page = _spanish(client, "/programs/")

    assertContains(page, "Patrulla nocturna")
    assertContains(page, "<p>Una noche en el coche patrulla.</p>", html=True)
    link = f'<a href="/programs/{untranslated.slug}/"><span lang="en">Bike Safety Workshop</span></a>'
    assertContains(page, link, html=True)
    assertContains(page, '<p lang="en">Ten evenings behind the scenes.</p>', html=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_list_keeps_its_query_budget_in_either_language(
    client, language, neighbourhood, django_assert_max_num_queries
):
    now = timezone.now()
    Program.objects.bulk_create(
        Program(
            kind=Program.Kind.WORKSHOP,
            title=f"Workshop {n}",
            slug=f"workshop-{n}",
            summary="An evening.",
            translations={"es": {"title": f"Taller {n}"}} if n % 2 else {},
            capacity=5,
            applications_open_at=now - timedelta(days=1),
            applications_close_at=now + timedelta(days=5),
            status=Program.Status.PUBLISHED,
        )
        for n in range(60)
    )
    # The same budget as tests/programs/test_program_pages.py: translations come with their row.
    with django_assert_max_num_queries(6):
        response = client.get("/programs/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200


def test_officers_write_both_languages_in_the_admin(desk_client):
    form_page = desk_client.get("/admin/programs/program/add/").content.decode()
    for name in ("title_es", "summary_es", "description_es", "sessions-0-title_es", "sessions-0-location_es"):
        assert f'name="{name}"' in form_page, name
    assert 'class="fieldset-heading">Spanish</h2>' in form_page
    assert '<label for="id_title_es">Title (Spanish):</label>' in form_page

    data = _change_form(
        make_program(sessions=0),
        title="Explorers",
        slug="explorers",
        title_es="Exploradores",
        summary_es="  Tardes de aventura.  ",
        description_es="",
    )
    data.update(
        {
            "sessions-TOTAL_FORMS": 1,
            "sessions-0-title": "Day one",
            "sessions-0-title_es": "Día uno",
            "sessions-0-starts_at_0": "2031-06-01",
            "sessions-0-starts_at_1": "09:00:00",
            "sessions-0-ends_at_0": "2031-06-01",
            "sessions-0-ends_at_1": "15:00:00",
            "sessions-0-location": "Eastwood Park",
        }
    )
    response = desk_client.post("/admin/programs/program/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    created = Program.objects.get(slug="explorers")
    assert created.title == "Explorers"
    # Trimmed, and the empty description is not stored: it falls back to the English.
    assert created.translations == {"es": {"title": "Exploradores", "summary": "Tardes de aventura."}}
    assert created.sessions.get().translations == {"es": {"title": "Día uno"}}
    change_page = desk_client.get(f"/admin/programs/program/{created.pk}/change/").content.decode()
    assert 'value="Exploradores"' in change_page


def test_a_spanish_translation_is_held_to_the_english_fields_limits(desk_client):
    data = _change_form(make_program(sessions=0), title="Explorers", slug="explorers-2", title_es="x" * 201)
    response = desk_client.post("/admin/programs/program/add/", data)
    assert response.status_code == 200
    assert "title_es" in response.context["adminform"].form.errors
    assert not Program.objects.filter(slug="explorers-2").exists()


def test_the_spanish_application_form_asks_in_spanish_and_stores_the_source_option(resident_client, resident):
    program = make_program()
    why = add_question(program, "Why do you want to join?")
    why.translations = {"es": {"text": "¿Por qué quiere participar?"}}
    why.save()
    evening = add_question(program, "Preferred evening", ProgramQuestion.Kind.CHOICE, choices="Monday\nThursday")
    evening.translations = {"es": {"choices": "Lunes\nJueves"}}
    evening.save()
    url = f"/programs/{program.slug}/apply/"

    page = resident_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "¿Por qué quiere participar?" in page and "Why do you want to join?" not in page
    # The question has no Spanish: marked English. Its options have Spanish labels, English values.
    assert '<span lang="en">Preferred evening</span>' in page
    assert re.search(r'value="Thursday"[^>]*>\s*Jueves</label>', page)
    resident_client.post(
        url, {f"question_{why.pk}": "Para conocer el trabajo policial", f"question_{evening.pk}": "Thursday"}
    )
    answers = Application.objects.get(applicant=resident).answers
    assert answers[1] == {"question_id": evening.pk, "question": "Preferred evening", "answer": "Thursday"}


def test_translated_options_must_match_the_options_line_for_line(desk_client):
    data = _change_form(make_program(sessions=0), title="Explorers", slug="explorers-3")
    data.update(
        {
            "questions-TOTAL_FORMS": 1,
            "questions-0-position": 0,
            "questions-0-text": "T-shirt size",
            "questions-0-kind": "choice",
            "questions-0-choices": "S\nM\nL",
            "questions-0-choices_es": "P\nM",
            "questions-0-required": "on",
        }
    )
    response = desk_client.post("/admin/programs/program/add/", data)
    assert response.status_code == 200
    assert "as many as the options above" in response.content.decode()
    data["questions-0-choices_es"] = "P\nM\nG"
    assert desk_client.post("/admin/programs/program/add/", data).status_code == 302
    assert ProgramQuestion.objects.get(text="T-shirt size").translations == {"es": {"choices": "P\nM\nG"}}


def test_an_officer_who_may_only_view_sees_the_spanish_read_only(officer):
    viewer = make_user("viewer.vic@example.com", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_program", "view_programsession"]))
    program = make_program(translations={"es": {"title": "Academia de Policía"}})
    program.sessions.update(translations={"es": {"location": "Jefatura"}})

    page = desk_client_for(viewer).get(f"/admin/programs/program/{program.pk}/change/")

    assert page.status_code == 200
    content = page.content.decode()
    assert "Academia de Policía" in content and "Jefatura" in content
    assert 'name="title_es"' not in content

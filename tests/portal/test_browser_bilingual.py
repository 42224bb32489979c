"""A Spanish reader in a real browser: Spanish where officers wrote it, English fallbacks marked
lang="en", and axe finds no serious or critical problem (WCAG 3.1.2), on a phone and a desktop."""

import pytest

from alerts.services import alert_publish
from meetings.models import AgendaItem
from tests.alerts.conftest import make_alert
from tests.helpers import assert_accessible
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program
from tips.models import TipCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[320, 1280], ids=["phone", "desktop"])
def spanish_page(request, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="es-ES", viewport={"width": request.param, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_spanish_pages_show_spanish_content_and_mark_english_fallbacks(spanish_page, officer):
    page = spanish_page
    program = make_program(
        title="Spring Citizen Police Academy",
        description="Ten evenings behind the scenes of the department.",
        translations={"es": {"title": "Academia Ciudadana de Primavera"}},
    )
    meeting = make_meeting(title="Riverside town hall", translations={"es": {"title": "Asamblea de Riverside"}})
    AgendaItem.objects.create(meeting=meeting, position=1, title="Street lighting")
    alert = make_alert(
        created_by=officer,
        city_wide=True,
        translations={"es": {"headline": "Robos en la calle Elm", "instruction": "Cierre puertas y ventanas."}},
    )
    alert_publish(actor=officer, alert=alert)

    page.goto(program.get_absolute_url())
    page.get_by_role("heading", name="Academia Ciudadana de Primavera", level=1).wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    fallback = page.get_by_text("Ten evenings behind the scenes of the department.")
    assert fallback.evaluate("element => element.closest('[lang]').getAttribute('lang')") == "en"
    assert_accessible(page)

    page.goto(meeting.get_absolute_url())
    page.get_by_role("heading", name="Asamblea de Riverside", level=1).wait_for()
    assert page.get_by_text("Street lighting").get_attribute("lang") == "en"
    assert_accessible(page)

    page.goto(alert.get_absolute_url())
    page.get_by_role("heading", name="Robos en la calle Elm", level=1).wait_for()
    description = page.get_by_text("Three homes were broken into overnight.")
    assert description.get_attribute("lang") == "en"
    page.get_by_text("Cierre puertas y ventanas.").wait_for()
    assert_accessible(page)

    page.goto("/programs/")
    assert page.get_by_role("link", name="Academia Ciudadana de Primavera").count() == 1
    assert_accessible(page)


def test_the_spanish_tip_form_names_categories_in_spanish_without_script_or_cookie(browser, live_server):
    # A translated and an untranslated category.
    # update_or_create: a transactional test may or may not start with the data migration's rows.
    TipCategory.objects.update_or_create(
        slug="theft", defaults={"name": "Theft", "translations": {"es": {"name": "Robo"}}}
    )
    TipCategory.objects.update_or_create(
        slug="graffiti", defaults={"name": "Graffiti", "position": 5, "translations": {}}
    )
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="es-ES")
    page = context.new_page()
    page.goto("/tips/")
    category = page.locator("select[name=category]")
    assert category.locator("option", has_text="Robo").count() == 1
    assert category.locator("option", has_text="Graffiti").get_attribute("lang") == "en"
    html = page.content()
    assert context.cookies() == []
    context.close()

    # axe runs JavaScript, which the tipster's context does not: check the HTML the tipster saw.
    checker = browser.new_context(base_url=live_server.url, locale="es-ES", bypass_csp=True)
    axe_page = checker.new_page()
    axe_page.goto("/tips/")
    axe_page.set_content(html)
    assert_accessible(axe_page)
    checker.close()

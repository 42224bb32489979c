"""In a real browser, in English and Spanish: a resident joins a safety audit walk, is checked in at the
start, records a finding with a photo, sees it become an action, follows it and gets the status e-mail.
axe finds no serious or critical violation on the way."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.roles import OFFICERS
from accounts.selectors import profile_for
from actions.models import ActionFollower, ActionItem
from actions.services import change_status
from audits import services
from audits.models import Finding
from meetings.models import Rsvp
from meetings.services import rsvp_check_in
from neighbourhoods.models import Neighbourhood
from tests.audits.conftest import default_template, jpeg_with_gps, make_walk
from tests.conftest import make_user
from tests.helpers import assert_accessible, log_in_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "attend": "I will attend",
        "registered": "You are registered.",
        "record": "Record a finding",
        "urgent": "Urgent",
        "notes": "What did you notice?",
        "square": "Square on the area map",
        "photos": "Photos",
        "submit": "Record my finding",
        "recorded": "your finding is recorded",
    },
    "es": {
        "attend": "Asistiré",
        "registered": "Su inscripción está confirmada.",
        "record": "Registrar un hallazgo",
        "urgent": "Urgente",
        "notes": "¿Qué observó?",
        "square": "Casilla en el mapa de la zona",
        "photos": "Fotos",
        "submit": "Registrar mi hallazgo",
        "recorded": "su hallazgo está registrado",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_resident_audits_a_walk_and_follows_the_action_it_became(browser, live_server, language):
    words = TEXT[language]
    riverside = Neighbourhood.objects.create(name="Riverside", slug="riverside")
    officer = make_user("officer.sam@example.com", is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    resident = make_user("maria@example.com", first_name="Maria")
    profile = profile_for(resident)
    profile.preferred_language = language
    profile.save()
    # Starts in 40 minutes: registration is still open and check-in (an hour before) already is.
    walk = make_walk(area="Mill Lane underpass", neighbourhood=riverside, started_ago=-timedelta(minutes=40))

    context = browser.new_context(base_url=live_server.url, locale="es-ES" if language == "es" else "en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in_in_browser(page, resident)
        page.goto(f"/safety-audits/?neighbourhood={riverside.slug}")
        assert_accessible(page)
        page.get_by_role("link", name=walk.meeting.title).click()
        page.get_by_role("button", name=words["attend"]).click()
        page.get_by_text(words["registered"]).wait_for()
        rsvp = Rsvp.objects.get(meeting=walk.meeting, user=resident)

        rsvp_check_in(meeting=walk.meeting, code=rsvp.code, actor=officer)  # at the meeting point
        page.reload()
        assert_accessible(page)
        page.get_by_role("link", name=words["record"]).click()
        page.wait_for_url("**/findings/new/")
        assert_accessible(page)
        # On a phone: the form fits the screen, nothing scrolls sideways.
        page.set_viewport_size({"width": 320, "height": 800})
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 320)"
            ".map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, wide
        first_item = default_template().items.first()
        page.get_by_role("group", name=str(first_item.in_language("text", language))).get_by_label(
            words["urgent"], exact=True
        ).check()
        page.get_by_label(words["notes"], exact=True).fill("Three lamps are out in the underpass.")
        page.get_by_label(words["square"]).select_option("D4")
        page.get_by_label(words["photos"], exact=True).set_input_files(
            [{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
        )
        page.get_by_role("button", name=words["submit"]).click()
        page.get_by_text(words["recorded"]).wait_for()
        assert_accessible(page)
        finding = Finding.objects.get(walk=walk, author=resident)
        assert finding.photos.count() == 1 and finding.map_cell == "D4"

        _action_and_follow(page, finding, officer=officer, resident=resident, language=language)
    finally:
        context.close()


def _action_and_follow(page, finding, *, officer, resident, language) -> None:
    """An officer turns the finding into an action; the resident finds it, follows it and hears of its progress."""
    title = "Replace the underpass lamps"
    action = services.finding_make_action(finding=finding, by=officer, title=title, owner="City lighting")
    page.reload()  # the resident's own findings, which now show the action
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/actions/{action.code}/")
    assert_accessible(page)
    page.locator(f"form[action='{reverse('actions:follow', args=[action.code])}'] button").click()
    page.locator(f"form[action='{reverse('actions:unfollow', args=[action.code])}']").wait_for()
    assert ActionFollower.objects.filter(action=action, user=resident).exists()
    assert_accessible(page)

    mail.outbox.clear()
    change_status(action, by=officer, status=ActionItem.Status.IN_PROGRESS, note="The crew is booked.")
    sent = [message for message in mail.outbox if message.to == [resident.email]]
    assert len(sent) == 1, [message.to for message in mail.outbox]
    assert title in sent[0].body
    assert sent[0].extra_headers.get("Content-Language", language) == language


DRILL_TEXT = {
    "en": {
        "debrief": "Answer the after-action debrief",
        "knew": "During the drill, did you know what to do?",
        "partly": "Partly",
        "improve": "What should we improve?",
        "send": "Send my debrief",
        "thanks": "Thank you for your debrief.",
    },
    "es": {
        "debrief": "Responder la evaluación posterior",
        "knew": "Durante el simulacro, ¿sabía qué hacer?",
        "partly": "En parte",
        "improve": "¿Qué deberíamos mejorar?",
        "send": "Enviar mi evaluación",
        "thanks": "Gracias por su evaluación.",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_participant_reads_the_drill_plan_and_answers_the_debrief(browser, live_server, language):
    from audits.models import DebriefAnswer
    from tests.audits.conftest import check_in, make_drill

    words = DRILL_TEXT[language]
    resident = make_user("lee@example.com")
    profile = profile_for(resident)
    profile.preferred_language = language
    profile.save()
    drill = make_drill(title="Flood drill")
    check_in(drill.meeting, resident)
    context = browser.new_context(base_url=live_server.url, locale="es-ES" if language == "es" else "en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in_in_browser(page, resident)
        page.goto(drill.meeting.get_absolute_url())
        page.get_by_text("The river rises overnight.").wait_for()
        assert_accessible(page)
        page.get_by_role("link", name=words["debrief"]).click()
        assert_accessible(page)
        page.get_by_role("group", name=words["knew"]).get_by_label(words["partly"], exact=True).check()
        page.get_by_label(words["improve"]).fill("Hand out maps before the drill.")
        page.get_by_role("button", name=words["send"]).click()
        page.get_by_text(words["thanks"]).wait_for()
        assert_accessible(page)
        answer = DebriefAnswer.objects.get(drill=drill, author=resident)
        assert (answer.knew_what_to_do, answer.to_improve) == ("partly", "Hand out maps before the drill.")
    finally:
        context.close()

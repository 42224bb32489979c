"""Takes the screenshots of docs/officers.md (not a test: its name keeps it out of the suite).

    DATABASE_URL=… .venv/bin/python -m pytest tests/desk/officer_screenshots.py -p no:cacheprovider -n 0

Builds a small, realistic desk in the test database, signs an officer in and saves PNGs of the
desk, a confirmation page and a concern's reply form, at 1,280 px, with Playwright and
/usr/bin/chromium (tests/conftest.py's browser).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.selectors import profile_for
from meetings.models import Question
from newsletters.models import Newsletter
from programs import services as program_services
from tests.conftest import make_user
from tests.desk.test_desk_browser import _run_action, _sign_in_with_totp
from tests.meetings.conftest import make_meeting
from tests.newsletters.helpers import make_subscription
from tests.programs.conftest import make_program
from watch.models import Concern, WatchGroup

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "officers"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_the_officers_guide_screenshots(page, officer, neighbourhood, other_neighbourhood):
    from tests.conftest import enrol_totp

    secret = enrol_totp(officer)
    now = timezone.now()
    academy = make_program(requires_approval=True, title="Citizen Police Academy", first_session_in=timedelta(days=2))
    for name in ["ana", "bruno", "chen"]:
        program_services.application_submit(program=academy, applicant=make_user(f"{name}@example.com"))
    meeting = make_meeting(
        neighbourhood=neighbourhood, title="Riverside beat meeting", starts_at=now + timedelta(hours=4)
    )
    make_meeting(neighbourhood=other_neighbourhood, title="Old Town town hall", starts_at=now + timedelta(days=2))
    asker = make_user("dolores@example.com")
    profile = profile_for(asker)
    profile.display_name = "Dolores Ruiz"
    profile.save()
    for text in ["When will the street lights on Mill Lane be fixed?", "Can we have more patrols near the school?"]:
        Question.objects.create(meeting=meeting, author=asker, text=text)
    group = WatchGroup.objects.create(
        name="Elm Street Watch", slug="elm-street", neighbourhood=neighbourhood, status="approved"
    )
    concern = Concern.objects.create(
        group=group, reporter=asker, subject="Dark alley behind the library", body="The lamp has been out a week."
    )
    for n in range(12):
        make_subscription(f"reader{n}@example.com", neighbourhoods=[neighbourhood])
    for n in range(5):
        make_subscription(f"lector{n}@example.com", language="es", neighbourhoods=[neighbourhood])
    newsletter = Newsletter.objects.create(
        subject="Bike thefts are down in Riverside",
        body="Thefts fell by a third this autumn. **Lock your bike** to something fixed.",
        audience=Newsletter.Audience.NEIGHBOURHOODS,
        translations={"es": {"subject": "Bajan los robos de bicicletas en Riverside", "body": "**Asegure su bici.**"}},
    )
    newsletter.neighbourhoods.set([neighbourhood])

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in_with_totp(page, officer, secret)
    page.goto("/admin/")
    page.locator("#content-main").screenshot(path=str(OUT / "desk.png"))

    page.goto("/admin/newsletters/newsletter/")
    _run_action(page, newsletter.pk, "send_now")
    page.locator(".desk-confirmation").wait_for()
    page.locator("#content").screenshot(path=str(OUT / "confirmation.png"))

    page.goto(f"/admin/watch/concern/{concern.pk}/change/")
    page.locator("#content").screenshot(path=str(OUT / "concern.png"))

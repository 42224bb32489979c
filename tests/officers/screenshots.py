"""The officers' guide's screenshots (docs/check-in.md), taken in a real browser by bin/screenshots-officers.

Not a test (its name keeps it out of the suite): run it when a screen in the guide changes.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Profile
from meetings.services import rsvp_check_in, rsvp_create
from tests.conftest import enrol_totp, make_user
from tests.meetings.conftest import make_meeting
from tests.officers.desk import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "officers"
PEOPLE = ["Alice Liddell", "Bashir Haddad", "Carmen Ruiz", "Dmitri Volkov", "Esi Mensah"]


def test_check_in_screenshot(browser, live_server, officer):
    enrol_totp(officer)
    meeting = make_meeting(title="Riverside town hall", starts_at=timezone.now() + timedelta(minutes=20), capacity=4)
    rsvps = []
    for name in PEOPLE:
        user = make_user(f"{name.split()[0].lower()}@example.com")
        Profile.objects.update_or_create(user=user, defaults={"display_name": name})
        rsvps.append(rsvp_create(meeting=meeting, user=user))
    rsvp_check_in(meeting=meeting, code=rsvps[1].code, actor=officer)

    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    log_in(context, live_server, officer)
    page = context.new_page()
    page.goto(f"/admin/meetings/meeting/{meeting.pk}/attendance/")
    page.keyboard.type(rsvps[0].code)
    page.keyboard.press("Enter")
    page.get_by_role("status").get_by_text("Checked in now.").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "check-in.png"), full_page=False)
    context.close()

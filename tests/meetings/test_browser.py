"""A resident finds a meeting, registers, downloads the .ics, asks and votes, and afterwards gives feedback."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings.models import FeedbackReceipt, PendingFeedback, Question, QuestionVote, Rsvp
from neighbourhoods.models import Neighbourhood
from tests.conftest import make_user
from tests.helpers import assert_accessible, log_in_in_browser
from tests.meetings.conftest import local, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_meeting_journey(page):
    resident = make_user("maria@example.com")
    neighbour = make_user("li@example.com")
    riverside = Neighbourhood.objects.create(name="Riverside", slug="riverside")
    old_town = Neighbourhood.objects.create(name="Old Town", slug="old-town")
    starts_at = local(2027, 3, 9, 18, 30)
    meeting = make_meeting(title="Riverside town hall", neighbourhood=riverside, starts_at=starts_at, capacity=50)
    make_meeting(title="Old Town beat meeting", neighbourhood=old_town)
    Question.objects.create(
        meeting=meeting, author=neighbour, text="Can we get more lights on Mill Lane?", status="published"
    )
    # A meeting that is over, which Maria attended: feedback is open.
    past = make_meeting(
        title="Winter safety forum",
        neighbourhood=riverside,
        starts_at=timezone.now() - timedelta(days=2),
        minutes="Thirty residents came.",
    )
    Rsvp.objects.create(meeting=past, user=resident)

    log_in_in_browser(page, resident)

    page.goto("/meetings/")
    assert_accessible(page)
    page.get_by_label("Neighbourhood").select_option(label="Riverside")
    page.get_by_role("button", name="Show meetings").click()
    page.wait_for_url("**/meetings/?neighbourhood=riverside*")
    assert page.get_by_role("link", name="Old Town beat meeting").count() == 0
    page.get_by_role("link", name="Riverside town hall").click()

    page.get_by_role("heading", name="Riverside town hall", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="I will attend").click()
    page.get_by_text("You are registered.").wait_for()
    rsvp = Rsvp.objects.get(meeting=meeting, user=resident)
    assert rsvp.status == Rsvp.Status.GOING
    page.get_by_text(rsvp.code, exact=True).wait_for()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"{meeting.slug}.ics"
    with open(download.path(), "rb") as ics:
        (event,) = Calendar.from_ical(ics.read()).walk("VEVENT")
    assert event.decoded("dtstart") == starts_at
    assert event["dtstart"].params["TZID"] == "America/Chicago"

    page.get_by_label("Your question").fill("Will the community centre stay open late?")
    page.get_by_role("button", name="Send my question").click()
    page.get_by_text("Your question will appear once an officer has reviewed it.").wait_for()
    assert Question.objects.filter(author=resident, status="pending").count() == 1

    page.get_by_role("button", name="Vote for this question").click()
    page.get_by_text("Your vote is counted.").wait_for()
    page.get_by_text("1 vote", exact=True).wait_for()
    assert QuestionVote.objects.filter(user=resident).count() == 1
    assert_accessible(page)

    page.goto("/meetings/calendar/2027/3/")
    page.get_by_role("heading", name="Meetings in March 2027").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="6:30 PM CST Riverside town hall").wait_for()

    page.goto("/meetings/?when=past")
    assert_accessible(page)
    page.get_by_role("link", name="Winter safety forum").click()
    page.wait_for_url(f"**/meetings/{past.slug}/")
    page.get_by_text("Thirty residents came.").wait_for()
    page.get_by_role("link", name="Tell us how it went").click()
    page.get_by_role("heading", name="How was “Winter safety forum”?").wait_for()
    assert_accessible(page)
    for aspect, score in [
        ("Useful information", "4"),
        ("Officers listened", "5"),
        ("Well organised", "3"),
        ("Overall", "4"),
    ]:
        page.get_by_role("group", name=aspect).get_by_label(score, exact=True).check()
    page.get_by_role("group", name="Was the concern you came with addressed?").get_by_label("Partly").check()
    page.get_by_label("Anything else you want to tell us?").fill("More chairs, please.")
    page.get_by_label("Send my feedback anonymously").check()
    page.get_by_role("button", name="Send my feedback").click()
    page.get_by_text("Thank you for your feedback.").wait_for()
    assert_accessible(page)
    # Anonymous: it waits, with no user and no time, for a batch to be released with others.
    feedback = PendingFeedback.objects.get(meeting=past)
    assert (feedback.rating_listening, feedback.comment) == (5, "More chairs, please.")
    assert FeedbackReceipt.objects.filter(meeting=past, user=resident).exists()

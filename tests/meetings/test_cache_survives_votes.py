"""Votes and RSVPs do not keep the meeting pages' cache empty: the numbers they change are at most
PUBLIC_PAGE_COUNTS_SECONDS behind, and residents cannot toggle them without limit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from meetings.models import Question, QuestionVote, Rsvp
from meetings.services import question_vote_toggle, rsvp_create
from portal.cache import CACHE_STATUS_HEADER
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db

COUNTS_SECONDS = 30
# The start of a counts window, so "within the window" is exact.
WINDOW_START = datetime(2030, 3, 4, 15, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120
    settings.PUBLIC_PAGE_COUNTS_SECONDS = COUNTS_SECONDS


@pytest.fixture
def frozen():
    with time_machine.travel(WINDOW_START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting_with_a_question(frozen, other_resident):
    meeting = make_meeting(title="Riverside town hall", capacity=50)
    question = Question.objects.create(
        meeting=meeting, author=other_resident, text="When will Mill Lane be lit?", status=Question.Status.PUBLISHED
    )
    return meeting, question


def visit(client, url) -> tuple[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return response[CACHE_STATUS_HEADER], response.content.decode()


def test_a_stream_of_votes_and_rsvps_invalidates_the_pages_at_most_once_per_window(
    client, frozen, meeting_with_a_question, django_capture_on_commit_callbacks
):
    meeting, question = meeting_with_a_question
    urls = ["/meetings/", f"/meetings/{meeting.slug}/"]
    for url in urls:
        visit(client, url)
        assert visit(client, url)[0] == "hit"
    frozen.shift(1)
    misses = dict.fromkeys(urls, 0)
    for number in range(20):
        voter = make_user(f"voter{number}@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            question_vote_toggle(question=question, user=voter)
            if number < 5:
                rsvp_create(meeting=meeting, user=voter)
        for url in urls:
            misses[url] += visit(client, url)[0] == "miss"
    # The first change of the window invalidates once; the next nineteen leave the cache alone.
    assert misses == dict.fromkeys(urls, 1)

    # Once the window is over, the pages show the true numbers.
    frozen.shift(COUNTS_SECONDS)
    status, detail = visit(client, f"/meetings/{meeting.slug}/")
    assert status == "miss"
    assert "20 votes" in detail and "45 of 50 seats left" in detail
    status, listing = visit(client, "/meetings/")
    assert status == "miss" and "45 seats left" in listing
    # And then they are kept again.
    for url in urls:
        assert visit(client, url)[0] == "hit"


def test_the_numbers_shown_are_never_more_than_the_window_behind(
    client, frozen, meeting_with_a_question, resident, django_capture_on_commit_callbacks
):
    meeting, question = meeting_with_a_question
    url = f"/meetings/{meeting.slug}/"
    visit(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        question_vote_toggle(question=question, user=resident)
    assert "1 vote" in visit(client, url)[1]
    # A second change in the same window is not shown at once…
    frozen.shift(5)
    with django_capture_on_commit_callbacks(execute=True):
        question_vote_toggle(question=question, user=make_user("second@example.com"))
        rsvp_create(meeting=meeting, user=resident)
    status, content = visit(client, url)
    assert status == "hit" and "1 vote" in content and "50 of 50 seats left" in content
    # …but by the end of the window, with no other write to trigger it.
    frozen.move_to(WINDOW_START + timedelta(seconds=COUNTS_SECONDS))
    status, content = visit(client, url)
    assert status == "miss" and "2 votes" in content and "49 of 50 seats left" in content
    assert QuestionVote.objects.count() == 2


def test_an_officer_edit_still_shows_at_once(
    client, frozen, officer, meeting_with_a_question, resident, django_capture_on_commit_callbacks
):
    from meetings.services import meeting_save

    meeting, question = meeting_with_a_question
    url = f"/meetings/{meeting.slug}/"
    with django_capture_on_commit_callbacks(execute=True):
        question_vote_toggle(question=question, user=resident)
    visit(client, url)
    meeting.title = "Riverside town hall (moved to the library)"
    with django_capture_on_commit_callbacks(execute=True):
        meeting_save(meeting=meeting, actor=officer)
    status, content = visit(client, url)
    assert status == "miss" and "moved to the library" in content


def test_vote_toggling_is_limited_per_resident(
    resident_client, resident, other_resident, settings, meeting_with_a_question
):
    settings.MEETINGS_VOTE_LIMIT = 4
    settings.MEETINGS_VOTE_LIMIT_SECONDS = 600
    meeting, question = meeting_with_a_question
    url = f"/meetings/{meeting.slug}/questions/{question.code}/vote/"
    for _number in range(4):
        resident_client.post(url)
    assert not QuestionVote.objects.exists()  # four toggles: voted, withdrawn, voted, withdrawn
    refused = resident_client.post(url, follow=True).content.decode()
    assert "You have done this too many times. Please try again in 10 minutes." in refused
    assert not QuestionVote.objects.exists()
    # Another resident is not affected.
    resident_client.force_login(make_user("neighbour@example.com"))
    resident_client.post(url)
    assert QuestionVote.objects.count() == 1


def test_rsvp_toggling_is_limited_per_resident(resident_client, resident, settings, meeting_with_a_question):
    settings.MEETINGS_RSVP_LIMIT = 3
    settings.MEETINGS_RSVP_LIMIT_SECONDS = 3600
    meeting, _question = meeting_with_a_question
    resident_client.post(f"/meetings/{meeting.slug}/rsvp/")
    resident_client.post(f"/meetings/{meeting.slug}/rsvp/cancel/")
    resident_client.post(f"/meetings/{meeting.slug}/rsvp/")
    refused = resident_client.post(f"/meetings/{meeting.slug}/rsvp/cancel/", follow=True).content.decode()
    assert "Please try again in 60 minutes." in refused
    assert Rsvp.objects.get(user=resident).status == Rsvp.Status.GOING


def test_the_refusal_is_translated(resident_client, settings, meeting_with_a_question):
    settings.MEETINGS_RSVP_LIMIT = 0
    meeting, _question = meeting_with_a_question
    refused = resident_client.post(
        f"/meetings/{meeting.slug}/rsvp/", follow=True, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Lo ha hecho demasiadas veces" in refused
    assert not Rsvp.objects.exists()

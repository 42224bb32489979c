from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Question, QuestionVote
from meetings.services import QUESTIONS_PER_PERSON, MeetingError, question_submit, question_vote_toggle
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def published_question(meeting, author, text="How will the new patrol schedule work?"):
    return Question.objects.create(meeting=meeting, author=author, text=text, status=Question.Status.PUBLISHED)


def test_question_waits_for_moderation(resident_client, meeting, resident):
    response = resident_client.post(
        f"/meetings/{meeting.slug}/questions/", {"text": "Can we get more patrols on Mill Lane?"}, follow=True
    )
    question = Question.objects.get()
    assert (question.author, question.status) == (resident, Question.Status.PENDING)
    content = response.content.decode()
    assert "reviewed" in content
    # The author sees their own pending question; others do not.
    assert "Can we get more patrols on Mill Lane?" in content
    resident_client.logout()
    assert "Can we get more patrols" not in resident_client.get(f"/meetings/{meeting.slug}/").content.decode()


@pytest.mark.parametrize(("text", "message"), [("Why?", "at least"), ("x" * 501, "under 500")])
def test_question_length_limits(meeting, resident, text, message):
    with pytest.raises(MeetingError, match=message):
        question_submit(meeting=meeting, user=resident, text=text)
    assert not Question.objects.exists()


def test_question_spam_is_limited_per_person_and_meeting(meeting, resident, other_resident):
    for index in range(QUESTIONS_PER_PERSON):
        question_submit(meeting=meeting, user=resident, text=f"Question number {index} about parking")
    with pytest.raises(MeetingError, match="up to 3 questions"):
        question_submit(meeting=meeting, user=resident, text="One more question about parking")
    question_submit(meeting=meeting, user=other_resident, text="Question number 0 about parking")
    with pytest.raises(MeetingError, match="already asked"):
        question_submit(meeting=meeting, user=other_resident, text="question   number 0 about PARKING")
    # Another meeting has its own allowance.
    question_submit(meeting=make_meeting(), user=resident, text="A question for another meeting")


def test_question_form_errors_are_shown(resident_client, meeting):
    response = resident_client.post(f"/meetings/{meeting.slug}/questions/", {"text": "Hm"}, follow=True)
    assert "at least 10 characters" in response.content.decode()
    assert not Question.objects.exists()


def test_no_questions_once_the_meeting_started(resident):
    meeting = make_meeting(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(MeetingError, match="already started"):
        question_submit(meeting=meeting, user=resident, text="Is it too late to ask?")


def test_vote_toggles_and_counts_once(resident_client, meeting, resident, other_resident):
    question = published_question(meeting, other_resident)
    url = f"/meetings/{meeting.slug}/questions/{question.code}/vote/"
    content = resident_client.post(url, follow=True).content.decode()
    assert "Your vote is counted" in content and "1 vote" in content and "Withdraw my vote" in content
    assert QuestionVote.objects.filter(question=question, user=resident).count() == 1
    content = resident_client.post(url, follow=True).content.decode()
    assert "Your vote is withdrawn" in content and "0 votes" in content
    assert not QuestionVote.objects.exists()


def test_questions_are_ordered_by_votes(client, meeting, resident, other_resident):
    quiet = published_question(meeting, resident, "A quiet question about bins")
    popular = published_question(meeting, resident, "A popular question about lights")
    question_vote_toggle(question=popular, user=other_resident)
    content = client.get(f"/meetings/{meeting.slug}/").content.decode()
    assert content.index(popular.text) < content.index(quiet.text)


def test_voting_twice_is_impossible_even_bypassing_the_toggle(meeting, resident, other_resident):
    from django.db import IntegrityError, transaction

    question = published_question(meeting, other_resident)
    QuestionVote.objects.create(question=question, user=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionVote.objects.create(question=question, user=resident)


def test_vote_denials(meeting, resident, other_resident):
    own = published_question(meeting, resident)
    with pytest.raises(MeetingError, match="your own"):
        question_vote_toggle(question=own, user=resident)
    pending = Question.objects.create(meeting=meeting, author=other_resident, text="Pending question text")
    with pytest.raises(MeetingError, match="not open"):
        question_vote_toggle(question=pending, user=resident)
    past = make_meeting(starts_at=timezone.now() - timedelta(days=1))
    closed = published_question(past, other_resident)
    with pytest.raises(MeetingError, match="closed"):
        question_vote_toggle(question=closed, user=resident)
    assert not QuestionVote.objects.exists()


def test_vote_view_denials(client, resident_client, meeting, other_resident):
    question = published_question(meeting, other_resident)
    url = f"/meetings/{meeting.slug}/questions/{question.code}/vote/"
    assert resident_client.get(url).status_code == 405
    assert resident_client.post(f"/meetings/{meeting.slug}/questions/NOPE/vote/").status_code == 404
    other = make_meeting()
    assert resident_client.post(f"/meetings/{other.slug}/questions/{question.code}/vote/").status_code == 404
    client.logout()
    assert client.post(url).status_code == 302
    assert not QuestionVote.objects.exists()

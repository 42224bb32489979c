"""Each status change reaches each distinct person concerned once: never twice, in their language."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection

from accounts.models import Profile
from accounts.roles import OFFICERS
from actions import services, tasks
from actions.models import ActionItem
from meetings.models import FeedbackResponse, Question
from newsletters.models import Suppression
from outbox.models import Email
from tests.actions.conftest import add_attendees, add_voters
from tests.conftest import make_user
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded_question(question):
    """The asker, 40 voters and 20 attendees, 10 of whom also voted: 1 + 40 + 10 = 51 people."""
    voters = add_voters(question, 40)
    others = [make_user(f"attendee{n}@example.com") for n in range(10)]
    add_attendees(question.meeting, voters[:10] + others)
    return question


def test_a_status_change_queues_one_e_mail_per_distinct_person(officer, crowded_question):
    action = services.create_action(by=officer, title="Lights", source=crowded_question)

    update = services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)

    emails = Email.objects.filter(idempotency_key__startswith=f"actions:status:{update.pk}:")
    assert emails.count() == 51
    assert len(set(emails.values_list("to", flat=True))) == 51


def test_a_double_submit_and_a_retried_task_send_nothing_twice(officer, crowded_question):
    action = services.create_action(by=officer, title="Lights", source=crowded_question)
    update = services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)
    with pytest.raises(services.ActionError):  # the second click of a double submit
        services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)

    assert tasks.notify_status_change.apply(args=[update.pk]).get() == 51  # a retried fan-out
    assert services.notify_status_change(update_id=update.pk) == 51

    assert Email.objects.count() == 51


def test_followers_join_and_no_one_hears_twice(officer, question, resident, other_resident):
    action = services.create_action(by=officer, title="Lights", source=question)
    services.follow(action, resident)  # the asker follows too
    services.follow(action, other_resident)

    services.change_status(action, by=officer, status=ActionItem.Status.IN_PROGRESS)

    assert sorted(Email.objects.values_list("to", flat=True)) == ["alice@example.com", "bob@example.com"]


def test_the_e_mail_is_in_each_person_s_language(
    officer, question, resident, other_resident, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=other_resident, preferred_language="es")
    action = services.create_action(
        by=officer, title="Lights", source=question, translations={"es": {"title": "Luces"}}
    )
    services.follow(action, other_resident)

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(action, by=officer, status=ActionItem.Status.DONE, note="Fixed on Monday.")

    assert dict(Email.objects.values_list("to", "language")) == {"alice@example.com": "en", "bob@example.com": "es"}
    sent = {message.to[0]: message for message in mail.outbox}
    assert "Lights" in sent["alice@example.com"].subject and "Done" in sent["alice@example.com"].subject
    assert "Luces" in sent["bob@example.com"].subject
    assert "Fixed on Monday." in sent["alice@example.com"].body
    assert action.get_absolute_url() in sent["alice@example.com"].body


def test_suppressed_addresses_and_inactive_accounts_get_nothing(officer, question, resident, other_resident):
    Suppression.objects.create(email="bob@example.com", reason=Suppression.Reason.MANUAL)
    gone = make_user("gone@example.com", is_active=False)
    action = services.create_action(by=officer, title="Lights", source=question)
    services.follow(action, other_resident)
    services.follow(action, gone)

    services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)

    assert list(Email.objects.values_list("to", flat=True)) == ["alice@example.com"]


def test_feedback_actions_reach_every_attendee_never_only_those_who_gave_feedback(officer, meeting, resident):
    # Whoever gave (possibly anonymous) feedback, the audience is the meeting's attendees as a whole.
    attendees = [make_user(f"came{n}@example.com") for n in range(3)]
    add_attendees(meeting, attendees)
    response = FeedbackResponse.objects.create(meeting=meeting, summary="Too dark by the park.")
    action = services.create_action(by=officer, title="Lights", source=response)

    assert services.audience_ids(action) == {user.pk for user in attendees}


@pytest.mark.postgres
def test_two_officers_clicking_the_same_change_at_once_send_each_person_one_e_mail(transactional_db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # delivery is not what this test is about
    officer = make_user("officer.race@example.com", is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    asker = make_user("asker@example.com")
    meeting = make_meeting()
    question = Question.objects.create(meeting=meeting, author=asker, text="Lights?")
    voters = add_voters(question, 5)
    add_attendees(meeting, [*voters[:2], make_user("came@example.com")])
    action = services.create_action(by=officer, title="Lights", source=question)
    barrier = threading.Barrier(4)
    outcomes = []

    def click():
        try:
            barrier.wait()
            services.change_status(ActionItem.objects.get(pk=action.pk), by=officer, status="planned")
            outcomes.append("changed")
        except services.ActionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["changed", "refused", "refused", "refused"]
    assert Email.objects.count() == 7  # the asker, five voters, one attendee who did not vote
    assert len(set(Email.objects.values_list("to", flat=True))) == 7

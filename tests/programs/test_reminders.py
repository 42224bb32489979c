from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from programs import services
from programs.models import ProgramSession
from programs.tasks import send_session_reminders
from tests.conftest import make_user
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def test_reminders_run_hourly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["programs-session-reminders"]
    assert entry["task"] == "programs.tasks.send_session_reminders"
    assert entry["schedule"] <= 3600


def test_each_seated_applicant_is_reminded_once_the_day_before(django_capture_on_commit_callbacks):
    program = make_program(capacity=2, first_session_in=timedelta(hours=20))
    seated = [services.application_submit(program=program, applicant=make_user(f"r{n}@example.com")) for n in range(3)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["r0@example.com", "r1@example.com"]
    assert all(m.subject.startswith("Reminder: Week 1 on ") for m in mail.outbox)
    assert "Police HQ, 100 Main Street" in mail.outbox[0].body

    # The next hourly run, and the one after, send nothing new.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 0
        assert services.session_reminders_send(now=timezone.now() + timedelta(hours=1)) == 0
    assert mail.outbox == []
    assert seated[2].status == "waitlisted"


def test_sessions_further_away_or_past_get_no_reminder_yet(django_capture_on_commit_callbacks):
    later = make_program(first_session_in=timedelta(hours=30))
    past = make_program(first_session_in=timedelta(hours=-2))
    for program in (later, past):
        services.application_submit(program=program, applicant=make_user(f"x{program.pk}@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 0
    # A day later, the later session is due.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_reminders_send(now=timezone.now() + timedelta(hours=10)) == 1


def test_a_person_in_a_weekly_program_is_reminded_of_each_session(django_capture_on_commit_callbacks):
    program = make_program(sessions=2, first_session_in=timedelta(hours=12))
    services.application_submit(program=program, applicant=make_user("weekly@example.com"))
    second = ProgramSession.objects.filter(program=program).order_by("starts_at").last()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 1
        assert services.session_reminders_send(now=second.starts_at - timedelta(hours=5)) == 1
    assert [m.subject.split(" on ")[0] for m in mail.outbox[-2:]] == ["Reminder: Week 1", "Reminder: Week 2"]

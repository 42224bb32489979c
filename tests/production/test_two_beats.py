"""Two of every process: two beats (started by mistake) firing every scheduled job at the same
moments for three simulated days, each also delivering the e-mails it queues as a worker would,
against one PostgreSQL. Every reminder, digest, feedback request, tip-reviewer notice and
retention purge happens exactly once.

The beats are two threads that each walk ``CELERY_BEAT_SCHEDULE`` as celery beat does (a job runs
when its interval has passed since that beat last ran it) and start each due job at the same
instant (a barrier), with the clock moved by time-machine, which real beat processes cannot
share. Tasks run eagerly in the thread that fired them, so each thread is also a worker: the
e-mails they queue are claimed and sent by whichever gets there first.
"""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from meetings.models import ReminderDelivery
from meetings.services import rsvp_create
from newsletters.models import DigestDelivery, Subscription
from outbox.models import Email
from portal.celery import app as celery_app
from programs import services as program_services
from tests.conftest import make_user
from tests.meetings.conftest import local, make_meeting
from tests.programs.conftest import make_program
from tips.models import Tip, TipCategory
from tips.services import tip_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = local(2026, 6, 8, 0, 30)  # a Monday night in the city's time zone: one digest week
DAYS = 3
TICK = timedelta(minutes=15)


class Beat:
    """One beat's memory of when it last started each job, as celery beat keeps it."""

    def __init__(self):
        self.last_run: dict[str, object] = {}

    def due(self, now) -> list[str]:
        names = []
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            last = self.last_run.get(name)
            if last is None or (now - last).total_seconds() >= entry["schedule"]:
                self.last_run[name] = now
                names.append(name)
        return names


def run_two_beats(start, end) -> list[BaseException]:
    celery_app.loader.import_default_modules()  # every app's tasks, as a beat's worker has them
    beats, errors = [Beat(), Beat()], []
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            jobs = [beat.due(timezone.now()) for beat in beats]
            together = threading.Barrier(2)

            def fire(names, together):
                try:
                    for name in names:
                        together.wait(30)  # both beats start the same job at the same instant
                        celery_app.tasks[settings.CELERY_BEAT_SCHEDULE[name]["task"]].delay()
                except BaseException as error:  # reported by the test; a thread's error would vanish
                    together.abort()
                    errors.append(error)
                finally:
                    connection.close()

            threads = [threading.Thread(target=fire, args=(names, together)) for names in jobs]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        moment += TICK
    return errors


def test_two_beats_and_their_workers_do_each_scheduled_thing_exactly_once(tip_reviewer, settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    with time_machine.travel(START - timedelta(days=20), tick=False):
        meeting = make_meeting(title="Riverside town hall", starts_at=local(2026, 6, 9, 18, 0))  # Tuesday 6 pm
        attendees = [make_user(f"attendee{n}@example.com") for n in range(3)]
        for attendee in attendees:
            rsvp_create(meeting=meeting, user=attendee)
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        program = make_program(first_session_in=timedelta(days=2))  # Tuesday 11 am
        applicants = [make_user(f"applicant{n}@example.com") for n in range(2)]
        for applicant in applicants:
            program_services.application_submit(program=program, applicant=applicant)
        for n in range(4):
            Subscription.objects.create(
                email=f"reader{n}@example.com", status=Subscription.Status.ACTIVE, confirmed_at=timezone.now()
            )
    with time_machine.travel(local(2026, 6, 8, 1, 10), tick=False):
        tip_create(
            # get_or_create: a transactional test may start without the data migration's rows.
            category=TipCategory.objects.get_or_create(slug="theft", defaults={"name": "Theft"})[0],
            what="Bikes stolen behind the laundromat",
            where="",
            when="",
            neighbourhood=None,
            files=[],
            receipt_phrase="laundromat",
        )
    old = [
        Email.objects.create(to=f"old{n}@example.com", template="t", idempotency_key=f"old:{n}", status="sent")
        for n in range(5)
    ]
    Email.objects.filter(pk__in=[email.pk for email in old]).update(created_at=START - timedelta(days=40))
    mail.outbox.clear()

    errors = run_two_beats(START, START + timedelta(days=DAYS))

    assert errors == []
    sent = Counter((message.to[0], message.subject, message.body) for message in mail.outbox)
    twice = {key[:2]: count for key, count in sent.items() if count > 1}
    assert twice == {}, twice
    recipients = Counter(message.to[0] for message in mail.outbox)
    # Meeting: a 24-hour and a 1-hour reminder, then a feedback request, to each attendee.
    assert ReminderDelivery.objects.count() == 6
    for attendee in attendees:
        assert recipients[attendee.email] == 3, [m.subject for m in mail.outbox if m.to == [attendee.email]]
    # Program: one session reminder each, the day before.
    for applicant in applicants:
        reminders = [m for m in mail.outbox if m.to == [applicant.email] and m.subject.startswith("Reminder")]
        assert len(reminders) == 1
    # Weekly digest: once each, on the Monday.
    assert DigestDelivery.objects.count() == 4
    for n in range(4):
        assert recipients[f"reader{n}@example.com"] == 1
    # The tip reviewer: one notice for the tip's hour.
    assert recipients[tip_reviewer.email] == 1
    assert Tip.objects.get().reviewers_notified
    # Retention: the month-old rows are gone, every row of these three days is still there and sent.
    assert not Email.objects.filter(pk__in=[email.pk for email in old]).exists()
    assert Email.objects.filter(sent_at__gte=START).count() == len(mail.outbox)
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}

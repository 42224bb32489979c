"""Two of every process: two web servers (gunicorn, each with its own ``PRECINCT_VAR_DIR``) and two
beats (started by mistake) firing every scheduled job at the same moments for three simulated
days, each also delivering the e-mails it queues as a worker would, against one PostgreSQL and
Redis. Residents sign in and RSVP on one web server or the other; a finding's photo uploaded
through one is shown by the other, and the audit report's PDF is made by either: nothing a request
needs lives on one machine's disk (uploads go to the shared ``MEDIA_ROOT``, as docs/deploy.md says).
Every reminder, digest, feedback request, tip-reviewer notice and retention purge happens exactly once.

The beats are two threads that each walk ``CELERY_BEAT_SCHEDULE`` as celery beat does (a job runs
when its interval has passed since that beat last ran it) and start each due job at the same
instant (a barrier), with the clock moved by time-machine, which real beat processes cannot
share. Tasks run eagerly in the thread that fired them, so each thread is also a worker: the
e-mails they queue are claimed and sent by whichever gets there first.
"""

import http.cookies
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.db import connection
from django.utils import timezone

from audits import services as audit_services
from audits.models import FindingPhoto
from meetings.models import ReminderDelivery, Rsvp
from newsletters.models import DigestDelivery, Subscription
from outbox.models import Email
from portal.celery import app as celery_app
from programs import services as program_services
from tests.audits.conftest import check_in, default_template, jpeg_with_gps, make_walk
from tests.conftest import PASSWORD, make_user
from tests.helpers import database_url_of_the_test_database, free_port, wait_for
from tests.meetings.conftest import local, make_meeting
from tests.production.test_deployment import TEST_ONLY_VARIABLES
from tests.programs.conftest import make_program
from tips.models import Tip, TipCategory
from tips.services import tip_create

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DAYS = 3
TICK = timedelta(minutes=15)


def next_monday_night():
    """00:30 on a Monday at least two days ahead, in the city's time zone: one digest week, and days
    enough before it for residents to RSVP through the web servers, which run on the real clock."""
    day = timezone.localdate() + timedelta(days=2)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return local(day.year, day.month, day.day, 0, 30)


class WebServer:
    """A gunicorn web server with production settings, its own ``PRECINCT_VAR_DIR`` (what one machine
    keeps to itself) and the shared ``MEDIA_ROOT``, database and Redis, as docs/deploy.md sets them."""

    def __init__(self, environment: dict[str, str], *, var_dir: Path):
        self.var_dir = var_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**environment, "PRECINCT_VAR_DIR": str(var_dir), "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers=1", "portal.wsgi"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_until_up(self) -> None:
        wait_for(
            lambda: self.process.poll() is None and _answers(self.base + "/health/live"), 60, "gunicorn did not start"
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One resident's cookies, sent to whichever web server they ask (a load balancer's choice)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirects)

    def request(self, server: WebServer, path: str, *, data: bytes | None = None, content_type: str = ""):
        request = urllib.request.Request(server.base + path, data=data)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, response.read()

    def post(self, server: WebServer, path: str, fields: dict, files: dict | None = None):
        self.request(server, path)  # the form: its CSRF cookie
        fields = {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        if files is None:
            return self.request(
                server,
                path,
                data=urllib.parse.urlencode(fields).encode(),
                content_type="application/x-www-form-urlencoded",
            )
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        for name, (filename, content) in files.items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(f"{head}Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(server, path, data=body, content_type=f"multipart/form-data; boundary={boundary}")

    def sign_in(self, server: WebServer, user) -> None:
        # Hashed as production hashes (the test settings' fast hasher is not among production's).
        hasher = Argon2PasswordHasher()
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
        status, _, _ = self.post(server, "/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert status == 302, f"{user.email} could not sign in"


def machine_environment(tmp_path: Path) -> dict[str, str]:
    """What every web machine is given alike (docs/deploy.md): the same secrets, database, Redis and
    shared ``MEDIA_ROOT``; each its own identical copy of the static files, collected here once."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,  # sessions are sealed with it
        TIP_ENCRYPTION_KEYS=",".join(settings.TIP_ENCRYPTION_KEYS),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url_of_the_test_database(),
        REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(tmp_path / "shared-media"),  # the mount every machine shares (NFS, or an object store)
        STATIC_ROOT=str(tmp_path / "static"),
        PRECINCT_VAR_DIR=str(tmp_path / "var-deploy"),
        DJANGO_SETTINGS_MODULE="portal.settings",
        GUNICORN_ACCESS_LOG="",
    )
    return env


@pytest.fixture
def two_web_servers(tmp_path):
    environment = machine_environment(tmp_path)
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, cwd=ROOT, env=environment, check=True, timeout=120)
    servers = [WebServer(environment, var_dir=tmp_path / f"var-{name}") for name in "ab"]
    try:
        for server in servers:
            server.wait_until_up()
        yield servers
    finally:
        for server in servers:
            server.stop()


# The hourly figures job recomputes every month of the last years (seconds each time, more in
# December): here both beats start it every six hours, which still runs it twice at once, 12 times.
SLOWER_IN_THIS_TEST = {"transparency-compute": 6 * 3600}


class Beat:
    """One beat's memory of when it last started each job, as celery beat keeps it."""

    def __init__(self):
        self.last_run: dict[str, object] = {}

    def due(self, now) -> list[str]:
        names = []
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            last = self.last_run.get(name)
            interval = SLOWER_IN_THIS_TEST.get(name, entry["schedule"])
            if last is None or (now - last).total_seconds() >= interval:
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


def test_two_web_servers_and_two_beats_do_each_thing_once_and_keep_nothing_on_one_disk(
    two_web_servers, tip_reviewer, officer, settings
):
    web_a, web_b = two_web_servers
    start = next_monday_night()
    settings.OUTBOX_RETENTION_DAYS = 30
    # Residents sign in on one web server and RSVP on the other: their session is in the shared stores.
    meeting = make_meeting(title="Riverside town hall", starts_at=start + timedelta(hours=41, minutes=30))  # Tue 6 pm
    attendees = [make_user(f"attendee{n}@example.com") for n in range(3)]
    for number, attendee in enumerate(attendees):
        browser = Browser()
        browser.sign_in(two_web_servers[number % 2], attendee)
        status, headers, _ = browser.post(two_web_servers[(number + 1) % 2], f"/meetings/{meeting.slug}/rsvp/", {})
        assert (status, headers["Location"]) == (302, f"/meetings/{meeting.slug}/")
    assert Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING).count() == 3

    # A finding's photo uploaded through web A is shown by web B; the report's PDF is made by either.
    walk = make_walk(area="Mill Lane underpass")
    walker = make_user("walker@example.com")
    check_in(walk, walker)
    browser = Browser()
    browser.sign_in(web_a, walker)
    item = default_template().items.first()
    status, _, _ = browser.post(
        web_a,
        f"/safety-audits/{walk.meeting.slug}/findings/new/",
        {f"item_{item.pk}": "urgent", f"item_{item.pk}_note": "Two lamps out", "notes": "The underpass is dark"},
        files={"photos": ("IMG_0001.jpg", jpeg_with_gps())},
    )
    assert status == 302
    photo = FindingPhoto.objects.get()
    shown = [browser.request(server, f"/safety-audits/photos/{photo.pk}/") for server in (web_b, web_a)]
    assert [(status, headers["Content-Type"]) for status, headers, _ in shown] == [(200, photo.content_type)] * 2
    assert shown[0][2] == shown[1][2] and len(shown[0][2]) == photo.size
    audit_services.finding_review(finding=photo.finding, by=officer)
    with time_machine.travel(walk.meeting.ends_at + timedelta(minutes=1), tick=False):
        audit_services.walk_report_publish(walk=walk, by=officer)
    for server in (web_b, web_a):
        status, headers, pdf = Browser().request(server, f"/safety-audits/{walk.meeting.slug}/report.pdf")
        assert (status, headers["Content-Type"], pdf[:5]) == (200, "application/pdf", b"%PDF-")
    # Neither machine's own folder holds anything a request wrote.
    assert [path for server in two_web_servers for path in server.var_dir.rglob("*") if path.is_file()] == []

    with time_machine.travel(start - timedelta(hours=1), tick=False):
        program = make_program(first_session_in=timedelta(days=2))  # Tuesday 11 am
        applicants = [make_user(f"applicant{n}@example.com") for n in range(2)]
        for applicant in applicants:
            program_services.application_submit(program=program, applicant=applicant)
        for n in range(4):
            Subscription.objects.create(
                email=f"reader{n}@example.com", status=Subscription.Status.ACTIVE, confirmed_at=timezone.now()
            )
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
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
    Email.objects.filter(pk__in=[email.pk for email in old]).update(created_at=start - timedelta(days=40))
    mail.outbox.clear()

    errors = run_two_beats(start, start + timedelta(days=DAYS))

    assert errors == []
    sent = Counter((message.to[0], message.subject, message.body) for message in mail.outbox)
    twice = {key[:2]: count for key, count in sent.items() if count > 1}
    assert twice == {}, twice
    recipients = Counter(message.to[0] for message in mail.outbox)
    # Meeting: the RSVP's confirmation (queued by a web server, sent by a worker), a 24-hour and a
    # 1-hour reminder, then a feedback request, to each attendee.
    assert ReminderDelivery.objects.filter(rsvp__meeting=meeting).count() == 6
    for attendee in attendees:
        subjects = sorted(m.subject for m in mail.outbox if m.to == [attendee.email])
        assert [subject.split(":")[0] for subject in subjects] == [
            "How was Riverside town hall?",
            "Reminder",
            "Reminder",
            "You are registered",
        ], subjects
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
    assert Email.objects.filter(sent_at__gte=start).count() == len(mail.outbox)
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}

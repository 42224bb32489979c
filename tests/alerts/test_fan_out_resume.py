"""An alert's fan-out whose worker died (or never got its task) is started again by beat within seconds."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from alerts import services
from alerts.services import alert_publish, alerts_deliveries_resume
from tests.alerts.conftest import make_subscription

pytestmark = pytest.mark.django_db


def test_a_fan_out_that_never_ran_is_started_again_once_its_heartbeat_is_stale(
    officer, neighbourhood, alert_for_a, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood)
    make_subscription("ben@example.com", neighbourhood)
    # The task is lost: its worker died with it (Redis would give it back only after its visibility timeout).
    with django_capture_on_commit_callbacks(execute=False):
        revision = alert_publish(actor=officer, alert=alert_for_a)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_deliveries_resume() == 0  # too soon: it may still be on its way
    later = timezone.now() + services.FANOUT_STALE_AFTER + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert alerts_deliveries_resume() == 1
        assert alerts_deliveries_resume() == 0  # claimed: the next beat tick waits
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.com", "ben@example.com"]
    revision.refresh_from_db()
    assert revision.fanout_completed_at is not None

    # Done: never started again, however stale.
    with (
        time_machine.travel(later + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert alerts_deliveries_resume() == 0
    assert len(mail.outbox) == 2


def test_a_live_fan_out_and_an_old_revision_are_left_alone(officer, neighbourhood, alert_for_a):
    revision = alert_publish(actor=officer, alert=alert_for_a)  # eager: delivered and completed
    revision.fanout_completed_at = None
    revision.fanout_heartbeat_at = timezone.now()
    revision.save()
    assert alerts_deliveries_resume() == 0  # its heartbeat is fresh
    with time_machine.travel(timezone.now() + services.FANOUT_RESUME_WINDOW + timedelta(minutes=1), tick=False):
        assert alerts_deliveries_resume() == 0  # an hour-old alert is no longer news


def test_beat_looks_for_stopped_fan_outs_every_ten_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["alerts-resume"]
    assert entry["task"] == "alerts.tasks.resume_alert_deliveries"
    assert entry["schedule"] <= 10

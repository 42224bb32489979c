"""Beat tasks: reviewers hear of new tips once their hour is over; closed tips go after retention."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.conftest import make_user
from tests.tips.conftest import jpeg_with_gps, settle_tips, submit_tip
from tips import tasks
from tips.attachments import attachment_clean
from tips.models import Tip, TipAttachment, TipAuditEntry, TipCategory, TipMessage, TipNote, UsedFormToken
from tips.services import tip_create, tip_note_add, tip_reply, tip_triage

pytestmark = pytest.mark.django_db


def make_tip(what, files):
    return tip_create(
        category=TipCategory.objects.first(),
        what=what,
        where="",
        when="",
        neighbourhood=None,
        files=files,
        receipt_phrase=what,
    )


def test_reviewers_get_one_content_free_email_after_the_hour(
    client, tip_reviewer, officer, time_machine, django_capture_on_commit_callbacks
):
    inactive = make_user("gone.reviewer@example.com", is_staff=True, is_active=False)
    inactive.groups.add(*tip_reviewer.groups.all())
    time_machine.move_to("2026-04-01 14:10Z", tick=False)
    submit_tip(client, what="Content that must not be e-mailed")
    submit_tip(client, what="Another one")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_reviewers_of_new_tips()  # the hour is not over: no e-mail yet
    assert not mail.outbox

    time_machine.move_to("2026-04-01 15:03Z", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_reviewers_of_new_tips()
    assert [message.to for message in mail.outbox] == [[tip_reviewer.email]]  # not officers, not inactive
    message = mail.outbox[0]
    assert "New anonymous tips are waiting" in message.subject
    assert "http://127.0.0.1:8000/admin/tips/tip/?status__exact=new" in message.body
    for tip in Tip.objects.all():
        assert tip.reference not in message.body
    assert "Content that must not" not in message.body and "Theft" not in message.body

    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_reviewers_of_new_tips()
    assert len(mail.outbox) == 1


def test_closed_tips_and_their_files_are_deleted_after_retention_keeping_the_audit_trail(
    tip_reviewer, settings, time_machine
):
    settings.TIP_RETENTION_DAYS = 30
    time_machine.move_to("2026-01-10 09:00Z", tick=False)
    photo = attachment_clean(data=jpeg_with_gps(), name="a.jpg")
    old, still_open, recent = (make_tip(what, files) for what, files in [("Old", [photo]), ("Open", []), ("New", [])])
    settle_tips()
    tip_reply(tip=old, actor=tip_reviewer, text="Q")
    tip_note_add(tip=old, actor=tip_reviewer, text="N")
    tip_triage(tip=old, actor=tip_reviewer, status=Tip.Status.CLOSED)

    time_machine.move_to("2026-02-05 09:00Z", tick=False)
    tip_triage(tip=recent, actor=tip_reviewer, status=Tip.Status.SPAM)
    time_machine.move_to("2026-02-10 10:00Z", tick=False)
    tasks.purge_expired_tips()

    assert not Tip.objects.filter(pk=old.pk).exists()
    assert not TipAttachment.objects.filter(tip_id=old.pk).exists()
    assert not TipMessage.objects.filter(tip_id=old.pk).exists()
    assert not TipNote.objects.filter(tip_id=old.pk).exists()
    assert Tip.objects.filter(pk__in=[still_open.pk, recent.pk]).count() == 2
    trail = list(TipAuditEntry.objects.filter(tip_reference=old.reference).values_list("action", flat=True))
    assert {"received", "changed", "deleted"} <= set(trail)
    tasks.purge_expired_tips()
    assert Tip.objects.filter(pk__in=[still_open.pk, recent.pk]).count() == 2


def test_spent_form_tokens_are_forgotten_after_a_few_hours(client, time_machine):
    time_machine.move_to("2026-01-10 09:00Z", tick=False)
    submit_tip(client)
    assert UsedFormToken.objects.count() == 1
    time_machine.move_to(timezone.now() + timedelta(hours=5))
    tasks.purge_expired_tips()
    assert not UsedFormToken.objects.exists()


def test_the_beat_tasks_put_no_tip_count_in_the_workers_log(client, tip_reviewer, time_machine):
    # Celery logs what a task returns ("succeeded in 0.02s: 2"): a count of tips per hour, in a log
    # read by people outside Tip reviewers.
    time_machine.move_to("2026-04-01 14:10Z", tick=False)
    submit_tip(client)
    submit_tip(client)
    time_machine.move_to("2026-04-01 15:03Z", tick=False)
    assert tasks.notify_reviewers_of_new_tips.apply().result is None
    assert Tip.objects.filter(settled=True, reviewers_notified=True).count() == 2
    assert tasks.purge_expired_tips.apply().result is None

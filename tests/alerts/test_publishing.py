"""Publishing, updating and cancelling alerts: the history, the audit trail and every refusal."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert, AlertRevision
from alerts.services import AlertError, alert_cancel, alert_publish, alert_update
from audit.models import AuditEntry
from tests.alerts.conftest import make_alert

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_writes_the_first_message_and_an_audit_entry(officer, alert_for_a):
    revision = alert_publish(actor=officer, alert=alert_for_a)

    alert_for_a.refresh_from_db()
    assert alert_for_a.status == Alert.Status.PUBLISHED
    assert alert_for_a.published_at is not None
    assert revision.msg_type == AlertRevision.MessageType.ALERT
    assert revision.number == 1
    assert revision.snapshot["neighbourhoods"] == [{"slug": "riverside", "name": "Riverside"}]
    entry = AuditEntry.objects.get(action="alerts.publish")
    assert entry.actor == officer
    assert entry.target_id == str(alert_for_a.pk)


def test_publishing_twice_is_refused(officer, alert_for_a):
    alert_publish(actor=officer, alert=alert_for_a)
    with pytest.raises(AlertError, match="already published"):
        alert_publish(actor=officer, alert=alert_for_a)
    assert alert_for_a.revisions.count() == 1


def test_an_alert_with_no_target_is_refused(officer):
    alert = make_alert(created_by=officer, neighbourhoods=[], city_wide=False)
    with pytest.raises(AlertError, match="at least one neighbourhood"):
        alert_publish(actor=officer, alert=alert)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT


def test_a_city_wide_alert_needs_no_neighbourhood(officer):
    alert = make_alert(created_by=officer, city_wide=True)
    assert alert_publish(actor=officer, alert=alert).snapshot["city_wide"] is True


def test_expiry_before_start_is_refused(officer, neighbourhood):
    now = timezone.now()
    alert = make_alert(
        created_by=officer,
        neighbourhoods=[neighbourhood],
        starts_at=now + timedelta(hours=2),
        expires_at=now + timedelta(hours=1),
    )
    with pytest.raises(AlertError, match="expire after it starts"):
        alert_publish(actor=officer, alert=alert)


def test_updating_keeps_the_history_and_references_the_earlier_message(officer, alert_for_a, other_neighbourhood):
    alert_publish(actor=officer, alert=alert_for_a)
    revision = alert_update(
        actor=officer,
        alert=alert_for_a,
        changes={"headline": "Burglaries on Elm and Oak Streets", "severity": Alert.Severity.SEVERE},
        neighbourhoods=[alert_for_a.neighbourhoods.get(), other_neighbourhood],
    )

    assert revision.msg_type == AlertRevision.MessageType.UPDATE
    assert revision.number == 2
    first = alert_for_a.revisions.get(number=1)
    assert first.snapshot["headline"] == "Burglaries on Elm Street"
    assert revision.snapshot["headline"] == "Burglaries on Elm and Oak Streets"
    assert {n["slug"] for n in revision.snapshot["neighbourhoods"]} == {"riverside", "old-town"}
    entry = AuditEntry.objects.get(action="alerts.update")
    assert entry.detail["changed"] == ["headline", "severity", "neighbourhoods"]


def test_updating_an_expired_alert_is_refused(officer, alert_for_a):
    alert_publish(actor=officer, alert=alert_for_a)
    with time_machine.travel(alert_for_a.expires_at + timedelta(minutes=1)), pytest.raises(AlertError, match="expired"):
        alert_update(actor=officer, alert=alert_for_a, changes={"headline": "Too late"})
    assert alert_for_a.revisions.count() == 1


def test_updating_a_draft_or_removing_every_target_is_refused(officer, alert_for_a):
    with pytest.raises(AlertError, match="Only a published alert"):
        alert_update(actor=officer, alert=alert_for_a, changes={"headline": "Nope"})
    alert_publish(actor=officer, alert=alert_for_a)
    with pytest.raises(AlertError, match="at least one neighbourhood"):
        alert_update(actor=officer, alert=alert_for_a, changes={}, neighbourhoods=[])


def test_cancelling_sends_a_cancel_message_once(officer, alert_for_a):
    with pytest.raises(AlertError, match="never sent"):
        alert_cancel(actor=officer, alert=alert_for_a)
    alert_publish(actor=officer, alert=alert_for_a)
    revision = alert_cancel(actor=officer, alert=alert_for_a, note="The suspect was arrested.")

    assert revision.msg_type == AlertRevision.MessageType.CANCEL
    assert revision.snapshot["note"] == "The suspect was arrested."
    alert_for_a.refresh_from_db()
    assert alert_for_a.status == Alert.Status.CANCELLED
    assert AuditEntry.objects.filter(action="alerts.cancel").count() == 1
    with pytest.raises(AlertError, match="already cancelled"):
        alert_cancel(actor=officer, alert=alert_for_a)
    with pytest.raises(AlertError, match="cancelled and cannot be published"):
        alert_publish(actor=officer, alert=alert_for_a)


def test_residents_cannot_send_alerts(resident, alert_for_a):
    with pytest.raises(AlertError, match="permission"):
        alert_publish(actor=resident, alert=alert_for_a)


def test_with_approval_required_the_composer_cannot_publish_their_own_alert(settings, officer, approver, neighbourhood):
    settings.ALERTS_REQUIRE_APPROVAL = True
    own = make_alert(created_by=approver, neighbourhoods=[neighbourhood])
    with pytest.raises(AlertError, match="another approver"):
        alert_publish(actor=approver, alert=own)

    drafted_by_officer = make_alert(created_by=officer, neighbourhoods=[neighbourhood])
    with pytest.raises(AlertError, match="Alert approvers"):
        alert_publish(actor=officer, alert=drafted_by_officer)
    assert alert_publish(actor=approver, alert=drafted_by_officer).number == 1
    # Updates and cancellations need an approver too, but the approver may send them.
    with pytest.raises(AlertError, match="Alert approvers"):
        alert_cancel(actor=officer, alert=drafted_by_officer)
    alert_cancel(actor=approver, alert=drafted_by_officer)

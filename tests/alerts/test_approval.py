"""With ALERTS_REQUIRE_APPROVAL, the officer who wrote an alert's words last never sends them alone:
not a draft they rewrote, not an update they wrote."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import Profile
from accounts.roles import ALERT_APPROVERS, OFFICERS
from alerts.models import Alert, AlertRevision
from alerts.services import AlertError, alert_publish, alert_update, alert_update_propose
from audit.models import AuditEntry
from tests.alerts.conftest import make_subscription
from tests.alerts.test_admin import _form, _local
from tests.conftest import desk_client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def approval_required(settings):
    settings.ALERTS_REQUIRE_APPROVAL = True


@pytest.fixture
def second_approver(db):
    user = make_user("approver.frank@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS), Group.objects.get(name=ALERT_APPROVERS))
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_an_approver_who_rewrote_a_draft_cannot_publish_it(desk_client, approver, second_approver, neighbourhood):
    desk_client.post("/admin/alerts/alert/add/", _form(neighbourhood))
    alert = Alert.objects.get()
    approver_client = desk_client_for(approver)
    approver_client.post(
        f"/admin/alerts/alert/{alert.pk}/change/", _form(neighbourhood, headline="Rewritten by the approver")
    )
    alert.refresh_from_db()
    assert alert.last_edited_by == approver

    response = approver_client.post(f"/admin/alerts/alert/{alert.pk}/publish/", {"confirm": "yes"}, follow=True)

    assert "You edited this alert last; another approver must publish it." in messages_of(response)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT
    assert alert_publish(actor=second_approver, alert=alert).number == 1


def test_an_update_waits_for_a_second_approver(
    approver, second_approver, officer, alert_for_a, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood)
    Profile.objects.update_or_create(user=approver, defaults={"display_name": "Erin Diaz"})
    with django_capture_on_commit_callbacks(execute=True):
        alert_publish(actor=approver, alert=alert_for_a)
    mail.outbox.clear()
    approver_client = desk_client_for(approver)
    expiry_date, expiry_time = _local(alert_for_a.expires_at).split()
    update = _form(neighbourhood, headline="Burglaries spreading", expires_at_0=expiry_date, expires_at_1=expiry_time)

    response = approver_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/send-update/", update, follow=True)

    assert "Update saved for approval: another approver must send it." in messages_of(response)
    alert_for_a.refresh_from_db()
    assert alert_for_a.headline == "Burglaries on Elm Street"
    assert alert_for_a.pending_update_by == approver
    assert alert_for_a.revisions.count() == 1
    # The one who wrote it cannot send it.
    refused = approver_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/send-update/", {"_approve": "1"}, follow=True)
    assert "You proposed this update; another approver must send it." in messages_of(refused)
    assert alert_for_a.revisions.count() == 1

    second_client = desk_client_for(second_approver)
    change_page = second_client.get(f"/admin/alerts/alert/{alert_for_a.pk}/change/").content.decode()
    assert "Review the update awaiting approval" in change_page
    page = second_client.get(f"/admin/alerts/alert/{alert_for_a.pk}/send-update/").content.decode()
    assert "Send the proposed update" in page
    # The proposer is named as everywhere on the desk (accounts.selectors.resident_label).
    assert "This form shows the update Erin Diaz &lt;approver.erin@example.com&gt; proposed." in page
    assert "Burglaries spreading" in page
    with django_capture_on_commit_callbacks(execute=True):
        second_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/send-update/", {"_approve": "1"})

    alert_for_a.refresh_from_db()
    assert alert_for_a.headline == "Burglaries spreading"
    assert alert_for_a.pending_update == {}
    assert alert_for_a.last_edited_by == approver
    revision = alert_for_a.revisions.get(number=2)
    assert (revision.msg_type, revision.sent_by) == (AlertRevision.MessageType.UPDATE, second_approver)
    assert [m.subject for m in mail.outbox] == ["Update: Burglaries spreading"]
    entry = AuditEntry.objects.get(action="alerts.update")
    assert (entry.actor, entry.detail["written_by"]) == (second_approver, approver.pk)


def test_an_approver_cannot_send_an_update_they_wrote_through_the_service(approver, alert_for_a):
    alert_publish(actor=approver, alert=alert_for_a)

    with pytest.raises(AlertError, match="another approver must send it"):
        alert_update(actor=approver, alert=alert_for_a, changes={"headline": "Sent alone"})

    alert_update_propose(actor=approver, alert=alert_for_a, changes={"headline": "Proposed"})
    alert_for_a.refresh_from_db()
    assert alert_for_a.pending_update == {"headline": "Proposed"}
    assert alert_for_a.revisions.count() == 1

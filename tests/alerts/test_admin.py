"""Officers work alerts from the admin: draft, preview, publish, update, cancel — all through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import Alert
from audit.models import AuditEntry
from tests.alerts.conftest import make_subscription

pytestmark = pytest.mark.django_db


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _form(neighbourhood, **overrides):
    now = timezone.now()
    data = {
        "headline": "Road closed on Main St",
        "event": "Road closure",
        "description": "A water main burst under Main St.",
        "instruction": "Use River Road instead.",
        "category": "Transport",
        "severity": "Minor",
        "urgency": "Expected",
        "certainty": "Observed",
        "neighbourhoods": [neighbourhood.pk],
        "starts_at_0": _local(now).split()[0],
        "starts_at_1": _local(now).split()[1],
        "expires_at_0": _local(now + timedelta(hours=4)).split()[0],
        "expires_at_1": _local(now + timedelta(hours=4)).split()[1],
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_an_officer_drafts_previews_publishes_updates_and_cancels(
    desk_client, officer, neighbourhood, django_capture_on_commit_callbacks
):
    make_subscription("ana@example.com", neighbourhood)
    response = desk_client.post("/admin/alerts/alert/add/", _form(neighbourhood))
    assert response.status_code == 302, response.context["adminform"].form.errors
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.DRAFT
    assert alert.created_by == officer

    preview = desk_client.get(f"/admin/alerts/alert/{alert.pk}/preview/")
    content = preview.content.decode()
    assert "Safety alert: Road closed on Main St" in content
    assert "urn:oasis:names:tc:emergency:cap:1.2" in content
    assert not mail.outbox

    assert "Publish now" in desk_client.get(f"/admin/alerts/alert/{alert.pk}/publish/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(f"/admin/alerts/alert/{alert.pk}/publish/", {"confirm": "yes"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PUBLISHED
    assert [m.subject for m in mail.outbox] == ["Safety alert: Road closed on Main St"]

    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(
            f"/admin/alerts/alert/{alert.pk}/send-update/",
            _form(neighbourhood, headline="Main St closed until 6pm", expires_at_1=_local(alert.expires_at).split()[1]),
        )
    assert response.status_code == 302
    assert mail.outbox[-1].subject == "Update: Main St closed until 6pm"

    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(
            f"/admin/alerts/alert/{alert.pk}/cancel/", {"confirm": "yes", "note": "The road is open again."}
        )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CANCELLED
    assert mail.outbox[-1].subject == "Cancelled: Main St closed until 6pm"
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "admin.add",
        "alerts.publish",
        "alerts.update",
        "alerts.cancel",
    ]


def test_the_admin_form_refuses_no_target_and_expiry_before_start(desk_client, neighbourhood):
    response = desk_client.post("/admin/alerts/alert/add/", _form(neighbourhood, neighbourhoods=[]))
    assert response.status_code == 200
    assert "Choose at least one neighbourhood" in response.content.decode()
    now = timezone.now()
    response = desk_client.post(
        "/admin/alerts/alert/add/",
        _form(neighbourhood, expires_at_0=_local(now - timedelta(days=1)).split()[0]),
    )
    assert "The alert must expire after it starts." in response.content.decode()
    assert not Alert.objects.exists()


def test_publishing_twice_from_the_admin_shows_the_refusal(desk_client, alert_for_a):
    desk_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/publish/", {"confirm": "yes"})
    response = desk_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/publish/", {"confirm": "yes"}, follow=True)
    assert "already published" in response.content.decode()
    assert alert_for_a.revisions.count() == 1


def test_the_publish_action_reports_each_refusal(desk_client, alert_for_a, officer):
    from tests.alerts.conftest import make_alert

    untargeted = make_alert(created_by=officer, headline="No target")
    response = desk_client.post(
        "/admin/alerts/alert/",
        {"action": "publish_selected", "_selected_action": [alert_for_a.pk, untargeted.pk], "confirm": "yes"},
        follow=True,
    )
    content = response.content.decode()
    assert "1 alert published." in content
    assert "No target: Choose at least one neighbourhood" in content


def test_residents_cannot_reach_the_alert_admin(resident_client, alert_for_a):
    response = resident_client.post(f"/admin/alerts/alert/{alert_for_a.pk}/publish/", {"confirm": "yes"})
    assert response.status_code == 302  # to the admin log-in
    alert_for_a.refresh_from_db()
    assert alert_for_a.status == Alert.Status.DRAFT


def test_an_officer_approves_a_watch_group_in_the_admin(desk_client, officer, resident, neighbourhood):
    from watch.models import WatchGroup
    from watch.services import watch_group_propose

    group = watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Elm Watch", description="Elm St.")
    response = desk_client.post(
        "/admin/watch/watchgroup/", {"action": "approve_selected", "_selected_action": [group.pk]}, follow=True
    )
    assert "1 group approved; you are its liaison." in response.content.decode()
    group.refresh_from_db()
    assert group.status == WatchGroup.Status.APPROVED
    assert group.liaison == officer
    assert desk_client.get(f"/admin/watch/watchgroup/{group.pk}/change/").status_code == 200

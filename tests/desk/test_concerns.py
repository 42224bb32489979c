"""Officers handle watch concerns in the admin: status, assignment, and one reply the resident gets by e-mail."""

import pytest

from accounts.selectors import profile_for
from audit.models import AuditEntry
from outbox.models import Email
from tests.conftest import desk_client_for
from watch.models import Concern, WatchGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(neighbourhood, other_resident):
    group = WatchGroup.objects.create(
        name="Elm Street Watch", slug="elm", neighbourhood=neighbourhood, status=WatchGroup.Status.APPROVED
    )
    profile = profile_for(other_resident)
    profile.preferred_language = "es"
    profile.display_name = "Bob Baker"
    profile.save()
    return Concern.objects.create(group=group, reporter=other_resident, subject="Broken lamp", body="On Elm, dark.")


def _change(client, concern, **data):
    values = {"status": concern.status, "assigned_to": "", "reply": "", **data}
    return client.post(f"/admin/watch/concern/{concern.pk}/change/", values, follow=True)


def test_an_officer_assigns_and_replies_once_in_the_residents_language(
    officer, concern, other_resident, django_capture_on_commit_callbacks, mailoutbox
):
    client = desk_client_for(officer)
    page = client.get(f"/admin/watch/concern/{concern.pk}/change/").content.decode()
    assert 'name="reply"' in page and 'name="status"' in page
    assert f"Bob Baker &lt;{other_resident.email}&gt;" in page  # one way of naming a resident

    with django_capture_on_commit_callbacks(execute=True):
        response = _change(client, concern, assigned_to=officer.pk, reply="We asked the city to fix it this week.")
    assert "Your reply was e-mailed to the resident." in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ACKNOWLEDGED
    assert concern.assigned_to == officer and concern.replied_by == officer and concern.replied_at
    [email] = Email.objects.filter(template="watch/emails/concern_reply")
    assert (email.to, email.language) == (other_resident.email, "es")
    [message] = mailoutbox
    assert "We asked the city to fix it this week." in message.body
    assert "Broken lamp" in message.subject
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"watch.concern.triage", "watch.concern.reply"}

    # The reply is on record and read-only; resolving it later sends nothing more.
    page = client.get(f"/admin/watch/concern/{concern.pk}/change/").content.decode()
    assert 'name="reply"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        _change(client, concern, status="resolved", assigned_to=officer.pk)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESOLVED
    assert Email.objects.filter(template="watch/emails/concern_reply").count() == 1


def test_the_desk_queue_empties_when_a_concern_is_answered(officer, concern, django_capture_on_commit_callbacks):
    from portal.desk import desk_for

    def waiting():
        return {q["key"]: q["count"] for q in desk_for(officer)["queues"]}["watch.concerns_without_reply"]

    assert waiting() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _change(desk_client_for(officer), concern, reply="Thanks, on it.")
    assert waiting() == 0


def test_the_service_sends_a_reply_once(officer, concern):
    from watch.services import WatchError, concern_reply

    concern_reply(concern=concern, actor=officer, reply="Fixed.")
    with pytest.raises(WatchError, match="answered already"):
        concern_reply(concern=concern, actor=officer, reply="Fixed again.")
    assert Email.objects.filter(template="watch/emails/concern_reply").count() == 1


def test_only_officers_may_be_assigned(officer, concern, resident):
    client = desk_client_for(officer)
    response = _change(client, concern, assigned_to=resident.pk)
    assert "Select a valid choice" in response.content.decode()
    concern.refresh_from_db()
    assert concern.assigned_to is None

"""Residents see each other by name, never by e-mail address; e-mails to a third party (coordinator,
liaison, members) carry no resident-written text in their subject and do not open with it."""

import pytest
from django.core import mail

from accounts.selectors import profile_for
from tests.conftest import make_user
from watch.services import concern_report, membership_join, post_create

pytestmark = pytest.mark.django_db

PHISHING = "ACTION REQUIRED: verify at https://evil.example/police-login"


@pytest.fixture
def moderated(group):
    group.members_need_approval = True
    group.save()
    return group


def _named(user, name):
    profile = profile_for(user)
    profile.display_name = name
    profile.save()
    return user


def test_the_coordinator_sees_who_waits_by_name_not_by_address(client, moderated, resident):
    named = _named(make_user("jo.private@example.com"), "Jo")
    nameless = make_user("secret.person@example.com")
    membership_join(user=named, group=moderated)
    membership_join(user=nameless, group=moderated)
    client.force_login(resident)
    page = client.get(moderated.get_absolute_url()).content.decode()
    assert "Approve Jo" in page
    assert "Approve A resident" in page
    assert "jo.private@example.com" not in page
    assert "secret.person@example.com" not in page


def test_the_join_request_e_mail_names_the_resident_without_their_address_or_text_in_the_subject(
    moderated, resident, django_capture_on_commit_callbacks
):
    nameless = make_user("secret.person@example.com")
    phisher = _named(make_user("phisher@example.com"), PHISHING)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(user=nameless, group=moderated)
        membership_join(user=phisher, group=moderated)
    first, second = mail.outbox
    assert first.to == [resident.email]
    assert "secret.person@example.com" not in first.body
    assert "A resident" in first.body
    assert "evil.example" not in second.subject
    assert not second.body.startswith(PHISHING)


def test_a_coordinator_without_a_display_name_posts_without_revealing_their_address(
    group, resident, other_resident, django_capture_on_commit_callbacks
):
    nameless_coordinator = make_user("coordinator.home@example.com")
    group.coordinator = nameless_coordinator
    group.save()
    membership_join(user=other_resident, group=group)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_create(author=nameless_coordinator, group=group, title=PHISHING, body="Walk tonight.")
    sent = [m for m in mail.outbox if m.to == [other_resident.email]]
    assert len(sent) == 1
    assert "coordinator.home@example.com" not in sent[0].body
    assert "evil.example" not in sent[0].subject


def test_a_concern_s_subject_line_stays_out_of_the_liaison_s_e_mail_subject(
    group, officer, other_resident, django_capture_on_commit_callbacks
):
    membership_join(user=other_resident, group=group)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        concern_report(user=other_resident, group=group, subject=PHISHING, body="Call me.")
    (sent,) = mail.outbox
    assert sent.to == [officer.email]
    assert "evil.example" not in sent.subject
    assert PHISHING in sent.body  # the officer still reads what was reported, below a neutral opening
    assert not sent.body.startswith(PHISHING)

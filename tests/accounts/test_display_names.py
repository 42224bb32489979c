"""A display name is one line: it is shown to other residents and officers and put into e-mails to
them, where a line break would let a resident start a paragraph of their own in the police's e-mail."""

import pytest
from django.core import mail

from accounts.selectors import display_name_for, profile_for, public_name_for
from tests.conftest import make_user
from watch.services import membership_join

pytestmark = pytest.mark.django_db

LURE = "Jo\r\n\r\nACTION REQUIRED: verify your account at https://evil.example\x0b"


def test_the_profile_form_keeps_a_display_name_on_one_line(resident_client, resident):
    response = resident_client.post(
        "/me/profile/", {"display_name": LURE, "phone": "", "home_neighbourhood": "", "preferred_language": "en"}
    )
    assert response.status_code == 302
    saved = profile_for(resident).display_name
    assert "\n" not in saved and "\r" not in saved and "\x0b" not in saved
    assert saved.startswith("Jo ")


def test_a_name_saved_on_several_lines_reaches_others_on_one(resident, other_resident):
    profile = profile_for(other_resident)
    profile.display_name = LURE  # Saved before the form cleaned it, or by another path.
    profile.save()
    for name in (public_name_for(other_resident), display_name_for(other_resident)):
        assert name == "Jo ACTION REQUIRED: verify your account at https://evil.example"


def test_the_coordinators_join_request_e_mail_names_the_resident_on_one_line(
    resident, neighbourhood, officer, django_capture_on_commit_callbacks
):
    from watch.services import watch_group_approve, watch_group_propose

    group = watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Elm Watch", description="Elm.")
    group = watch_group_approve(officer=officer, group=group)
    group.members_need_approval = True
    group.save()
    joiner = make_user("joiner@example.com")
    profile = profile_for(joiner)
    profile.display_name = LURE
    profile.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(user=joiner, group=group)
    [message] = mail.outbox
    assert not any(line.startswith("ACTION REQUIRED") for line in message.body.splitlines())

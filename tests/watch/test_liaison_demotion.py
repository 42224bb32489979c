"""A liaison is an active officer with the role: a demoted one stops acting and receiving at once, the
user and role admins end the role, and the officers' desk shows groups left without a liaison."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.roles import OFFICERS
from accounts.selectors import profile_for
from audit.models import AuditEntry
from tests.conftest import desk_client_for, make_user
from tests.watch.conftest import rename_post
from watch.models import Concern, Membership, Post, WatchGroup
from watch.services import WatchError, WatchPermissionError, concern_report, membership_join, post_create

pytestmark = pytest.mark.django_db


def _no_longer_staff(user):
    user.is_staff = False
    user.save()


def _deactivated(user):
    user.is_active = False
    user.save()


def _role_removed(user):
    user.groups.clear()


@pytest.fixture(params=[_no_longer_staff, _deactivated, _role_removed], ids=["staff", "active", "role"])
def demote(request):
    return request.param


@pytest.fixture
def member(group, other_resident):
    membership_join(user=other_resident, group=group)
    return other_resident


def _fresh(user):
    # A new instance, as the next request would load it (permissions are cached per instance).
    return type(user).objects.get(pk=user.pk)


def test_a_demoted_liaison_can_no_longer_post_approve_or_see_pending_members(
    client, group, officer, resident, other_resident, demote
):
    group.members_need_approval = True
    group.save()
    pending = membership_join(user=other_resident, group=group)
    demote(officer)

    client.force_login(officer)
    if officer.is_active:  # an inactive account is not logged in at all
        page = client.get(group.get_absolute_url()).content.decode()
        assert "Post and e-mail the members" not in page
        assert other_resident.email not in page
        response = client.post(f"{group.get_absolute_url()}posts/", {"title": "From the police", "body": "Hello."})
        assert response.status_code == 403
        response = client.post(f"{group.get_absolute_url()}members/{pending.pk}/approve/")
        assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert not Post.objects.exists()

    # The service refuses whoever calls it (a shell, a task), not only the page.
    with pytest.raises(WatchPermissionError):
        post_create(author=_fresh(officer), group=group, title="From the police", body="Hello.")


def test_concerns_never_reach_a_demoted_liaison(
    client, group, officer, member, demote, django_capture_on_commit_callbacks
):
    demote(officer)
    mail.outbox.clear()
    client.force_login(member)
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Report a concern to the liaison officer" not in page
    assert "Not yet assigned" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{group.get_absolute_url()}concerns/", {"subject": "Broken lamp", "body": "Corner of Elm."}
        )
    assert response.status_code == 400
    assert "no liaison officer at the moment" in response.content.decode()
    assert "Corner of Elm." in response.content.decode()  # what they wrote is not lost
    assert not Concern.objects.exists()
    assert not [m for m in mail.outbox if officer.email in m.to]
    with pytest.raises(WatchError):
        concern_report(user=member, group=WatchGroup.objects.get(pk=group.pk), subject="Lamp", body="Elm.")


def test_the_group_page_and_list_stop_naming_a_demoted_liaison(client, group, officer):
    profile = profile_for(officer)
    profile.display_name = "Sergeant Stone"
    profile.save()
    assert "Sergeant Stone" in client.get("/watch/").content.decode()
    _no_longer_staff(officer)
    assert "Sergeant Stone" not in client.get("/watch/").content.decode()
    assert "Sergeant Stone" not in client.get(group.get_absolute_url()).content.decode()


@pytest.fixture
def superuser_desk(db):
    admin_user = make_user("chief@example.com", is_staff=True, is_superuser=True)
    return admin_user, desk_client_for(admin_user)


def _user_change_data(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    "changes",
    [{"is_staff": None}, {"is_active": None}, {"groups": []}],
    ids=["staff-unticked", "deactivated", "role-removed"],
)
def test_demoting_an_officer_in_the_user_admin_ends_their_liaison_roles(superuser_desk, group, officer, changes):
    admin_user, desk = superuser_desk
    response = desk.post(f"/admin/auth/user/{officer.pk}/change/", _user_change_data(officer, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    group.refresh_from_db()
    assert group.liaison_id is None
    entry = AuditEntry.objects.get(action="watch.group.liaison_release")
    assert entry.actor == admin_user
    assert entry.detail == {"user": officer.pk}


def test_an_officer_who_keeps_the_role_keeps_their_groups(superuser_desk, group, officer):
    _admin, desk = superuser_desk
    response = desk.post(f"/admin/auth/user/{officer.pk}/change/", _user_change_data(officer, first_name="Charlie"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.liaison == officer


def test_taking_the_permission_from_the_officers_role_ends_their_liaison_roles(superuser_desk, group, officer):
    _admin, desk = superuser_desk
    officers = Group.objects.get(name=OFFICERS)
    kept = officers.permissions.exclude(content_type__app_label="watch", codename="change_watchgroup")
    response = desk.post(
        f"/admin/auth/group/{officers.pk}/change/",
        {"name": OFFICERS, "permissions": [str(pk) for pk in kept.values_list("pk", flat=True)]},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.liaison_id is None


def test_sync_roles_ends_the_liaison_roles_a_role_no_longer_allows(group, officer, monkeypatch):
    from django.core.management import call_command

    from accounts import roles

    without_watch = {**roles.ROLE_PERMISSIONS[OFFICERS]}
    without_watch.pop("watch")
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, OFFICERS, without_watch)
    call_command("sync_roles", stdout=io.StringIO())
    group.refresh_from_db()
    assert group.liaison_id is None


def test_the_desk_lists_groups_without_an_active_liaison_and_an_officer_takes_one_over(
    group, officer, other_officer, resident, neighbourhood
):
    from watch.services import watch_group_approve, watch_group_propose

    staffed = watch_group_approve(
        officer=other_officer,
        group=watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Oak Watch", description="Oak."),
    )
    _no_longer_staff(officer)  # not through the admin: the desk still sees the group as unstaffed
    desk = desk_client_for(other_officer)
    listing = desk.get("/admin/watch/watchgroup/?liaison=none").content.decode()
    assert "Elm Street Watch" in listing
    assert "Oak Watch" not in listing
    assert "None: take it over" in listing
    assert "No active liaison" in desk.get("/admin/watch/watchgroup/").content.decode()

    response = desk.post(
        "/admin/watch/watchgroup/",
        {"action": "take_liaison_role", "_selected_action": [group.pk, staffed.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "You are now the liaison of 1 group." in page
    assert "already has a liaison officer" in page
    group.refresh_from_db()
    assert group.liaison == other_officer
    assert AuditEntry.objects.filter(action="watch.group.liaison_take", actor=other_officer).exists()
    assert "Elm Street Watch" not in desk.get("/admin/watch/watchgroup/?liaison=none").content.decode()


def test_any_officer_may_change_a_group_whose_liaison_was_demoted(group, officer, other_officer):
    data = rename_post(group)
    desk = desk_client_for(other_officer)
    assert desk.post(f"/admin/watch/watchgroup/{group.pk}/change/", data).status_code == 403
    _no_longer_staff(officer)
    assert desk.post(f"/admin/watch/watchgroup/{group.pk}/change/", data).status_code == 302
    group.refresh_from_db()
    assert group.name == "Renamed"

"""Neighbourhood Watch groups: proposal, approval by a liaison, membership, announcements and concerns."""

import pytest
from django.core import mail

from audit.models import AuditEntry
from tests.conftest import make_user
from watch.models import Concern, Membership, Post, WatchGroup
from watch.services import (
    WatchError,
    WatchPermissionError,
    membership_join,
    post_create,
    watch_group_approve,
    watch_group_decline,
)

pytestmark = pytest.mark.django_db


def test_a_resident_proposes_a_group_and_becomes_its_coordinator(resident_client, resident, neighbourhood):
    response = resident_client.post(
        "/watch/propose/",
        {"name": "Elm Street Watch", "neighbourhood": neighbourhood.pk, "description": "Elm Street, 100 to 400 block."},
    )
    group = WatchGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/watch/elm-street-watch/"
    assert group.status == WatchGroup.Status.PROPOSED
    assert group.coordinator == resident
    assert group.memberships.get().user == resident
    # Not listed, and not visible to others, until an officer approves it.
    assert "Elm Street Watch" not in resident_client.get("/watch/").content.decode()


def test_the_proposal_form_asks_to_choose_a_neighbourhood_in_words(resident_client, neighbourhood):
    page = resident_client.get("/watch/propose/", {"lang": "es"}).content.decode()
    assert '<option value="" selected>Elija una opción</option>' in page
    assert "---------" not in page


def test_proposing_needs_an_account_and_valid_input(client, resident):
    assert client.get("/watch/propose/").status_code == 302
    client.force_login(resident)
    response = client.post("/watch/propose/", {"name": "", "description": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_an_officer_approves_and_becomes_liaison(officer, proposed_group, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = watch_group_approve(officer=officer, group=proposed_group)
    assert group.status == WatchGroup.Status.APPROVED
    assert group.liaison == officer
    assert AuditEntry.objects.filter(action="watch.group.approve", actor=officer).exists()
    assert [m.to for m in mail.outbox] == [[resident.email]]
    with pytest.raises(WatchError, match="not waiting"):
        watch_group_approve(officer=officer, group=group)


def test_residents_cannot_approve_groups(other_resident, proposed_group):
    with pytest.raises(WatchPermissionError):
        watch_group_approve(officer=other_resident, group=proposed_group)


def test_joining_and_joining_twice(client, group, other_resident):
    client.force_login(other_resident)
    response = client.post("/watch/elm-street-watch/join/", follow=True)
    assert "Welcome to the group." in response.content.decode()
    assert Membership.objects.get(group=group, user=other_resident).status == Membership.Status.ACTIVE

    response = client.post("/watch/elm-street-watch/join/", follow=True)
    assert "already a member" in response.content.decode()
    assert Membership.objects.filter(group=group, user=other_resident).count() == 1
    assert client.get("/watch/elm-street-watch/join/").status_code == 405


def test_joining_a_proposed_group_is_refused(other_resident, proposed_group):
    with pytest.raises(WatchError, match="not open"):
        membership_join(user=other_resident, group=proposed_group)


def test_when_the_coordinator_approves_members_they_wait(
    client, group, resident, other_resident, django_capture_on_commit_callbacks
):
    group.members_need_approval = True
    group.save()
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_join(user=other_resident, group=group)
    assert membership.status == Membership.Status.PENDING
    assert mail.outbox[-1].to == [resident.email]

    client.force_login(other_resident)  # a pending member sees no posts and cannot approve themselves
    assert client.post(f"/watch/elm-street-watch/members/{membership.pk}/approve/").status_code == 403

    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/watch/elm-street-watch/members/{membership.pk}/approve/")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert mail.outbox[-1].to == [other_resident.email]


def test_liaison_posts_reach_members_by_email(
    client, group, officer, resident, other_resident, django_capture_on_commit_callbacks
):
    membership_join(user=other_resident, group=group)
    outsider = make_user("outsider@example.com")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/watch/elm-street-watch/posts/", {"title": "Training night", "body": "Join us on Tuesday at 7pm."}
        )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.author_role == Post.AuthorRole.LIAISON
    assert sorted(m.to[0] for m in mail.outbox) == [resident.email, other_resident.email]
    assert mail.outbox[0].subject == "New announcement in “Elm Street Watch”"
    assert "Training night" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="watch.post.create").exists()

    client.force_login(other_resident)
    assert "Join us on Tuesday at 7pm." in client.get("/watch/elm-street-watch/").content.decode()
    client.force_login(outsider)
    assert "Join us on Tuesday at 7pm." not in client.get("/watch/elm-street-watch/").content.decode()


def test_an_empty_announcement_is_refused_with_the_form_errors(client, group, officer):
    client.force_login(officer)
    response = client.post("/watch/elm-street-watch/posts/", {"title": "", "body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Post.objects.exists()


def test_the_coordinator_posts_too(group, resident, other_resident, django_capture_on_commit_callbacks):
    membership_join(user=other_resident, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(author=resident, group=group, title="Street party", body="Saturday.")
    assert post.author_role == Post.AuthorRole.COORDINATOR
    assert [m.to for m in mail.outbox] == [[other_resident.email]]


def test_members_outsiders_and_other_officers_cannot_post(client, group, other_resident, other_officer):
    membership_join(user=other_resident, group=group)
    outsider = make_user("outsider@example.com")
    for user in (other_resident, outsider, other_officer):
        client.force_login(user)
        response = client.post("/watch/elm-street-watch/posts/", {"title": "Hi", "body": "Hello"})
        assert response.status_code == 403, user
    assert not Post.objects.exists()


def test_a_non_liaison_officer_cannot_approve_members(client, group, other_resident, other_officer):
    group.members_need_approval = True
    group.save()
    membership = membership_join(user=other_resident, group=group)
    client.force_login(other_officer)
    assert client.post(f"/watch/elm-street-watch/members/{membership.pk}/approve/").status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_members_report_a_concern_to_the_liaison(
    client, group, officer, other_resident, django_capture_on_commit_callbacks
):
    membership_join(user=other_resident, group=group)
    client.force_login(other_resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/watch/elm-street-watch/concerns/", {"subject": "Broken streetlight", "body": "Corner of Elm and 3rd."}
        )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.reporter == other_resident
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "Corner of Elm and 3rd." in mail.outbox[0].body


def test_outsiders_cannot_report_concerns(client, group):
    client.force_login(make_user("outsider@example.com"))
    response = client.post("/watch/elm-street-watch/concerns/", {"subject": "Hi", "body": "Hello"})
    assert response.status_code == 403
    assert not Concern.objects.exists()


def test_a_proposed_group_is_hidden_from_others(client, proposed_group, other_resident):
    assert client.get("/watch/elm-street-watch/").status_code == 404
    client.force_login(other_resident)
    assert client.get("/watch/elm-street-watch/").status_code == 404


def test_the_group_list_filters_by_neighbourhood_and_refuses_an_unknown_one(client, group, neighbourhood):
    from neighbourhoods.models import Neighbourhood

    Neighbourhood.objects.create(name="Old Town", slug="old-town")
    assert "Elm Street Watch" in client.get(f"/watch/?neighbourhood={neighbourhood.slug}").content.decode()
    assert "Elm Street Watch" not in client.get("/watch/?neighbourhood=old-town").content.decode()
    assert client.get("/watch/?neighbourhood=atlantis").status_code == 404


@pytest.mark.parametrize("count", [5, 55])
def test_the_group_list_query_count_is_flat(client, officer, neighbourhood, count, django_assert_max_num_queries):
    from watch.services import watch_group_propose

    for number in range(count):
        user = make_user(f"coordinator{number}@example.com")
        group = watch_group_propose(user=user, neighbourhood=neighbourhood, name=f"Group {number}", description="x")
        watch_group_approve(officer=officer, group=group)
    with django_assert_max_num_queries(6):
        response = client.get("/watch/")
    assert response.status_code == 200


def test_an_officer_declines_a_proposal_from_the_admin_and_the_coordinator_learns_why(
    desk_client, officer, proposed_group, resident, django_capture_on_commit_callbacks
):
    change_page = desk_client.get(f"/admin/watch/watchgroup/{proposed_group.pk}/change/").content.decode()
    decline_url = f"/admin/watch/watchgroup/{proposed_group.pk}/decline/"
    assert decline_url in change_page

    # No reason: the form says so and nothing changes.
    refused = desk_client.post(decline_url, {"reason": "  "})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    proposed_group.refresh_from_db()
    assert proposed_group.status == WatchGroup.Status.PROPOSED

    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(decline_url, {"reason": "Maple Street Watch already covers these streets."})

    assert response.status_code == 302
    proposed_group.refresh_from_db()
    assert proposed_group.status == WatchGroup.Status.DECLINED
    assert proposed_group.decline_reason == "Maple Street Watch already covers these streets."
    assert AuditEntry.objects.filter(action="watch.group.decline", target_id=str(proposed_group.pk)).exists()
    [message] = mail.outbox
    assert message.to == [resident.email]
    assert "Maple Street Watch already covers these streets." in message.body
    # A declined group cannot be approved, nor declined twice.
    with pytest.raises(WatchError, match="not waiting"):
        watch_group_approve(officer=officer, group=proposed_group)
    assert decline_url not in desk_client.get(f"/admin/watch/watchgroup/{proposed_group.pk}/change/").content.decode()


def test_residents_cannot_decline_groups_and_a_reason_is_required(other_resident, officer, proposed_group):
    with pytest.raises(WatchPermissionError):
        watch_group_decline(officer=other_resident, group=proposed_group, reason="No.")
    with pytest.raises(WatchError, match="Say why"):
        watch_group_decline(officer=officer, group=proposed_group, reason=" ")

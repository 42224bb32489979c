"""Watch groups have bounds: texts have a length limit, every action that e-mails someone else is
rate-limited per sender and per recipient with a translated "try again" message, and a new group's
web address is found in one query however many groups share its name."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.ratelimit import RateLimited
from tests.conftest import make_user
from watch.models import CONCERN_BODY_MAX_LENGTH, POST_BODY_MAX_LENGTH, Concern, Membership, Post, WatchGroup
from watch.services import (
    WatchError,
    _unique_slug,
    concern_report,
    membership_join,
    post_create,
    watch_group_propose,
)

pytestmark = pytest.mark.django_db

HUGE = "x" * (2_400_000)


@pytest.fixture
def member(group, other_resident):
    membership_join(user=other_resident, group=group)
    return other_resident


def test_a_huge_concern_is_refused_with_a_clear_message_and_not_stored_or_sent(client, group, member):
    mail.outbox.clear()
    client.force_login(member)
    response = client.post(f"{group.get_absolute_url()}concerns/", {"subject": "Noise", "body": HUGE})
    assert response.status_code == 400
    assert f"Ensure this value has at most {CONCERN_BODY_MAX_LENGTH} characters" in response.content.decode()
    assert not Concern.objects.exists()
    assert not mail.outbox
    with pytest.raises(WatchError, match="shorten"):
        concern_report(user=member, group=group, subject="Noise", body=HUGE)


def test_a_huge_announcement_is_refused_whoever_posts_it(client, group, officer, resident):
    client.force_login(officer)
    response = client.post(f"{group.get_absolute_url()}posts/", {"title": "News", "body": HUGE})
    assert response.status_code == 400
    assert f"Ensure this value has at most {POST_BODY_MAX_LENGTH} characters" in response.content.decode()
    with pytest.raises(WatchError, match="shorten"):
        post_create(author=resident, group=group, title="News", body=HUGE)
    assert not Post.objects.exists()


def test_a_huge_proposal_is_refused(resident_client, resident, neighbourhood):
    response = resident_client.post(
        "/watch/propose/", {"name": "Big Watch", "neighbourhood": neighbourhood.pk, "description": HUGE}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 4000 characters" in response.content.decode()
    with pytest.raises(WatchError, match="shorten"):
        watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Big Watch", description=HUGE)
    assert WatchGroup.objects.count() == 0


def test_leaving_and_joining_again_cannot_flood_the_coordinator(
    client, group, resident, other_resident, django_capture_on_commit_callbacks
):
    group.members_need_approval = True
    group.save()
    mail.outbox.clear()
    client.force_login(other_resident)
    with django_capture_on_commit_callbacks(execute=True):
        for _cycle in range(10):
            response = client.post(f"{group.get_absolute_url()}join/", follow=True)
            client.post(f"{group.get_absolute_url()}leave/")
    assert len([m for m in mail.outbox if m.to == [resident.email]]) == 2  # WATCH_JOIN_REQUESTS_PER_GROUP_DAY
    assert "You have done this too many times. Please try again in" in response.content.decode()
    assert not Membership.objects.filter(group=group, user=other_resident).exists()


def test_join_requests_are_limited_per_resident_across_groups(
    other_resident, resident, neighbourhood, officer, settings, django_capture_on_commit_callbacks
):
    from watch.services import watch_group_approve

    settings.WATCH_JOIN_REQUESTS_PER_HOUR = 2
    settings.WATCH_PROPOSALS_PER_DAY = 10
    groups = []
    for number in range(3):
        proposed = watch_group_propose(
            user=resident,
            neighbourhood=neighbourhood,
            name=f"Street {number}",
            description=".",
            members_need_approval=True,
        )
        groups.append(watch_group_approve(officer=officer, group=proposed))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(user=other_resident, group=groups[0])
        membership_join(user=other_resident, group=groups[1])
    with pytest.raises(RateLimited):
        membership_join(user=other_resident, group=groups[2])
    assert len(mail.outbox) == 2


def test_join_requests_are_limited_per_coordinator_too(group, resident, settings, django_capture_on_commit_callbacks):
    settings.WATCH_JOIN_REQUESTS_PER_COORDINATOR_HOUR = 2
    group.members_need_approval = True
    group.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            membership_join(user=make_user(f"neighbour{number}@example.com"), group=group)
    with pytest.raises(RateLimited):
        membership_join(user=make_user("neighbour9@example.com"), group=group)
    assert len(mail.outbox) == 2


def test_joining_an_open_group_e_mails_nobody_and_is_not_limited(group, settings):
    settings.WATCH_JOIN_REQUESTS_PER_HOUR = 1
    settings.WATCH_JOIN_REQUESTS_PER_COORDINATOR_HOUR = 1
    for number in range(3):
        membership_join(user=make_user(f"open{number}@example.com"), group=group)
    assert group.memberships.filter(status=Membership.Status.ACTIVE).count() == 4


def test_concerns_are_limited_per_member_and_the_form_comes_back_filled_in(
    client, group, member, settings, django_capture_on_commit_callbacks
):
    settings.WATCH_CONCERNS_PER_HOUR = 2
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            client.post(f"{group.get_absolute_url()}concerns/", {"subject": f"Lamp {number}", "body": "Out again."})
        response = client.post(f"{group.get_absolute_url()}concerns/", {"subject": "Third", "body": "Kept text."})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please try again in" in page
    assert "Kept text." in page  # nothing the resident wrote is lost
    assert Concern.objects.count() == 2


def test_concerns_are_limited_per_liaison(group, settings):
    settings.WATCH_CONCERNS_PER_LIAISON_HOUR = 2
    reporters = [make_user(f"member{number}@example.com") for number in range(3)]
    for reporter in reporters:
        membership_join(user=reporter, group=group)
    concern_report(user=reporters[0], group=group, subject="One", body="One.")
    concern_report(user=reporters[1], group=group, subject="Two", body="Two.")
    with pytest.raises(RateLimited) as refused:
        concern_report(user=reporters[2], group=group, subject="Three", body="Three.")
    assert "try again" in refused.value.message
    assert Concern.objects.count() == 2


def test_announcements_are_limited_per_author_and_per_group(client, group, resident, officer, settings):
    settings.WATCH_POSTS_PER_DAY = 2
    settings.WATCH_POSTS_PER_GROUP_DAY = 3
    client.force_login(resident)
    for number in range(2):
        client.post(f"{group.get_absolute_url()}posts/", {"title": f"Walk {number}", "body": "Tonight."})
    response = client.post(f"{group.get_absolute_url()}posts/", {"title": "Walk 3", "body": "Still here."})
    assert response.status_code == 429
    assert "Still here." in response.content.decode()
    post_create(author=officer, group=group, title="From the police", body="Hello.")
    with pytest.raises(RateLimited):  # the members have had enough for today, whoever writes
        post_create(author=officer, group=group, title="Again", body="Hello again.")
    assert Post.objects.count() == 3


def test_proposals_are_limited_per_resident(resident_client, neighbourhood, settings):
    settings.WATCH_PROPOSALS_PER_DAY = 2
    for number in range(2):
        resident_client.post(
            "/watch/propose/", {"name": f"Watch {number}", "neighbourhood": neighbourhood.pk, "description": "Here."}
        )
    response = resident_client.post(
        "/watch/propose/", {"name": "Watch 3", "neighbourhood": neighbourhood.pk, "description": "Kept here."}
    )
    assert response.status_code == 429
    assert "Please try again in" in response.content.decode()
    assert "Kept here." in response.content.decode()
    assert WatchGroup.objects.count() == 2


def test_a_new_web_address_costs_one_query_however_many_groups_share_the_name(resident, neighbourhood, settings):
    settings.WATCH_PROPOSALS_PER_DAY = 1000
    for _number in range(12):
        watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Elm Street", description="Elm.")
    WatchGroup.objects.create(
        name="Elm Street West", slug="elm-street-west", neighbourhood=neighbourhood, description="."
    )
    slugs = set(WatchGroup.objects.values_list("slug", flat=True))
    assert {"elm-street", "elm-street-2", "elm-street-12"} <= slugs
    with CaptureQueriesContext(connection) as queries:
        assert _unique_slug("Elm Street") == "elm-street-13"
    assert len(queries) == 1

"""A liaison officer is named to residents and visitors by their name, or as "A police officer":
never by their e-mail address, which is also their log-in to the officers' desk."""

import pytest
from django.core import mail

from tests.conftest import make_user
from watch.services import membership_join, post_create, watch_group_approve, watch_group_propose

pytestmark = pytest.mark.django_db


def test_the_group_pages_do_not_publish_the_liaisons_address(client, group, officer):
    assert not officer.first_name and not officer.last_name  # No name: the address was the fallback.
    for url in ["/watch/", group.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert officer.email not in page, url
    assert "A police officer" in client.get(group.get_absolute_url()).content.decode()


def test_e_mails_to_residents_do_not_carry_the_liaisons_address(
    resident, other_resident, neighbourhood, officer, django_capture_on_commit_callbacks
):
    proposed = watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Oak Watch", description="Oak.")
    with django_capture_on_commit_callbacks(execute=True):
        group = watch_group_approve(officer=officer, group=proposed)
    membership_join(user=other_resident, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        post_create(author=officer, group=group, title="Patrol tonight", body="We walk at nine.")
    to_residents = [m for m in mail.outbox if m.to != [officer.email]]
    assert len(to_residents) >= 2
    for message in to_residents:
        assert officer.email not in message.body, message.subject
        assert "A police officer" in message.body, message.subject


def test_a_named_liaison_is_named(client, resident, neighbourhood):
    named = make_user(
        "officer.named@example.com", is_staff=True, is_superuser=True, first_name="Sam", last_name="Ortiz"
    )
    proposed = watch_group_propose(user=resident, neighbourhood=neighbourhood, name="Ash Watch", description="Ash.")
    group = watch_group_approve(officer=named, group=proposed)
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Sam Ortiz" in page and named.email not in page

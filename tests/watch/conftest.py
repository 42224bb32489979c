import pytest
from django.contrib.auth.models import Group

from accounts.roles import OFFICERS
from tests.conftest import make_user
from watch.services import watch_group_approve, watch_group_propose


@pytest.fixture
def proposed_group(resident, neighbourhood):
    return watch_group_propose(
        user=resident, neighbourhood=neighbourhood, name="Elm Street Watch", description="Elm Street, 100 to 400 block."
    )


@pytest.fixture
def group(proposed_group, officer):
    return watch_group_approve(officer=officer, group=proposed_group)


@pytest.fixture
def other_officer(db):
    user = make_user("officer.frank@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def rename_post(group) -> dict:
    """The admin change form's post for ``group`` (one member, no posts), renaming it "Renamed"."""
    return {
        "name": "Renamed",
        "slug": group.slug,
        "neighbourhood": group.neighbourhood_id,
        "description": group.description,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": group.memberships.get().pk,
        "memberships-0-group": group.pk,
        "posts-TOTAL_FORMS": "0",
        "posts-INITIAL_FORMS": "0",
    }

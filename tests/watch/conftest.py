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

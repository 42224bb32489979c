"""A group's page links its training program and meetings; only its liaison officer changes it in the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Meeting
from programs.models import Program
from tests.conftest import desk_client_for
from tests.programs.conftest import make_program
from tests.watch.conftest import rename_post

pytestmark = pytest.mark.django_db


def _meeting(title, *, starts_in, published=True):
    starts_at = timezone.now() + starts_in
    return Meeting.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        is_published=published,
    )


def test_the_group_page_links_its_training_and_upcoming_meetings(client, group):
    group.training_program = make_program(title="Neighbourhood Watch training", kind=Program.Kind.WORKSHOP)
    group.save()
    group.meetings.set(
        [
            _meeting("Watch kick-off", starts_in=timedelta(days=3)),
            _meeting("Last month's walk", starts_in=timedelta(days=-30)),
            _meeting("Unpublished planning", starts_in=timedelta(days=5), published=False),
        ]
    )
    content = client.get(group.get_absolute_url()).content.decode()
    assert "Neighbourhood Watch training" in content
    assert group.training_program.get_absolute_url() in content
    assert "Watch kick-off" in content
    assert "Last month's walk" not in content
    assert "Unpublished planning" not in content


def test_a_draft_training_program_is_not_shown(client, group):
    group.training_program = make_program(title="Secret draft", status=Program.Status.DRAFT)
    group.save()
    assert "Secret draft" not in client.get(group.get_absolute_url()).content.decode()


@pytest.fixture
def desk(db):
    return desk_client_for


def test_only_the_liaison_officer_changes_the_group_in_the_admin(desk, group, officer, other_officer):
    data = rename_post(group)
    client = desk(other_officer)
    assert client.post(f"/admin/watch/watchgroup/{group.pk}/change/", data).status_code == 403
    group.refresh_from_db()
    assert group.name == "Elm Street Watch"

    client = desk(officer)
    response = client.post(f"/admin/watch/watchgroup/{group.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    group.refresh_from_db()
    assert group.name == "Renamed"

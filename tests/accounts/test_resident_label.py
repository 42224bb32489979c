"""The officers' desk shows a person one way on every screen: "Name <e-mail>", or the e-mail alone."""

import pytest

from accounts.models import Profile
from accounts.selectors import resident_label
from meetings.services import rsvp_create
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_a_name_and_the_address(resident):
    Profile.objects.update_or_create(user=resident, defaults={"display_name": "Ada  Lovelace\n"})
    resident.refresh_from_db()
    assert resident_label(resident) == f"Ada Lovelace <{resident.email}>"
    assert str(resident) == f"Ada Lovelace <{resident.email}>"
    assert str(resident.profile) == f"Ada Lovelace <{resident.email}>"


def test_the_address_alone_without_a_name():
    from tests.conftest import make_user

    nameless = make_user("nameless@example.com")
    assert str(nameless) == "nameless@example.com"


def test_the_full_name_when_there_is_no_display_name(resident):
    resident.last_name = "Hopper"
    assert str(resident) == f"Alice Hopper <{resident.email}>"


def test_lists_pickers_and_autocompletes_show_the_label(desk_client, resident, officer):
    Profile.objects.update_or_create(user=resident, defaults={"display_name": "Ada Lovelace"})
    rsvp = rsvp_create(meeting=make_meeting(), user=resident)
    label = f"Ada Lovelace &lt;{resident.email}&gt;"
    assert label in desk_client.get("/admin/meetings/rsvp/").content.decode()
    assert label in desk_client.get(f"/admin/meetings/rsvp/{rsvp.pk}/change/").content.decode()
    assert label in desk_client.get("/admin/accounts/profile/").content.decode()


def test_the_rsvp_list_loads_names_without_a_query_per_row(desk_client, django_assert_max_num_queries, resident):
    from tests.conftest import make_user

    meeting = make_meeting(capacity=None)
    for number in range(30):
        user = make_user(f"person{number}@example.com")
        Profile.objects.update_or_create(user=user, defaults={"display_name": f"Person {number}"})
        rsvp_create(meeting=meeting, user=user)
    with django_assert_max_num_queries(15):
        page = desk_client.get("/admin/meetings/rsvp/").content.decode()
    assert "Person 29 &lt;person29@example.com&gt;" in page


def test_a_picker_of_people_loads_their_names_without_a_query_per_person(desk_client, django_assert_max_num_queries):
    from tests.conftest import make_user

    for number in range(25):
        user = make_user(f"host{number}@example.com", is_staff=True)
        Profile.objects.update_or_create(user=user, defaults={"display_name": f"Host {number}"})
    with django_assert_max_num_queries(25):
        page = desk_client.get("/admin/meetings/meeting/add/").content.decode()
    assert "Host 24 &lt;host24@example.com&gt;" in page

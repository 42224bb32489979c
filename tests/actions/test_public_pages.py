"""The public pages: lists with filters and timelines, the item page, following, the feed, the meeting page."""

from datetime import date, datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from actions import services
from actions.models import ActionFollower, ActionItem, ActionUpdate
from tests.actions.conftest import make_action

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_city_wide_list_shows_every_item_with_its_timeline_and_overdue_flag(client, officer, neighbourhood):
    late = make_action(officer, title="Trim the hedges", neighbourhood=neighbourhood, due_date=date(2020, 1, 1))
    services.add_update(late, by=officer, body="Quote requested.")
    make_action(officer, title="City-wide lighting audit")

    page = client.get("/actions/").content.decode()

    assert "Trim the hedges" in page and "City-wide lighting audit" in page
    assert "Quote requested." in page and "Overdue" in page
    assert page.count("Overdue") == 1


def test_filters_by_status_source_and_neighbourhood(client, officer, neighbourhood, other_neighbourhood, question):
    make_action(officer, title="From a question", source=question, neighbourhood=neighbourhood)
    make_action(officer, title="Planned elsewhere", status="planned", neighbourhood=other_neighbourhood)

    def titles(query: str) -> list[str]:
        return [item.title for item in client.get(f"/actions/?{query}").context["page"].object_list]

    assert titles("source=question") == ["From a question"]
    assert titles("status=planned") == ["Planned elsewhere"]
    assert titles("neighbourhood=old-town") == ["Planned elsewhere"]


def test_a_bad_filter_says_so_and_shows_everything(client, officer):
    make_action(officer, title="Something")
    response = client.get("/actions/?status=maybe")
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert len(response.context["page"].object_list) == 1


def test_the_neighbourhood_page_lists_its_items_and_links_its_feed(client, officer, neighbourhood):
    make_action(officer, title="Here", neighbourhood=neighbourhood)
    make_action(officer, title="City-wide")
    response = client.get("/actions/in/riverside/")
    assert [item.title for item in response.context["page"].object_list] == ["Here"]
    assert "/actions/in/riverside/feed/" in response.content.decode()
    assert client.get("/actions/in/nowhere/").status_code == 404


@pytest.mark.parametrize("count", [5, 500])
def test_the_lists_cost_the_same_queries_for_5_or_500_items(
    client, officer, neighbourhood, count, django_assert_max_num_queries
):
    items = ActionItem.objects.bulk_create(
        ActionItem(title=f"Action {n}", neighbourhood=neighbourhood if n % 2 else None) for n in range(count)
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(action=item, status=item.status, body="Note") for item in items for _ in range(2)
    )
    with django_assert_max_num_queries(6):
        assert client.get("/actions/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/actions/in/riverside/?page=2").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/actions/in/riverside/feed/").status_code == 200


def test_the_item_page_shows_the_reason_and_the_timeline(client, officer):
    action = make_action(officer, title="Move the bus stop", due_date=date(2030, 1, 1))
    services.change_status(action, by=officer, status="not_possible", reason="The transit authority refused.")
    page = client.get(action.get_absolute_url()).content.decode()
    assert "The transit authority refused." in page and "Not possible" in page
    assert "Log in" in page
    assert client.get("/actions/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_resident_follows_and_unfollows_by_post_with_csrf(resident, officer):
    action = make_action(officer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post(f"/actions/{action.code}/follow/").status_code == 403  # no token
    assert client.get(f"/actions/{action.code}/follow/").status_code == 405

    page = client.get(action.get_absolute_url())
    token = page.cookies["csrftoken"].value
    response = client.post(f"/actions/{action.code}/follow/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and ActionFollower.objects.filter(user=resident).exists()
    assert "Stop following" in client.get(action.get_absolute_url()).content.decode()

    client.post(f"/actions/{action.code}/unfollow/", {"csrfmiddlewaretoken": token})
    assert not ActionFollower.objects.filter(muted=False).exists()


def test_following_needs_an_account(client, officer):
    action = make_action(officer)
    response = client.post(f"/actions/{action.code}/follow/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ActionFollower.objects.exists()


def test_following_is_rate_limited(resident_client, officer, settings):
    settings.ACTIONS_FOLLOW_LIMIT = 2
    action = make_action(officer)
    for _ in range(2):
        resident_client.post(f"/actions/{action.code}/follow/")
        resident_client.post(f"/actions/{action.code}/unfollow/")
    response = resident_client.post(f"/actions/{action.code}/follow/", follow=True)
    assert "too many times" in response.content.decode()
    assert not ActionFollower.objects.filter(muted=False).exists()


def test_the_neighbourhood_feed_is_atom_with_each_item_s_timeline(client, officer, neighbourhood):
    action = make_action(officer, title="Fix <the> lights", neighbourhood=neighbourhood, due_date=date(2020, 1, 1))
    services.add_update(action, by=officer, body="Parts ordered.")
    make_action(officer, title="Not here")

    response = client.get("/actions/in/riverside/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - the portal's own output
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Fix <the> lights (Proposed, overdue)"]
    assert "Parts ordered." in entries[0].findtext(f"{ATOM}summary")
    assert entries[0].findtext(f"{ATOM}id") == f"urn:uuid:{action.code}"


def test_the_meeting_page_shows_what_came_out_of_it(client, officer, question, meeting):
    make_action(officer, title="Lights stay on until midnight", source=question)
    make_action(officer, title="Unrelated")

    page = client.get(meeting.get_absolute_url()).content.decode()

    assert "You said, we did" in page
    assert "Lights stay on until midnight" in page and "Unrelated" not in page


def test_the_overdue_flag_on_the_page_follows_the_city_s_clock(client, officer):
    chicago = ZoneInfo("America/Chicago")
    action = make_action(officer, title="Due today", due_date=date(2026, 12, 1))
    with time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=chicago), tick=False):
        assert "Overdue" not in client.get(action.get_absolute_url()).content.decode()
    with time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=chicago) + timedelta(hours=2), tick=False):
        assert "Overdue" in client.get(action.get_absolute_url()).content.decode()


def test_the_asker_sees_they_will_hear_and_can_stop_the_e_mails(resident_client, resident, officer, question):
    action = make_action(officer, source=question)
    page = resident_client.get(action.get_absolute_url()).content.decode()
    assert "Stop e-mails about this action" in page

    resident_client.post(f"/actions/{action.code}/unfollow/")

    assert resident.pk not in services.audience_ids(action)
    assert "Stop e-mails about this action" not in resident_client.get(action.get_absolute_url()).content.decode()

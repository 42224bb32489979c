"""The public report is served from the cache to anonymous visitors, and a review or an action's
new status shows at the next visit."""

from datetime import timedelta

import pytest
from django.urls import reverse

from actions.services import change_status
from audits import services
from portal.cache import CACHE_STATUS_HEADER
from tests.audits.conftest import make_walk

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 120


def test_the_report_is_cached_and_refreshed_by_reviews_and_action_statuses(
    client, neighbourhood, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        walk = make_walk(neighbourhood=neighbourhood, started_ago=timedelta(hours=3))
        first = services.finding_record(walk=walk, author=officer, notes="Dark steps")
        action = services.finding_make_action(finding=first, by=officer, title="Light the steps")
        services.walk_report_publish(walk=walk, by=officer)
    url = reverse("audits:report", args=[walk.meeting.slug])
    assert client.get(url)[CACHE_STATUS_HEADER] == "miss"
    assert client.get(url)[CACHE_STATUS_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        second = services.finding_record(walk=walk, author=officer, notes="Broken fence")
        services.finding_review(finding=second, by=officer)
    response = client.get(url)
    assert response[CACHE_STATUS_HEADER] == "miss" and "Broken fence" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        change_status(action, by=officer, status="in_progress")
    response = client.get(url)
    assert response[CACHE_STATUS_HEADER] == "miss" and "In progress" in response.content.decode()

"""The officers' desk counts safety-audit findings waiting for review and links to exactly those."""

import pytest

from audits import services

pytestmark = pytest.mark.django_db


def test_the_desk_counts_findings_to_review_and_links_to_them(desk_client, walk, participant, officer):
    waiting = services.finding_record(walk=walk, author=participant, notes="Waiting")
    reviewed = services.finding_record(walk=walk, author=participant, notes="Seen")
    services.finding_review(finding=reviewed, by=officer)

    desk = desk_client.get("/admin/")
    queue = next(q for q in desk.context["desk"]["queues"] if q["key"] == "audits.findings_to_review")
    listed = desk_client.get(queue["url"])

    assert queue["count"] == 1
    assert list(listed.context["cl"].result_list) == [waiting]

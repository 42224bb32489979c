"""Officers review findings, dismiss some and merge duplicates, keeping both texts and photos."""

import pytest

from audit.models import AuditEntry
from audits import services
from audits.models import Finding
from tests.audits.conftest import check_in, jpeg_with_gps, make_walk, plain_png
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_findings(walk, participant):
    other = make_user("second@example.com")
    check_in(walk, other)
    first = services.finding_record(walk=walk, author=participant, notes="Lamp out", photos=[(plain_png(), "a.png")])
    second = services.finding_record(
        walk=walk, author=other, notes="Dark under the bridge", photos=[(jpeg_with_gps(), "b.jpg")]
    )
    return first, second


def test_a_merge_keeps_both_texts_and_photos_and_points_the_duplicate_at_the_kept_one(two_findings, officer):
    kept, duplicate = two_findings

    services.finding_merge(duplicate=duplicate, kept=kept, by=officer)

    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (Finding.Status.MERGED, kept)
    assert duplicate.notes == "Dark under the bridge" and kept.notes == "Lamp out"
    assert kept.photos.count() == 2 and duplicate.photos.count() == 0
    assert kept.status == Finding.Status.REVIEWED
    assert AuditEntry.objects.filter(action="audits.finding_merged", actor=officer).count() == 1


def test_merging_a_chain_repoints_earlier_duplicates(two_findings, walk, participant, officer):
    first, second = two_findings
    third = services.finding_record(walk=walk, author=participant, notes="Same lamp")
    services.finding_merge(duplicate=third, kept=second, by=officer)
    services.finding_merge(duplicate=second, kept=first, by=officer)
    third.refresh_from_db()
    assert third.duplicate_of == first


@pytest.mark.parametrize("case", ["itself", "other walk", "onto merged"])
def test_merges_that_make_no_sense_are_refused(two_findings, officer, neighbourhood, case):
    first, second = two_findings
    if case == "itself":
        duplicate, kept = first, first
    elif case == "other walk":
        elsewhere = make_walk(area="Park", neighbourhood=neighbourhood)
        duplicate, kept = services.finding_record(walk=elsewhere, author=officer, notes="x"), first
    else:
        services.finding_merge(duplicate=second, kept=first, by=officer)
        duplicate, kept = first, second
    with pytest.raises(services.AuditError):
        services.finding_merge(duplicate=duplicate, kept=kept, by=officer)


def test_review_and_dismiss_are_audited(two_findings, officer):
    first, second = two_findings
    services.finding_review(finding=first, by=officer)
    services.finding_dismiss(finding=second, by=officer)
    assert list(Finding.objects.order_by("id").values_list("status", flat=True)) == ["reviewed", "dismissed"]
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "audits.finding_reviewed",
        "audits.finding_dismissed",
    }


def test_the_admin_merge_action_goes_through_the_service(two_findings, desk_client):
    first, second = two_findings
    response = desk_client.post(
        "/admin/audits/finding/",
        {"action": "merge", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert AuditEntry.objects.filter(action="audits.finding_merged").exists()


def test_the_admin_shows_a_finding_with_its_photos_and_merged_texts(two_findings, desk_client, officer):
    first, second = two_findings
    services.finding_merge(duplicate=second, kept=first, by=officer)
    html = desk_client.get(f"/admin/audits/finding/{first.pk}/change/").content.decode()
    assert "Dark under the bridge" in html
    assert html.count("/safety-audits/photos/") >= 2


def _findings_list_queries(desk_client, walk, officer, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Finding.objects.bulk_create([Finding(walk=walk, author=officer, notes=f"note {n}") for n in range(count)])
    desk_client.get("/admin/audits/finding/")  # the session and permissions are loaded once
    with CaptureQueriesContext(connection) as queries:
        assert desk_client.get("/admin/audits/finding/").status_code == 200
    Finding.objects.all().delete()
    return len(queries)


def test_the_officers_finding_list_costs_the_same_for_5_or_500_findings(desk_client, walk, officer):
    few = _findings_list_queries(desk_client, walk, officer, 5)
    many = _findings_list_queries(desk_client, walk, officer, 500)
    assert many <= few

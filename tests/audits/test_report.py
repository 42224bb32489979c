"""The public report: counts only (small ones withheld), findings by theme without names, re-audit changes, PDF."""

from datetime import timedelta

import pytest
from django.urls import reverse

from audits import selectors, services
from audits.models import Finding
from tests.audits.conftest import check_in, default_template, make_walk
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _walk_with(officer, neighbourhood, ratings, *, people=None, area="Mill Lane", previous=None, notes=""):
    """A finished walk where each of ``people`` (default: one per rating) rated the first item."""
    walk = make_walk(area=area, neighbourhood=neighbourhood, started_ago=timedelta(hours=3), previous_walk=previous)
    item = default_template().items.first()
    for number, rating in enumerate(ratings):
        user = make_user(f"walker{walk.pk}-{number}@example.com", first_name=f"Walker{number}")
        check_in(walk, user)
        finding = services.finding_record(
            walk=walk, author=user, answers=[(item, rating, "")], notes=notes and f"{notes} {number}"
        )
        services.finding_review(finding=finding, by=officer)
    for number in range(people or 0):
        check_in(walk, make_user(f"extra{walk.pk}-{number}@example.com"))
    services.walk_report_publish(walk=walk, by=officer)
    return walk


def test_counts_under_five_are_withheld_and_no_names_are_shown(client, officer, neighbourhood):
    walk = _walk_with(officer, neighbourhood, ["urgent", "attention"], notes="Dark corner")
    response = client.get(reverse("audits:report", args=[walk.meeting.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("fewer than 5") == 2  # residents and findings
    assert "Dark corner 0" in html and "Walker0" not in html and "example.com" not in html
    # Two ratings of the first item: its overall verdict shows, its per-rating counts do not.
    assert "Needs attention: " not in html


def test_counts_of_five_or_more_are_shown(client, officer, neighbourhood):
    walk = _walk_with(officer, neighbourhood, ["good"] * 5)
    report = selectors.walk_report(walk)
    assert (report["participants"], report["findings_count"]) == (5, 5)
    first = report["themes"][0][1][0]
    assert first.verdict == "good" and first.shown_counts[0][1] == 5


def test_notes_are_not_listed_in_the_order_they_were_written(client, officer, neighbourhood):
    # Who walked in first or left last is often known: the report's order must not match notes to them.
    walk = make_walk(area="Mill Lane", neighbourhood=neighbourhood, started_ago=timedelta(hours=3))
    item = default_template().items.first()
    for number, text in enumerate(["Zebra crossing faded", "Bins overflowing", "Mossy steps"]):
        user = make_user(f"order{number}@example.com")
        check_in(walk, user)
        finding = services.finding_record(walk=walk, author=user, answers=[(item, "urgent", text)], notes=text)
        services.finding_review(finding=finding, by=officer)
    services.walk_report_publish(walk=walk, by=officer)
    report = selectors.walk_report(walk)
    expected = ["Bins overflowing", "Mossy steps", "Zebra crossing faded"]
    assert [finding.notes for finding in report["general_notes"]] == expected
    assert report["themes"][0][1][0].notes == expected
    html = client.get(reverse("audits:report", args=[walk.meeting.slug])).content.decode()
    assert html.index("Bins overflowing") < html.index("Mossy steps") < html.index("Zebra crossing")


def test_unreviewed_and_dismissed_findings_stay_out_of_the_report(officer, neighbourhood):
    walk = _walk_with(officer, neighbourhood, [])
    services.finding_record(walk=walk, author=officer, notes="Not reviewed yet")
    dismissed = services.finding_record(walk=walk, author=officer, notes="Off topic")
    services.finding_dismiss(finding=dismissed, by=officer)
    report = selectors.walk_report(walk)
    assert report["general_notes"] == []


def test_a_re_audit_shows_what_changed_per_item(officer, neighbourhood):
    before = _walk_with(officer, neighbourhood, ["urgent", "urgent"])
    after = _walk_with(officer, neighbourhood, ["good", "good"], previous=before)
    report = selectors.walk_report(after)
    first_item, *others = [result for _theme, results in report["themes"] for result in results]
    assert first_item.change == "better"
    assert all(result.change == "" for result in others)  # not rated on either walk
    worse = _walk_with(officer, neighbourhood, ["urgent", "attention"], previous=after)
    assert selectors.walk_report(worse)["themes"][0][1][0].change == "worse"
    same = _walk_with(officer, neighbourhood, ["urgent", "attention"], previous=worse)
    assert selectors.walk_report(same)["themes"][0][1][0].change == "same"


def test_an_unpublished_report_is_not_found(client, walk):
    assert client.get(reverse("audits:report", args=[walk.meeting.slug])).status_code == 404
    assert client.get(reverse("audits:report-pdf", args=[walk.meeting.slug])).status_code == 404


def test_the_report_cannot_be_published_before_the_walk_ends(walk, officer):
    with pytest.raises(services.AuditError):
        services.walk_report_publish(walk=walk, by=officer)


def test_publishing_tells_each_participant_once(officer, neighbourhood, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk = _walk_with(officer, neighbourhood, ["good", "urgent"])
        services.walk_report_publish(walk=walk, by=officer)  # again: nothing more is sent
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [f"walker{walk.pk}-0@example.com", f"walker{walk.pk}-1@example.com"]
    )
    assert "report" in mailoutbox[0].subject.lower()


def test_the_pdf_is_a_pdf_with_the_area(client, officer, neighbourhood):
    walk = _walk_with(officer, neighbourhood, ["urgent"], notes="Broken lamp")
    response = client.get(reverse("audits:report-pdf", args=[walk.meeting.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("findings", [5, 500])
def test_the_report_page_costs_the_same_queries_for_5_or_500_findings(
    client, officer, neighbourhood, findings, django_assert_max_num_queries
):
    walk = make_walk(neighbourhood=neighbourhood, started_ago=timedelta(hours=3))
    items = list(default_template().items.all())
    made = Finding.objects.bulk_create(
        [Finding(walk=walk, author=officer, notes=f"note {n}", status="reviewed") for n in range(findings)]
    )
    from audits.models import ChecklistAnswer

    ChecklistAnswer.objects.bulk_create(
        [ChecklistAnswer(finding=f, item=items[n % len(items)], rating="urgent", note="n") for n, f in enumerate(made)]
    )
    services.walk_report_publish(walk=walk, by=officer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("audits:report", args=[walk.meeting.slug])).status_code == 200


@pytest.mark.parametrize("walks", [5, 500])
def test_the_list_costs_the_same_queries_for_5_or_500_reports(
    client, officer, neighbourhood, walks, django_assert_max_num_queries
):
    from django.utils import timezone

    from audits.models import AuditWalk
    from meetings.models import Meeting

    start = timezone.now() - timedelta(days=3)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                title=f"Walk {n}",
                slug=f"walk-{n}",
                kind="safety_audit",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                is_published=True,
                neighbourhood=neighbourhood,
            )
            for n in range(walks)
        ]
    )
    AuditWalk.objects.bulk_create(
        [
            AuditWalk(meeting=m, area=f"Area {n}", template=default_template(), report_published_at=start)
            for n, m in enumerate(meetings)
        ]
    )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audits:list") + f"?neighbourhood={neighbourhood.slug}")
    assert response.status_code == 200 and "Area 4" in response.content.decode()

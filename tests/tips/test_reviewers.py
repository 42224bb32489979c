"""Only tip reviewers see tips; every view and change is logged, without tip content."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.roles import OFFICERS, TIP_REVIEWERS
from tests.conftest import desk_client_for
from tests.tips.conftest import jpeg_with_gps, named, settle_tips, submit_tip
from tips import selectors, services
from tips.models import Tip, TipAttachment, TipAuditEntry, TipCategory, TipMessage, TipNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def tip(client):
    assert submit_tip(client, what="Secret tip content 8841", files=[named(jpeg_with_gps(), "a.jpg")]).status_code
    settle_tips()
    return Tip.objects.get()


def tip_urls(tip) -> list[str]:
    attachment = TipAttachment.objects.get(tip=tip)
    entry = TipAuditEntry.objects.first()
    category = TipCategory.objects.first()
    return [
        "/admin/tips/",
        "/admin/tips/tip/",
        f"/admin/tips/tip/{tip.pk}/change/",
        f"/admin/tips/tip/{tip.pk}/history/",
        f"/admin/tips/tip/attachment/{attachment.pk}/",
        "/admin/tips/tipcategory/",
        f"/admin/tips/tipcategory/{category.pk}/change/",
        "/admin/tips/tipcategory/add/",
        "/admin/tips/tipauditentry/",
        f"/admin/tips/tipauditentry/{entry.pk}/change/",
    ]


def test_officers_hold_none_of_the_tips_permissions():
    officer_permissions = Permission.objects.filter(group__name=OFFICERS)
    assert not officer_permissions.filter(content_type__app_label="tips").exists()
    reviewer_permissions = set(Permission.objects.filter(group__name=TIP_REVIEWERS).values_list("codename", flat=True))
    assert {"view_tip", "change_tip", "view_tipauditentry", "change_tipcategory"} <= reviewer_permissions
    assert not {"delete_tip", "add_tip", "change_tipauditentry", "delete_tipauditentry"} & reviewer_permissions


def test_an_officer_outside_tip_reviewers_is_refused_every_tip_page(tip, officer):
    client = desk_client_for(officer)
    assert client.get("/admin/").status_code == 200  # the admin itself is open to them
    for url in tip_urls(tip):
        status = client.get(url).status_code
        assert status in (403, 404), f"{url} answered {status} to an officer outside Tip reviewers"
    assert client.post(f"/admin/tips/tip/{tip.pk}/change/", {"status": "closed"}).status_code in (403, 404)
    assert not TipAuditEntry.objects.filter(actor=officer).exists()
    assert "Secret tip content" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_and_residents_are_sent_to_log_in(tip, resident_client):
    for client in (Client(), resident_client):
        for url in tip_urls(tip):
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/login/" in response.url


def test_a_reviewer_sees_the_tip_and_each_view_is_logged(tip, reviewer_client, tip_reviewer):
    assert reviewer_client.get("/admin/tips/tip/").status_code == 200
    response = reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Secret tip content 8841" in page
    assert "attachment-1.jpg" in page
    views = TipAuditEntry.objects.filter(action="viewed", tip_reference=tip.reference, actor=tip_reviewer)
    assert views.count() == 1
    reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/")
    assert views.count() == 2
    # The audit log never quotes the tip.
    assert not any("8841" in str(entry.detail) for entry in TipAuditEntry.objects.all())


def test_triage_reply_and_note_go_through_services_and_are_logged(tip, reviewer_client, tip_reviewer, neighbourhood):
    category = TipCategory.objects.get(slug="drugs")
    response = reviewer_client.post(
        f"/admin/tips/tip/{tip.pk}/change/",
        {
            "status": "actionable",
            "category": category.pk,
            "neighbourhood": neighbourhood.pk,
            "assigned_to": tip_reviewer.pk,
            "reward_eligible": "on",
            "reply": "Which night did you see this?",
            "note": "Matches the case from last week.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tip.refresh_from_db()
    assert (tip.status, tip.category, tip.neighbourhood, tip.assigned_to, tip.reward_eligible) == (
        "actionable",
        category,
        neighbourhood,
        tip_reviewer,
        True,
    )
    assert [m.text for m in selectors.tip_messages(tip)] == ["Which night did you see this?"]
    assert "Which night" not in TipMessage.objects.get().body_encrypted
    note = TipNote.objects.get()
    assert "Matches" not in note.body_encrypted
    assert selectors.tip_notes(tip)[0][1] == "Matches the case from last week."
    actions = set(TipAuditEntry.objects.filter(actor=tip_reviewer).values_list("action", flat=True))
    assert {"changed", "replied", "note_added"} <= actions
    change = TipAuditEntry.objects.get(action="changed")
    assert change.detail["changes"]["status"] == ["new", "actionable"]
    assert "Which night" not in str(change.detail) and "Matches" not in str(change.detail)


def test_tips_can_be_assigned_only_to_reviewers(tip, tip_reviewer, officer):
    with pytest.raises(services.TipError):
        services.tip_triage(tip=tip, actor=tip_reviewer, assigned_to=officer)


def test_closing_starts_the_retention_clock_and_reopening_stops_it(tip, tip_reviewer):
    services.tip_triage(tip=tip, actor=tip_reviewer, status=Tip.Status.CLOSED)
    tip.refresh_from_db()
    assert tip.closed_at is not None
    services.tip_triage(tip=tip, actor=tip_reviewer, status=Tip.Status.IN_REVIEW)
    tip.refresh_from_db()
    assert tip.closed_at is None


def test_bulk_actions_use_the_same_service(tip, reviewer_client, tip_reviewer):
    response = reviewer_client.post(
        "/admin/tips/tip/", {"action": "mark_spam", "_selected_action": [str(tip.pk)]}, follow=True
    )
    assert "1 tip marked “Spam”." in response.content.decode()
    tip.refresh_from_db()
    assert tip.status == "spam" and tip.closed_at is not None
    assert TipAuditEntry.objects.filter(action="changed", actor=tip_reviewer).exists()


def test_reviewers_cannot_add_delete_or_edit_the_audit_log(tip, reviewer_client):
    entry = TipAuditEntry.objects.first()
    assert reviewer_client.get("/admin/tips/tip/add/").status_code == 403
    assert reviewer_client.get(f"/admin/tips/tip/{tip.pk}/delete/").status_code == 403
    assert reviewer_client.get(f"/admin/tips/tipauditentry/{entry.pk}/change/").status_code == 200  # read-only
    assert reviewer_client.post(f"/admin/tips/tipauditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    assert reviewer_client.post(f"/admin/tips/tipauditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TipAuditEntry.objects.filter(pk=entry.pk, action=entry.action).exists()


def test_categories_are_editable_by_reviewers(reviewer_client):
    response = reviewer_client.post(
        "/admin/tips/tipcategory/add/",
        {"name": "Animal cruelty", "slug": "animal-cruelty", "position": 55, "is_active": "on"},
    )
    assert response.status_code == 302
    assert TipCategory.objects.filter(slug="animal-cruelty").exists()
    assert [c.slug for c in TipCategory.objects.all()][:7] == [
        "drugs",
        "theft",
        "vandalism",
        "violence",
        "traffic",
        "fraud",
        "animal-cruelty",
    ]


def test_a_retired_category_is_no_longer_offered(client):
    TipCategory.objects.filter(slug="fraud").update(is_active=False)
    assert ">Fraud<" not in client.get("/tips/").content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_the_inbox_query_count_is_flat(reviewer_client, django_assert_max_num_queries, count, tip_reviewer):
    category = TipCategory.objects.first()
    for _ in range(count):
        tip = services.tip_create(
            category=category, what="x", where="", when="", neighbourhood=None, files=[], receipt_phrase=f"p{_}"
        )
        services.tip_triage(tip=tip, actor=tip_reviewer, assigned_to=tip_reviewer)
    settle_tips()
    with django_assert_max_num_queries(16):
        response = reviewer_client.get("/admin/tips/tip/?status__exact=new")
    assert response.status_code == 200


def test_only_reviewers_group_exists_as_configured():
    assert Group.objects.filter(name=TIP_REVIEWERS).exists()


def test_the_tip_is_shown_as_text_never_as_html(reviewer_client, tip_reviewer):
    tip = services.tip_create(
        category=TipCategory.objects.first(),
        what="Line one\n<script>alert('x')</script>",
        where="<b>here</b>",
        when="",
        neighbourhood=None,
        files=[],
        receipt_phrase="html phrase",
    )
    services.tip_reply(tip=tip, actor=tip_reviewer, text="Question\nsecond line")
    settle_tips()
    page = reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "&lt;b&gt;here&lt;/b&gt;" in page
    assert "&lt;p&gt;" not in page  # paragraphs are rendered, not shown as code
    assert "Question<br>second line" in page

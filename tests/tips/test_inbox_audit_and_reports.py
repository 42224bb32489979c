"""Every page of the tip inbox that shows a decrypted tip is logged; its error reports quote nothing of it."""

import pytest
from django.core import mail

from tests.conftest import desk_client_for
from tests.tips.conftest import settle_tips, submit_tip
from tips import selectors, services
from tips.admin import TipAdmin
from tips.models import Tip, TipAuditEntry

pytestmark = pytest.mark.django_db

TIP_TEXT = "Secret tip content 3317"


@pytest.fixture
def tip(client):
    assert submit_tip(client, what=TIP_TEXT).status_code == 200
    settle_tips()
    return Tip.objects.get()


def views_of(tip, reviewer):
    return TipAuditEntry.objects.filter(action="viewed", tip_reference=tip.reference, actor=reviewer).count()


def test_a_form_sent_back_with_a_mistake_shows_the_tip_and_is_logged(tip, reviewer_client, tip_reviewer):
    response = reviewer_client.post(f"/admin/tips/tip/{tip.pk}/change/", {"status": "no-such-status"})
    assert response.status_code == 200
    assert TIP_TEXT in response.content.decode()
    assert views_of(tip, tip_reviewer) == 1


def test_a_popup_or_any_other_rendering_of_the_tip_is_logged(tip, reviewer_client, tip_reviewer):
    response = reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/?_popup=1&_to_field=id")
    assert TIP_TEXT in response.content.decode()
    assert views_of(tip, tip_reviewer) == 1


def test_a_successful_save_is_logged_as_its_changes_not_as_a_view(tip, reviewer_client, tip_reviewer):
    response = reviewer_client.post(
        f"/admin/tips/tip/{tip.pk}/change/", {"status": "in_review", "category": tip.category_id}
    )
    assert response.status_code == 302  # a redirect shows nothing of the tip
    assert views_of(tip, tip_reviewer) == 0
    assert TipAuditEntry.objects.filter(action="changed", actor=tip_reviewer).exists()


def test_the_tip_is_never_decrypted_for_a_page_whose_view_was_not_logged(tip):
    from django.contrib.admin.sites import site
    from django.core.exceptions import PermissionDenied

    admin = TipAdmin(Tip, site)
    for show in (admin.report, admin.conversation, admin.internal_notes, admin.files):
        with pytest.raises(PermissionDenied):
            show(tip)


def test_if_the_view_cannot_be_logged_the_tip_is_not_shown(tip, tip_reviewer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "tip_record_view", broken)
    client = desk_client_for(tip_reviewer)
    client.raise_request_exception = False
    response = client.post(f"/admin/tips/tip/{tip.pk}/change/", {"status": "no-such-status"})
    assert response.status_code == 500
    assert TIP_TEXT not in response.content.decode()


def test_an_error_report_from_the_tip_inbox_quotes_no_reply_note_or_tip(tip, tip_reviewer, monkeypatch, settings):
    """Django's AdminEmailHandler report: POST values and frame variables of /admin/tips/ are left out."""
    settings.ADMINS = [("Administrators", "admins@precinct.example")]
    settings.DEBUG = False

    def broken(*, tip, actor, text):
        decrypted = selectors.tip_content(tip)  # a frame variable holding the tip  # noqa: F841
        raise RuntimeError("reply storage broke")

    monkeypatch.setattr(services, "tip_reply", broken)
    client = desk_client_for(tip_reviewer)
    client.raise_request_exception = False
    response = client.post(
        f"/admin/tips/tip/{tip.pk}/change/",
        {
            "status": "in_review",
            "category": tip.category_id,
            "reply": "reply-marker-6620 which night?",
            "note": "note-marker-4410 matches case",
        },
    )
    assert response.status_code == 500
    [report] = [message for message in mail.outbox if "admins@precinct.example" in message.to]
    text = "\n".join([report.message().as_string()] + [str(part[0]) for part in report.alternatives])
    assert "RuntimeError" in text and "reply storage broke" in text  # still useful
    assert "reply" in text  # the field is named, its value is not
    for secret in ("reply-marker-6620", "note-marker-4410", TIP_TEXT, "3317"):
        assert secret not in text, f"{secret!r} in the error report"

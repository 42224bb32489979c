"""The officers' desk (admin index): what needs doing now, per role, in a fixed number of queries."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from meetings.models import Feedback, Meeting, Question
from programs.models import Application
from tests.conftest import desk_client_for, make_user
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program
from tips.models import Tip, TipCategory
from watch.models import Concern, WatchGroup

User = get_user_model()


def _fill(n: int, neighbourhood) -> None:
    """``n`` of each queue's items, written in bulk (the budget test needs 500 of each)."""
    now = timezone.now()
    stamp = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        [User(username=f"r{stamp}{i}", email=f"r{stamp}{i}@example.com") for i in range(n)]
    )
    program = make_program()
    Application.objects.bulk_create(
        [Application(program=program, applicant=user, status=Application.Status.PENDING) for user in users]
    )
    minors = make_program(title="Youth academy", slug=f"youth-{stamp}")
    Application.objects.bulk_create(
        [
            Application(
                program=minors,
                applicant=user,
                status=Application.Status.PENDING,
                guardian_email="pat@example.com",
                consent_requested_at=now - timedelta(days=30),
            )
            for user in users
        ]
    )
    meeting = make_meeting(neighbourhood=neighbourhood, starts_at=now + timedelta(hours=3))
    Question.objects.bulk_create([Question(meeting=meeting, author=user, text="Why?") for user in users])
    for i in range(n):
        past = make_meeting(
            neighbourhood=neighbourhood, starts_at=now - timedelta(days=3 + i % 20), slug=f"p{stamp}{i}"
        )
        Feedback.objects.create(
            meeting=past,
            rating_information=4,
            rating_listening=4,
            rating_organisation=4,
            rating_overall=4,
            concern_addressed="yes",
        )
    group = WatchGroup.objects.create(name="Elm", slug=f"elm-{stamp}", neighbourhood=neighbourhood, status="approved")
    Concern.objects.bulk_create(
        [Concern(group=group, reporter=user, subject="Dark lane", body="...") for user in users]
    )
    category = TipCategory.objects.create(name=f"Other {stamp}", slug=f"other-{stamp}")
    long_ago = (now - timedelta(days=60)).replace(minute=0, second=0, microsecond=0)
    Tip.objects.bulk_create(
        [
            Tip(
                reference=f"T{stamp}{i}",
                category=category,
                content_encrypted="x",
                receipt_index=f"{stamp}{i}",
                receipt_hash="x",
                received_at=long_ago,
                settled=True,
            )
            for i in range(n)
        ]
    )


def _desk_queries(client, django_assert_max_num_queries, budget: int) -> str:
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode(), len(captured)


@pytest.mark.django_db
def test_each_queue_counts_and_links_to_its_filtered_list(neighbourhood, tip_reviewer):
    _fill(5, neighbourhood)
    client = desk_client_for(tip_reviewer)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    for label in [
        "Applications waiting for a decision",
        "Guardian consents overdue",
        "Questions to moderate for the next meetings",
        "Feedback to answer",
        "Concerns without a reply",
        "New tips nobody has taken",
        "Tips with no activity for a while",
    ]:
        assert label in html
    # Each link opens a list holding exactly the counted items.
    for url, expected in [
        (reverse("admin:programs_application_changelist") + "?status__exact=pending", 10),
        (reverse("admin:programs_application_changelist") + "?consent_overdue=yes", 5),
        (reverse("admin:meetings_question_changelist") + "?to_moderate=yes", 5),
        (reverse("admin:meetings_meeting_changelist") + "?feedback_to_answer=yes", 5),
        (reverse("admin:watch_concern_changelist") + "?waiting_for_reply=yes", 5),
        (reverse("admin:tips_tip_changelist") + "?status__exact=new&assigned_to__isnull=True", 5),
        (reverse("admin:tips_tip_changelist") + "?no_activity=yes", 5),
    ]:
        listing = client.get(url)
        assert listing.status_code == 200, url
        assert "?e=1" not in listing.get("Location", ""), url
        assert len(listing.context["cl"].result_list) == expected, url
        assert url.split("/admin", 1)[1].replace("&", "&amp;") in html or url.replace("&", "&amp;") in html


@pytest.mark.django_db
def test_counts_on_the_desk(neighbourhood, tip_reviewer):
    from portal.desk import desk_for

    _fill(5, neighbourhood)
    counts = {queue["key"]: queue["count"] for queue in desk_for(tip_reviewer)["queues"]}
    assert counts == {
        "programs.applications_pending": 10,
        "programs.consents_overdue": 5,
        "meetings.questions_to_moderate": 5,
        "meetings.feedback_to_answer": 5,
        "watch.concerns_without_reply": 5,
        "tips.new_unassigned": 5,
        "tips.without_activity": 5,
        "actions.due_soon_or_overdue": 0,
        "audits.findings_to_review": 0,
    }


@pytest.mark.django_db
def test_the_desk_runs_a_fixed_number_of_queries(neighbourhood, tip_reviewer, django_assert_max_num_queries):
    client = desk_client_for(tip_reviewer)
    _fill(5, neighbourhood)
    client.get(reverse("admin:index"))  # warm the session and the site's caches
    _html, few = _desk_queries(client, django_assert_max_num_queries, 20)
    _fill(495, neighbourhood)
    html, many = _desk_queries(client, django_assert_max_num_queries, 20)
    assert many == few, (few, many)
    assert ">500<" in html


@pytest.mark.django_db
def test_a_non_reviewer_never_sees_a_tip_count(neighbourhood, officer):
    _fill(5, neighbourhood)
    html = desk_client_for(officer).get(reverse("admin:index")).content.decode()
    assert "Applications waiting for a decision" in html
    assert "tips" not in html.split('id="desk-queues"')[1].split("</section>")[0].lower()
    assert reverse("admin:tips_tip_changelist") not in html


@pytest.mark.django_db
def test_a_superuser_outside_the_reviewers_sees_no_tip_count(neighbourhood):
    from portal.desk import desk_for

    boss = make_user("chief@example.com", is_staff=True, is_superuser=True)
    keys = {queue["key"] for queue in desk_for(boss)["queues"]}
    assert "programs.applications_pending" in keys
    assert not any(key.startswith("tips.") for key in keys)


@pytest.mark.django_db
def test_today_and_this_week_list_meetings_and_sessions_with_check_in_links(neighbourhood, officer, time_machine):
    from tests.meetings.conftest import local

    time_machine.move_to(local(2026, 12, 1, 9, 0))  # a Tuesday
    today = make_meeting(neighbourhood=neighbourhood, title="Beat meeting today", starts_at=local(2026, 12, 1, 18, 0))
    later = make_meeting(neighbourhood=neighbourhood, title="Town hall Friday", starts_at=local(2026, 12, 4, 18, 0))
    make_meeting(neighbourhood=neighbourhood, title="Next month", starts_at=local(2027, 1, 5, 18, 0))
    make_meeting(
        neighbourhood=neighbourhood,
        title="Cancelled one",
        starts_at=local(2026, 12, 2, 18, 0),
        status=Meeting.Status.CANCELLED,
    )
    program = make_program(title="Academy", first_session_in=timedelta(days=2))
    session = program.sessions.get()
    html = desk_client_for(officer).get(reverse("admin:index")).content.decode()
    agenda = html.split('id="desk-agenda"')[1].split("</section>")[0]
    today_part, week_part = agenda.split("Later this week")
    assert "Beat meeting today" in today_part
    assert reverse("admin:meetings_meeting_attendance", args=[today.pk]) in today_part
    assert "Town hall Friday" in week_part
    assert reverse("admin:meetings_meeting_attendance", args=[later.pk]) in week_part
    assert reverse("admin:programs_program_attendance", args=[program.pk, session.pk]) in week_part
    assert "Next month" not in agenda
    assert "Cancelled one" not in agenda


def test_other_apps_register_queues(monkeypatch):
    from portal import desk

    monkeypatch.setattr(desk, "_queues", {})
    monkeypatch.setattr(desk, "_agendas", {})
    desk.register_queue(
        "actions.due",
        label="Action items due or overdue",
        count=lambda user, now: 3,
        url=lambda: "/admin/actions/actionitem/?due=yes",
        visible=lambda user: user == "officer",
    )
    assert desk.desk_for("officer")["queues"] == [
        {
            "key": "actions.due",
            "label": "Action items due or overdue",
            "count": 3,
            "url": "/admin/actions/actionitem/?due=yes",
            "help": "",
        }
    ]
    assert desk.desk_for("resident")["queues"] == []


@pytest.mark.django_db
def test_overdue_and_stale_follow_their_settings(neighbourhood, tip_reviewer, settings):
    from portal.desk import desk_for

    _fill(2, neighbourhood)  # consents asked 30 days ago, tips 60 days old
    settings.DESK_CONSENT_OVERDUE_DAYS = 45
    settings.DESK_TIP_STALE_DAYS = 90
    queues = {queue["key"]: queue for queue in desk_for(tip_reviewer)["queues"]}
    assert queues["programs.consents_overdue"]["count"] == 0
    assert queues["tips.without_activity"]["count"] == 0
    assert "45 days" in str(queues["programs.consents_overdue"]["help"])
    assert "90 days" in str(queues["tips.without_activity"]["help"])
    # Read again each time it is shown: the singular for one day, in the officer's language.
    settings.DESK_TIP_STALE_DAYS = 1
    assert str(queues["tips.without_activity"]["help"]) == "Open tips with no message or note for 1 day."
    with translation.override("es"):
        assert str(queues["tips.without_activity"]["help"]) == (
            "Denuncias abiertas sin mensajes ni notas desde hace 1 día."
        )

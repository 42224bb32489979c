"""Actions that reach residents wait for a confirmation page that says exactly what will be sent."""

import re

import pytest
from django.core import mail

from accounts.selectors import profile_for
from meetings.models import Meeting
from meetings.services import rsvp_create
from newsletters.models import Newsletter
from outbox.models import Email
from tests.conftest import desk_client_for, make_user
from tests.meetings.conftest import make_meeting
from tests.newsletters.helpers import make_subscription

pytestmark = pytest.mark.django_db


def _counts(html: str) -> dict[str, int]:
    """The "Recipients by language" rows of a confirmation page: {language name: count}."""
    return {
        name: int(count)
        for name, count in re.findall(r'<th scope="row">([^<]+)</th><td class="desk-count">(\d+)', html)
    }


def _newsletter(**fields) -> Newsletter:
    values = {"subject": "Bike thefts are down", "body": "Lock your **bike**.", "audience": "all", **fields}
    return Newsletter.objects.create(**values)


def test_send_now_does_nothing_until_confirmed_and_queues_what_it_said(
    officer, neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks
):
    for n in range(3):
        make_subscription(f"en{n}@example.com", language="en")
    for n in range(2):
        make_subscription(f"es{n}@example.com", language="es")
    make_subscription("elsewhere@example.com", neighbourhoods=[other_neighbourhood])
    make_subscription("nolist@example.com", wants_newsletter=False)
    newsletter = _newsletter(
        audience=Newsletter.Audience.NEIGHBOURHOODS, translations={"es": {"subject": "Menos robos de bicis"}}
    )
    newsletter.neighbourhoods.set([neighbourhood])
    client = desk_client_for(officer)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/admin/newsletters/newsletter/", {"action": "send_now", "_selected_action": [newsletter.pk]}
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert _counts(html) == {"English": 3, "Spanish": 2}
    assert "5 people get this e-mail" in html
    assert neighbourhood.name in html
    assert "Bike thefts are down" in html and "Menos robos de bicis" in html  # a preview per language
    assert Email.objects.count() == 0
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/newsletters/newsletter/",
            {"action": "send_now", "_selected_action": [newsletter.pk], "confirm": "yes"},
        )
    queued = Email.objects.filter(template="newsletters/emails/newsletter")
    assert queued.count() == 5
    assert queued.filter(language="es").count() == 2
    assert queued.filter(language="en").count() == 3


def test_cancelling_a_meeting_asks_first_and_tells_exactly_those_counted(
    officer, neighbourhood, django_capture_on_commit_callbacks
):
    meeting = make_meeting(neighbourhood=neighbourhood)
    for n in range(2):
        rsvp_create(meeting=meeting, user=make_user(f"going{n}@example.com"))
    spanish = make_user("hablo@example.com")
    profile = profile_for(spanish)
    profile.preferred_language = "es"
    profile.save()
    rsvp_create(meeting=meeting, user=spanish)
    Email.objects.all().delete()
    mail.outbox.clear()
    client = desk_client_for(officer)

    page = client.post("/admin/meetings/meeting/", {"action": "cancel", "_selected_action": [meeting.pk]})
    html = page.content.decode()
    assert _counts(html) == {"English": 2, "Spanish": 1}
    assert "Reason" in html
    assert Email.objects.count() == 0
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/meetings/meeting/",
            {"action": "cancel", "_selected_action": [meeting.pk], "confirm": "yes", "reason": "The hall flooded."},
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    sent = Email.objects.filter(template="meetings/emails/meeting_cancelled")
    assert sent.count() == 3
    assert sent.filter(language="es").count() == 1
    assert any("The hall flooded." in message.body for message in mail.outbox)


def test_publishing_an_alert_does_nothing_until_confirmed_and_mails_those_counted(
    officer, neighbourhood, other_neighbourhood, django_capture_on_commit_callbacks
):
    from alerts.models import Alert
    from tests.alerts.conftest import make_alert
    from tests.alerts.conftest import make_subscription as alert_subscription

    alert_subscription("ana@example.com", neighbourhood)
    alert_subscription("eva@example.com", neighbourhood, language="es")
    alert_subscription("city@example.com")  # follows the whole city
    alert_subscription("far@example.com", other_neighbourhood)
    alert = make_alert(created_by=officer, neighbourhoods=[neighbourhood])
    client = desk_client_for(officer)

    for url, data in [
        (f"/admin/alerts/alert/{alert.pk}/publish/", {}),
        ("/admin/alerts/alert/", {"action": "publish_selected", "_selected_action": [alert.pk]}),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            html = client.post(url, data).content.decode()
        assert _counts(html) == {"English": 2, "Spanish": 1}, url
        assert neighbourhood.name in html and "Burglaries on Elm Street" in html
        alert.refresh_from_db()
        assert alert.status == Alert.Status.DRAFT
        assert Email.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/alerts/alert/", {"action": "publish_selected", "_selected_action": [alert.pk], "confirm": "yes"}
        )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PUBLISHED
    assert Email.objects.filter(template="alerts/emails/alert").count() == 3
    assert Email.objects.filter(template="alerts/emails/alert", language="es").count() == 1

    # Cancelling: everyone who got it, counted the same way; nothing until confirmed.
    Email.objects.all().delete()
    for url, data in [
        (f"/admin/alerts/alert/{alert.pk}/cancel/", {"note": "Found."}),
        ("/admin/alerts/alert/", {"action": "cancel_selected", "_selected_action": [alert.pk]}),
    ]:
        html = client.post(url, data).content.decode()
        assert _counts(html) == {"English": 2, "Spanish": 1}, url
        alert.refresh_from_db()
        assert alert.status == Alert.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/alerts/alert/{alert.pk}/cancel/", {"note": "Found.", "confirm": "yes"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CANCELLED
    assert Email.objects.filter(template="alerts/emails/alert").count() == 3


def test_declining_previews_both_e_mails_and_queues_what_it_counted(officer, django_capture_on_commit_callbacks):
    from programs import services
    from programs.models import Application
    from tests.programs.conftest import make_program

    program = make_program(capacity=1)
    seated, _waiting = (
        services.application_submit(program=program, applicant=make_user(f"a{n}@example.com")) for n in range(2)
    )
    Email.objects.all().delete()
    client = desk_client_for(officer)
    data = {"action": "decline", "_selected_action": [seated.pk]}
    html = client.post("/admin/programs/application/", data).content.decode()
    assert "(your reason)" in html  # the preview shows where the reason goes
    assert "A seat is yours" in html
    assert html.count("1 person gets this e-mail.") == 2  # the declined applicant; the one seated instead
    assert Email.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/programs/application/", {**data, "confirm": "yes", "reason": "Outside the district."})
    assert Application.objects.get(pk=seated.pk).status == Application.Status.DECLINED
    assert sorted(Email.objects.values_list("template", flat=True)) == [
        "programs/emails/declined",
        "programs/emails/promoted",
    ]

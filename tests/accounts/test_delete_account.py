"""A resident deletes their account: the page says what goes and what stays, the password is asked,
nothing personal remains anywhere, their seats go to the next person waiting, staff are refused."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Profile
from accounts.selectors import profile_for
from audit.models import AuditEntry
from audit.services import audit_record
from meetings import services as meeting_services
from meetings.models import Rsvp
from outbox.models import Email
from outbox.services import email_deliver_batch
from programs import services as program_services
from programs.models import Application
from tests.accounts.activity import fill_activity
from tests.conftest import PASSWORD
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.JSONField)


def rows_mentioning(needle: str) -> list[str]:
    """Every row of every table with ``needle`` in a text or JSON column, as "model.field #pk"."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._base_manager.annotate(_text=Cast(field.name, models.TextField())).filter(
                _text__icontains=needle
            )
            found += [f"{model._meta.label}.{field.name} #{pk}" for pk in rows.values_list("pk", flat=True)]
    return found


@pytest.fixture
def alice(resident):
    profile = profile_for(resident)
    profile.display_name, profile.phone = "Alice Liddell", "555-867-5309"
    profile.save()
    return resident


def delete_with_password(client, password=PASSWORD):
    return client.post(reverse("accounts:delete"), {"password": password})


def test_the_page_says_what_is_deleted_and_what_is_kept(resident_client):
    page = resident_client.get(reverse("accounts:delete")).content.decode()
    assert "What is deleted" in page and "What is kept, without your name" in page
    assert "attendance counts" in page and "Anonymous feedback" in page and "deleted resident" in page
    assert 'type="password"' in page


def test_a_wrong_password_deletes_nothing(resident_client, resident):
    response = delete_with_password(resident_client, "not-my-password")
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    resident.refresh_from_db()
    assert resident.is_active


def test_nothing_personal_remains_after_deletion(
    client, alice, other_resident, officer, neighbourhood, django_capture_on_commit_callbacks
):
    fill_activity(alice, count=3, neighbourhood=neighbourhood, other=other_resident)
    audit_record(actor=officer, action="test.profile_changed", target=profile_for(alice))
    client.force_login(alice)
    needles = ["alice", "Liddell", "555-867-5309"]
    assert all(rows_mentioning(needle) for needle in needles)  # the scan finds what is there

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_with_password(client)

    assert response.status_code == 200
    assert "Your account was deleted" in response.content.decode()
    [farewell] = [message for message in mail.outbox if message.to == ["alice@example.com"]]
    assert "was deleted" in farewell.subject
    # The farewell was sent and its address forgotten: nothing names Alice any more.
    assert Email.objects.get(template="account/email/account_deleted").to == ""
    for needle in needles:
        assert rows_mentioning(needle) == [], needle
    assert not Profile.objects.filter(display_name="Alice Liddell").exists()
    # The e-mails that were waiting for Alice were withdrawn, not sent.
    assert set(Email.objects.filter(template="meetings/emails/rsvp_confirmed").values_list("status", flat=True)) == {
        Email.Status.WITHDRAWN
    }
    # Bob's own record is untouched.
    assert other_resident.watch_memberships.count() == 3


def test_the_farewell_address_is_held_only_until_it_is_sent(resident_client, resident):
    delete_with_password(resident_client)  # on-commit hooks do not run: the farewell waits, queued

    farewell = Email.objects.get(template="account/email/account_deleted")
    assert farewell.to == "alice@example.com" and farewell.forget_recipient
    email_deliver_batch(email_ids=[farewell.pk])
    farewell.refresh_from_db()
    assert farewell.status == Email.Status.SENT and farewell.to == ""


def test_seats_are_given_up_and_the_next_person_waiting_is_promoted(
    resident, other_resident, neighbourhood, django_capture_on_commit_callbacks
):
    meeting = make_meeting(neighbourhood=neighbourhood, capacity=1)
    meeting_services.rsvp_create(meeting=meeting, user=resident)
    waiting = meeting_services.rsvp_create(meeting=meeting, user=other_resident)
    program = make_program(capacity=1, requires_approval=False)
    program_services.application_submit(program=program, applicant=resident)
    queued = program_services.application_submit(program=program, applicant=other_resident)
    assert (waiting.status, queued.status) == (Rsvp.Status.WAITLISTED, Application.Status.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=resident)

    waiting.refresh_from_db()
    queued.refresh_from_db()
    assert waiting.status == Rsvp.Status.GOING
    assert queued.status == Application.Status.ACCEPTED
    promoted_mail = [message for message in mail.outbox if message.to == ["bob@example.com"]]
    assert len(promoted_mail) >= 2  # the meeting's and the program's "you have a seat now"
    assert not Rsvp.objects.filter(meeting=meeting, status=Rsvp.Status.GOING).exclude(pk=waiting.pk).exists()


def test_past_attendance_and_the_audit_log_are_kept_under_a_stand_in(resident, officer, neighbourhood):
    past = make_meeting(neighbourhood=neighbourhood, starts_at=timezone.now() - timedelta(days=2))
    Rsvp.objects.create(meeting=past, user=resident, checked_in_at=past.starts_at)
    entry = audit_record(actor=resident, action="test.something", target=past)

    services.account_delete(user=resident)

    [kept] = Rsvp.objects.filter(meeting=past)
    stand_in = kept.user
    assert stand_in.username.startswith("deleted-resident-")
    assert (stand_in.email, stand_in.first_name, stand_in.is_active, stand_in.has_usable_password()) == (
        "",
        "",
        False,
        False,
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == stand_in
    assert AuditEntry.objects.filter(action="accounts.account_deleted", actor=stand_in).exists()


def test_every_session_of_the_account_ends(client, resident, other_resident):
    other_browser = client.__class__()
    other_browser.force_login(resident)
    bob_browser = client.__class__()
    bob_browser.force_login(other_resident)
    client.force_login(resident)

    delete_with_password(client)

    assert other_browser.get(reverse("accounts:profile")).status_code == 302
    assert bob_browser.get(reverse("accounts:profile")).status_code == 200
    assert Session.objects.count() == 1


def test_staff_are_refused(officer):
    with pytest.raises(services.AccountDeletionError):
        services.account_delete(user=officer)
    officer.refresh_from_db()
    assert officer.is_active


def test_staff_get_a_refusal_page(resident_client, resident):
    resident.is_staff = True
    resident.save()
    response = resident_client.get(reverse("accounts:delete"))
    assert response.status_code == 403
    assert "a superuser closes an officer's account" in response.content.decode()
    assert delete_with_password(resident_client).status_code == 403
    assert resident.__class__.objects.filter(pk=resident.pk).exists()


def test_wrong_passwords_are_limited(resident_client, resident, settings):
    settings.ACCOUNTS_DELETE_LIMIT = 2
    for _attempt in range(2):
        assert delete_with_password(resident_client, "guess").status_code == 400
    response = delete_with_password(resident_client)
    assert response.status_code == 429
    assert "try again" in response.content.decode()
    assert resident.__class__.objects.filter(pk=resident.pk).exists()
    # Once limited, the page checks no password: a stolen session cannot go on guessing.
    wrong, right = delete_with_password(resident_client, "guess"), delete_with_password(resident_client)
    assert wrong.status_code == right.status_code == 429
    assert "That is not your password" not in wrong.content.decode()


def test_visitors_are_sent_to_log_in(client, resident):
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    resident.refresh_from_db()


def test_what_is_kept_for_an_address_typed_but_never_confirmed_stays(
    client, resident, officer, neighbourhood, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    from alerts.models import AlertRecipient
    from newsletters.models import Subscription, Suppression
    from tests.accounts.test_download_my_data import someone_elses_records_at

    someone_elses_records_at("carol@example.com", neighbourhood, officer)
    queued = Email.objects.create(
        to="carol@example.com", template="alerts/emails/alert", idempotency_key="test:carol-queued", sealed=""
    )
    audit_record(actor=officer, action="test.suppression_added", target=Suppression, target_repr="carol@example.com")
    # Alice types Carol's address as her pending new one, then deletes her account.
    EmailAddress.objects.create(user=resident, email="carol@example.com", verified=False, primary=False)
    client.force_login(resident)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_with_password(client).status_code == 200

    assert Subscription.objects.filter(email="carol@example.com").exists()
    assert Suppression.objects.filter(email="carol@example.com").exists()
    assert AlertRecipient.objects.filter(email="carol@example.com").exists()
    assert Email.objects.get(idempotency_key="test:carol").to == "carol@example.com"
    queued.refresh_from_db()
    assert queued.to == "carol@example.com" and queued.status != Email.Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="test.suppression_added", target_repr="carol@example.com").exists()


def test_the_guardian_address_leaves_the_outbox_with_the_account(client, resident, django_capture_on_commit_callbacks):
    program = make_program(title="Youth academy", slug="youth-academy")
    application = Application.objects.create(
        program=program, applicant=resident, guardian_name="Mum", guardian_email="parent@example.com"
    )
    prefix = f"programs:consent:{application.pk}:"
    Email.objects.create(
        to="parent@example.com",
        template="programs/emails/consent_request",
        idempotency_key=f"{prefix}first",
        status=Email.Status.SENT,
        sealed="",
    )
    Email.objects.create(
        to="parent@example.com",
        template="programs/emails/consent_request",
        idempotency_key=f"{prefix}again",
        sealed="sealed-context",
    )
    client.force_login(resident)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_with_password(client).status_code == 200

    assert rows_mentioning("parent@example.com") == []
    assert not Email.objects.filter(idempotency_key__startswith=prefix).exists()
    assert Email.objects.filter(template="programs/emails/consent_request", status=Email.Status.QUEUED).count() == 0

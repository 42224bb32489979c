import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry
from programs import services
from programs.models import Application, GuardianConsent
from programs.services import ProgramError
from tests.programs.conftest import apply_as_minor, give_consent, years_ago

pytestmark = pytest.mark.django_db


def _consent_link(message) -> str:
    return re.search(r"http://[^\s]+/programs/consent/[^\s]+/", message.body).group(0).split("127.0.0.1:8000", 1)[1]


def _apply_as_minor(client, program, **extra):
    data = {
        "date_of_birth": years_ago(14).isoformat(),
        "guardian_name": "Pat Doe",
        "guardian_email": "pat.guardian@example.com",
        **extra,
    }
    return client.post(f"/programs/{program.slug}/apply/", data)


def test_a_minor_must_name_a_guardian(resident_client, youth_program):
    response = _apply_as_minor(resident_client, youth_program, guardian_email="")
    assert "Applicants under 18 need a parent or guardian: enter their name and e-mail." in response.content.decode()
    assert not Application.objects.exists()


def test_a_minor_cannot_be_their_own_guardian(resident, youth_program):
    with pytest.raises(ProgramError, match="must be theirs, not yours"):
        services.application_submit(
            program=youth_program,
            applicant=resident,
            date_of_birth=years_ago(14),
            guardian_name="Me",
            guardian_email=resident.email.upper(),
        )


def test_consent_journey_end_to_end(
    resident_client, resident, youth_program, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply_as_minor(resident_client, youth_program)
    assert response.status_code == 302
    application = Application.objects.get(applicant=resident)
    assert application.status == Application.Status.PENDING
    assert application.needs_guardian_consent
    to_guardian = [m for m in mail.outbox if m.to == ["pat.guardian@example.com"]]
    assert len(to_guardian) == 1
    assert to_guardian[0].subject == f"Please confirm you are a guardian: {youth_program.title}"
    link = _consent_link(to_guardian[0])

    # The resident's "my programs" says what the application waits for.
    assert "Waiting for your guardian" in resident_client.get("/programs/mine/").content.decode()

    client.logout()  # The guardian has no account.
    first = client.get(link)
    assert first.status_code == 200
    assert first.context["confirm_step"]
    assert client.post(link)["Location"] == link  # "I am the applicant's parent or guardian"
    page = client.get(link)
    assert page.status_code == 200
    shown_text = page.context["consent_text"]
    assert youth_program.title in shown_text

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link, {"guardian_name": "Pat Doe", "agree": "on"})
    assert done.status_code == 200
    assert "Your consent to the application" in done.content.decode()

    consent = GuardianConsent.objects.get(application=application)
    assert consent.guardian_name == "Pat Doe"
    assert consent.guardian_email == "pat.guardian@example.com"
    assert consent.consent_text == shown_text
    assert abs(consent.consented_at - timezone.now()) < timedelta(minutes=1)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert [m.subject for m in mail.outbox] == [f"You have a seat in {youth_program.title}"]

    # The link is spent.
    again = client.get(link)
    assert again.status_code == 400
    assert "already given" in again.content.decode()


def test_consent_must_be_ticked(resident_client, youth_program, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _apply_as_minor(resident_client, youth_program)
    link = _consent_link(mail.outbox[-1])
    client.post(link)  # Confirms the address.
    response = client.post(link, {"guardian_name": "Pat Doe"})
    assert response.status_code == 200
    assert response.context["form"].errors["agree"]
    assert not GuardianConsent.objects.exists()


def test_an_expired_link_is_refused_and_a_resent_one_works(
    resident_client, resident, youth_program, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _apply_as_minor(resident_client, youth_program)
    old_link = _consent_link(next(m for m in mail.outbox if m.to == ["pat.guardian@example.com"]))
    application = Application.objects.get(applicant=resident)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        expired = client.get(old_link)
        assert expired.status_code == 400
        assert "This consent link has expired (links last 7 days)" in expired.content.decode()
        assert client.post(old_link, {"guardian_name": "Pat", "agree": "on"}).status_code == 400

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = resident_client.post(f"/programs/mine/{application.code}/resend-consent/", follow=True)
        assert "We sent a new consent link to pat.guardian@example.com." in response.content.decode()
        assert [m.to for m in mail.outbox] == [["pat.guardian@example.com"]]
        new_link = _consent_link(mail.outbox[0])
        assert client.post(new_link).status_code == 302  # Confirms the address.
        assert client.post(new_link, {"guardian_name": "Pat Doe", "agree": "on"}).status_code == 200

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert GuardianConsent.objects.get(application=application).guardian_name == "Pat Doe"


def test_a_tampered_link_is_refused_clearly(resident_client, youth_program, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _apply_as_minor(resident_client, youth_program)
    link = _consent_link(mail.outbox[-1])
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This consent link is not valid" in response.content.decode()
    response = client.post(tampered, {"guardian_name": "Mallory", "agree": "on"})
    assert response.status_code == 400
    assert not GuardianConsent.objects.exists()


def test_consent_on_an_approval_program_leaves_it_for_the_officer(resident, officer):
    from tests.programs.conftest import make_program

    program = make_program(min_age=12, max_age=17, requires_approval=True)
    application = apply_as_minor(program, resident)
    with pytest.raises(ProgramError, match="still waits for a guardian's consent"):
        services.application_accept(application=application, actor=officer)
    give_consent(application)
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    services.application_accept(application=application, actor=officer)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED


def test_officers_resend_a_consent_link_from_the_admin(
    desk_client, resident, youth_program, django_capture_on_commit_callbacks
):
    application = apply_as_minor(youth_program, resident, age=13)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(
            "/admin/programs/application/",
            {"action": "resend_consent", "_selected_action": [application.pk]},
            follow=True,
        )
    assert "1 consent link sent again." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    assert AuditEntry.objects.filter(action="programs.application.consent_resend", actor__isnull=False).exists()


def test_resending_for_someone_elses_application_is_not_found(client, other_resident, resident, youth_program):
    application = apply_as_minor(youth_program, resident, age=13)
    client.force_login(other_resident)
    assert client.post(f"/programs/mine/{application.code}/resend-consent/").status_code == 404


def test_adults_in_a_youth_program_need_no_guardian(resident, youth_program):
    from tests.programs.conftest import make_program

    program = make_program(min_age=16, max_age=25)
    application = services.application_submit(
        program=program, applicant=resident, date_of_birth=years_ago(20), guardian_email="pat@example.com"
    )
    assert application.guardian_email == ""
    assert application.status == Application.Status.ACCEPTED


def test_the_consent_link_does_not_carry_the_guardians_address(resident, youth_program):
    from django.core import signing

    application = apply_as_minor(youth_program, resident)
    token = services.consent_token_for(application)
    assert "pat" not in token.lower() and "example.com" not in token
    assert services.consent_application_for(token) == application

    # A link sent before this change (address in clear) keeps working until it expires.
    legacy = signing.TimestampSigner(salt=services.CONSENT_SALT).sign(f"{application.code}:pat@example.com")
    assert services.consent_application_for(legacy) == application

    # A link stops working when the guardian's address is no longer the one it was sent to.
    Application.objects.filter(pk=application.pk).update(guardian_email="someone.else@example.com")
    with pytest.raises(ProgramError, match="no longer valid"):
        services.consent_application_for(token)
    with pytest.raises(ProgramError, match="no longer valid"):
        services.consent_application_for(legacy)

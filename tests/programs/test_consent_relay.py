"""The guardian-consent e-mail cannot be turned into a phishing relay or a flood from the police's address."""

import re

import pytest
from django.core import mail

from accounts.selectors import profile_for
from programs import services
from programs.models import Application, GuardianConsent
from programs.services import ProgramError
from tests.conftest import make_user
from tests.programs.conftest import years_ago

pytestmark = pytest.mark.django_db

LURE = "ACTION REQUIRED: verify at https://evil.example/police-login"


def _html(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def _named(user, display_name: str):
    profile = profile_for(user)
    profile.display_name = display_name
    profile.save()
    return user


def _apply(client, program, guardian_email: str, guardian_name: str = "Pat Doe"):
    return client.post(
        f"/programs/{program.slug}/apply/",
        {"date_of_birth": years_ago(14).isoformat(), "guardian_name": guardian_name, "guardian_email": guardian_email},
    )


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_the_guardians_email_carries_nothing_the_applicant_typed(
    resident, resident_client, youth_program, django_capture_on_commit_callbacks
):
    _named(resident, LURE)
    with django_capture_on_commit_callbacks(execute=True):
        _apply(resident_client, youth_program, "pat@example.com", guardian_name="Dear customer https://evil.example/x")

    (message,) = _to("pat@example.com")
    assert message.subject == f"Please confirm you are a guardian: {youth_program.title}"
    for part in (message.subject, message.body, _html(message)):
        assert "evil.example" not in part
        assert "ACTION REQUIRED" not in part
        assert "Dear customer" not in part
    assert message.body.startswith("Hello,\n")
    # Its only links are the portal's own.
    links = re.findall(r'href="([^"]+)"', _html(message))
    assert links and all(link.startswith("http://127.0.0.1:8000/") for link in links)
    assert any("/programs/consent/" in link for link in links)


def test_an_address_a_resident_typed_is_never_a_link_in_the_html_part(
    resident, youth_program, django_capture_on_commit_callbacks
):
    from tests.programs.conftest import make_program

    _named(resident, LURE)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(program=make_program(), applicant=resident)

    (received, accepted) = _to(resident.email)
    for message in (received, accepted):
        html = _html(message)
        assert "https://evil.example/police-login" in message.body  # Their own name, as text ...
        assert 'href="https://evil.example' not in html  # ... never made into a link.
        assert "https://evil.example/police-login" in html
        assert 'href="http://127.0.0.1:8000/programs/mine/"' in html  # The portal's own links still are.


def test_apply_withdraw_apply_cannot_mail_one_guardian_after_another(
    resident, resident_client, youth_program, settings, django_capture_on_commit_callbacks
):
    settings.PROGRAMS_CONSENT_LIMIT_PER_APPLICANT = 3
    for number in range(1, 4):
        with django_capture_on_commit_callbacks(execute=True):
            assert _apply(resident_client, youth_program, f"stranger{number}@example.com").status_code == 302
        application = Application.objects.get(applicant=resident, status=Application.Status.PENDING)
        services.application_withdraw(application=application, user=resident)

    with django_capture_on_commit_callbacks(execute=True):
        refused = _apply(resident_client, youth_program, "stranger4@example.com")

    assert refused.status_code == 200
    assert "We cannot e-mail a guardian again so soon." in refused.content.decode()
    assert "Please try again in" in refused.content.decode()
    assert not _to("stranger4@example.com")
    assert not Application.objects.filter(guardian_email="stranger4@example.com").exists()
    assert sum(1 for message in mail.outbox if message.to[0].startswith("stranger")) == 3


def test_one_guardian_address_gets_a_limited_number_of_requests_whoever_names_it(
    youth_program, settings, django_capture_on_commit_callbacks
):
    settings.PROGRAMS_CONSENT_LIMIT_PER_GUARDIAN = 2
    applicants = [make_user(f"kid{number}@example.com") for number in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for applicant in applicants[:2]:
            services.application_submit(
                program=youth_program,
                applicant=applicant,
                date_of_birth=years_ago(14),
                guardian_name="Pat",
                guardian_email="Victim@Example.com",
            )
        with pytest.raises(ProgramError, match="Please try again in"):
            services.application_submit(
                program=youth_program,
                applicant=applicants[2],
                date_of_birth=years_ago(14),
                guardian_name="Pat",
                guardian_email="victim@example.com",
            )
    assert len([m for m in mail.outbox if m.to[0].lower() == "victim@example.com"]) == 2


def test_a_guardian_cannot_consent_before_confirming_the_address(
    resident, resident_client, youth_program, client, django_capture_on_commit_callbacks
):
    _named(resident, "Alice Applicant")
    with django_capture_on_commit_callbacks(execute=True):
        _apply(resident_client, youth_program, "pat@example.com")
    application = Application.objects.get(applicant=resident)
    token = services.consent_token_for(application)
    link = f"/programs/consent/{token}/"

    with pytest.raises(ProgramError, match="first confirm"):
        services.guardian_consent_give(token=token, guardian_name="Pat")

    # Before confirming, the page names the program only, not who applied, and offers no consent form.
    page = client.get(link)
    assert page.status_code == 200
    assert "Alice Applicant" not in page.content.decode()
    assert "form" not in page.context or page.context["form"] is None
    # A consent posted straight away only confirms the address; nothing is consented.
    assert client.post(link, {"guardian_name": "Pat", "agree": "on"}).status_code == 302
    assert not GuardianConsent.objects.exists()
    application.refresh_from_db()
    assert application.guardian_confirmed_at is not None
    assert application.status == Application.Status.PENDING

    consent_page = client.get(link)
    assert "Alice Applicant" in consent_page.context["consent_text"]
    assert client.post(link, {"guardian_name": "Pat", "agree": "on"}).status_code == 200
    assert GuardianConsent.objects.filter(application=application).exists()


def test_resending_the_consent_link_is_limited_with_a_clear_message(
    resident, resident_client, youth_program, settings, django_capture_on_commit_callbacks
):
    settings.PROGRAMS_CONSENT_LIMIT_PER_APPLICATION = 3
    with django_capture_on_commit_callbacks(execute=True):
        _apply(resident_client, youth_program, "pat@example.com")
    application = Application.objects.get(applicant=resident)
    url = f"/programs/mine/{application.code}/resend-consent/"

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            sent = resident_client.post(url, follow=True)
        assert "We sent a new consent link to pat@example.com." in sent.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        refused = resident_client.post(url, follow=True)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "We cannot e-mail a guardian again so soon." in page
    assert "Please try again in" in page
    assert len(_to("pat@example.com")) == 3


def test_officers_resends_count_against_the_guardians_limit_too(
    resident, youth_program, officer, settings, django_capture_on_commit_callbacks
):
    settings.PROGRAMS_CONSENT_LIMIT_PER_GUARDIAN = 2
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            program=youth_program,
            applicant=resident,
            date_of_birth=years_ago(14),
            guardian_name="Pat",
            guardian_email="pat@example.com",
        )
        services.guardian_consent_request(application=application, actor=officer)
        with pytest.raises(ProgramError, match="Please try again in"):
            services.guardian_consent_request(application=application, actor=officer)
    assert len(_to("pat@example.com")) == 2


def test_a_stranger_can_stop_every_consent_email_to_their_address(
    resident, resident_client, other_resident, youth_program, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _apply(resident_client, youth_program, "Stranger@Example.com")
    application = Application.objects.get(applicant=resident)
    link = f"/programs/consent/{services.consent_token_for(application)}/"

    done = client.post(link, {"opt_out": "1"})
    assert done.status_code == 200
    assert "we will not e-mail this address about program applications again" in done.content.decode()
    application.refresh_from_db()
    assert application.guardian_confirmed_at is None

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resent = resident_client.post(f"/programs/mine/{application.code}/resend-consent/", follow=True)
        with pytest.raises(ProgramError, match="asked not to get consent requests"):
            services.application_submit(
                program=youth_program,
                applicant=other_resident,
                date_of_birth=years_ago(14),
                guardian_name="Pat",
                guardian_email="stranger@example.com",
            )
    assert "asked not to get these e-mails" in resent.content.decode()
    assert mail.outbox == []


def test_withdrawing_keeps_back_a_consent_request_not_yet_sent(resident, youth_program):
    from outbox.models import Email

    application = services.application_submit(  # on-commit delivery never runs here: the e-mail stays queued
        program=youth_program,
        applicant=resident,
        date_of_birth=years_ago(14),
        guardian_name="Pat",
        guardian_email="pat@example.com",
    )
    services.application_withdraw(application=application, user=resident)
    request = Email.objects.get(to="pat@example.com")
    assert request.status == Email.Status.WITHDRAWN

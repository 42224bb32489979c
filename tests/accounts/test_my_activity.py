"""A resident's "My activity" page lists everything they did, in a fixed number of queries."""

import pytest
from django.urls import reverse

from tests.accounts.activity import ANONYMOUS_COMMENT, fill_activity

pytestmark = pytest.mark.django_db


def test_the_page_lists_rsvps_applications_questions_feedback_groups_and_subscription(
    resident_client, resident, other_resident, neighbourhood
):
    fill_activity(resident, count=2, neighbourhood=neighbourhood, other=other_resident)
    rsvp = resident.meeting_rsvps.select_related("meeting").first()

    response = resident_client.get(reverse("accounts:activity"))

    page = response.content.decode()
    assert response.status_code == 200
    assert rsvp.code in page
    assert reverse("meetings:ics", args=[rsvp.meeting.slug]) in page
    assert "Academy" in page and "Pending" in page and "not needed" in page
    assert "My question" in page and "The answer" in page
    assert "Past meeting" in page
    assert "Street" in page and "Coordinator" in page and "Member" in page
    assert "Subscribed" in page and "Riverside" in page
    assert reverse("newsletters:preferences") in page
    # Feedback: that it was given, never what it said (anonymous or named).
    assert ANONYMOUS_COMMENT not in page and "Named " not in page


def test_the_page_shows_only_ones_own_activity(client, resident, other_resident, neighbourhood):
    fill_activity(resident, count=1, neighbourhood=neighbourhood)
    client.force_login(other_resident)

    page = client.get(reverse("accounts:activity")).content.decode()

    assert "My question" not in page and "Town hall" not in page
    assert "You are not subscribed." in page


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("accounts:activity"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_profile_and_header_link_to_the_page(resident_client):
    page = resident_client.get(reverse("accounts:profile")).content.decode()
    assert page.count(f'href="{reverse("accounts:activity")}"') == 2  # the header and the profile


@pytest.mark.parametrize("count", [5, 50])
def test_the_query_count_does_not_grow_with_the_activity(
    count, resident_client, resident, other_resident, neighbourhood, django_assert_max_num_queries
):
    fill_activity(resident, count=count, neighbourhood=neighbourhood, other=other_resident)
    with django_assert_max_num_queries(14):
        response = resident_client.get(reverse("accounts:activity"))
    assert response.content.decode().count("Registration code:") == count


def test_applications_say_where_the_guardians_consent_stands(resident_client, resident):
    from django.utils import timezone

    from programs.models import Application, GuardianConsent
    from tests.programs.conftest import make_program

    waiting = Application.objects.create(
        program=make_program(title="Explorers A"), applicant=resident, guardian_email="pat@example.com"
    )
    confirmed = Application.objects.create(
        program=make_program(title="Explorers B"),
        applicant=resident,
        guardian_email="pat@example.com",
        guardian_confirmed_at=timezone.now(),
    )
    given = Application.objects.create(
        program=make_program(title="Explorers C"), applicant=resident, guardian_email="pat@example.com"
    )
    GuardianConsent.objects.create(
        application=given, guardian_name="Pat", guardian_email="pat@example.com", consent_text="I agree"
    )
    assert waiting.pk and confirmed.pk

    page = resident_client.get(reverse("accounts:activity")).content.decode()

    assert "waiting for your guardian" in page
    assert "your guardian confirmed their address; waiting for their consent" in page
    assert "given on" in page


@pytest.mark.django_db
def test_a_subscription_at_an_address_typed_but_never_confirmed_is_not_shown(resident_client, resident):
    from allauth.account.models import EmailAddress

    from newsletters.models import Subscription

    Subscription.objects.create(email="carol@example.com", status=Subscription.Status.ACTIVE)
    EmailAddress.objects.create(user=resident, email="carol@example.com", verified=False, primary=False)

    page = resident_client.get(reverse("accounts:activity")).content.decode()

    assert "carol@example.com" not in page

"""Newsletters and weekly digests carry a List-Id built from SITE_URL's host (RFC 2919)."""

import pytest
from django.core import mail

from newsletters import services
from newsletters.models import Newsletter
from tests.newsletters.helpers import make_subscription
from tests.newsletters.test_digest import make_meeting, run_digest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://safety.riverton.example"


def test_a_newsletter_carries_the_newsletter_list_id(officer, django_capture_on_commit_callbacks):
    make_subscription("reader@example.com")
    newsletter = Newsletter.objects.create(subject="Spring news", body="Lock your bikes.", created_by=officer)

    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=officer)

    [message] = mail.outbox
    assert message.message()["List-Id"] == "<newsletter.safety.riverton.example>"
    assert message.message()["Auto-Submitted"] is None


def test_a_newsletters_test_copy_carries_it_too(officer, django_capture_on_commit_callbacks):
    newsletter = Newsletter.objects.create(subject="Spring news", body="Lock your bikes.", created_by=officer)

    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_send_test(newsletter=newsletter, actor=officer)

    assert {message.message()["List-Id"] for message in mail.outbox} == {"<newsletter.safety.riverton.example>"}


def test_a_weekly_digest_carries_the_digest_list_id(neighbourhood, django_capture_on_commit_callbacks, time_machine):
    from tests.newsletters.test_digest import WEDNESDAY_NOON

    time_machine.move_to(WEDNESDAY_NOON, tick=False)
    make_subscription("riverside@example.com", neighbourhoods=[neighbourhood])
    make_meeting("Riverside town hall", neighbourhood)

    assert run_digest(django_capture_on_commit_callbacks) == 1

    [message] = mail.outbox
    assert message.message()["List-Id"] == "<digest.safety.riverton.example>"

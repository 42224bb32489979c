"""A subscriber's address written another way (``visitor@ｅxample.com``, delivered to
visitor@example.com) is the same subscription: one confirmation e-mail an hour, one suppression."""

import pytest

from newsletters.models import Subscription
from outbox.models import Email
from tests.accounts.test_address_variants import variant

pytestmark = pytest.mark.django_db


def test_newsletter_confirmations_to_one_mailbox_are_one_subscription(
    anonymous_client, django_capture_on_commit_callbacks
):
    for address in ["visitor@example.com", variant("visitor@example.com")]:
        with django_capture_on_commit_callbacks(execute=True):
            anonymous_client.post(
                "/newsletters/subscribe/", {"email": address, "topics": ["newsletter"], "language": "en"}
            )
    assert list(Subscription.objects.values_list("email", flat=True)) == ["visitor@example.com"]
    assert Email.objects.filter(template="newsletters/emails/confirm").count() == 1

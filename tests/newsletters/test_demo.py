import pytest

from newsletters import demo as newsletters_demo
from newsletters.models import ConsentRecord, Newsletter, NewsletterDelivery, Subscription
from portal import demo

pytestmark = pytest.mark.django_db


def test_demo_data_has_subscribers_and_a_sent_newsletter_and_runs_twice_cleanly(
    officer, django_capture_on_commit_callbacks
):
    neighbourhoods = demo.create_neighbourhoods()
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            newsletters_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)

    assert Subscription.objects.filter(status=Subscription.Status.ACTIVE).count() == 4
    assert Subscription.objects.filter(status=Subscription.Status.PENDING).count() == 1
    assert ConsentRecord.objects.count() == 4  # the second run changed nothing
    sent = Newsletter.objects.get(subject=newsletters_demo.SENT_SUBJECT)
    assert sent.fanout_completed_at is not None
    assert NewsletterDelivery.objects.filter(newsletter=sent).count() == 3  # newsletter subscribers
    assert Newsletter.objects.get(subject=newsletters_demo.DRAFT_SUBJECT).status == Newsletter.Status.DRAFT

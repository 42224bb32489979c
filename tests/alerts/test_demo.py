import pytest

from alerts import demo as alerts_demo
from alerts.models import Alert, AlertRevision
from portal import demo
from watch import demo as watch_demo
from watch.models import Post, WatchGroup

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent(officer):
    neighbourhoods = demo.create_neighbourhoods()
    for _run in range(2):
        alerts_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
        watch_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    assert Alert.objects.count() == 2
    assert AlertRevision.objects.count() == 3
    assert WatchGroup.objects.get().liaison == officer
    assert Post.objects.count() == 1

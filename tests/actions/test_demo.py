import pytest

from actions import demo
from actions.models import ActionItem
from meetings import demo as meetings_demo
from portal.demo import create_neighbourhoods
from watch import demo as watch_demo

pytestmark = pytest.mark.django_db


def test_demo_actions_show_several_states_and_sources_and_are_idempotent(officer):
    neighbourhoods = create_neighbourhoods()
    meetings_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    watch_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)

    demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)

    assert ActionItem.objects.count() == 4
    assert set(ActionItem.objects.values_list("status", flat=True)) == {
        "in_progress",
        "done",
        "planned",
        "not_possible",
    }
    assert set(ActionItem.objects.values_list("source_kind", flat=True)) == {"question", "feedback", "concern", "none"}

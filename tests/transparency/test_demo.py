"""The demo data makes "How we're doing" meaningful at once: history, then computed figures."""

import re

import pytest
from django.core.management import call_command

from meetings.models import Meeting
from tests.transparency.conftest import local
from tips.models import Tip
from transparency.models import FigureSet

pytestmark = pytest.mark.django_db


def test_the_demo_command_fills_the_page_and_a_second_run_adds_nothing(client, time_machine):
    time_machine.move_to(local(2026, 11, 20, 12), tick=False)
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert FigureSet.objects.filter(period="last-30-days").exists()
    page = client.get("/transparency/?area=city&period=2026").content.decode()
    figures = re.findall(r'<td class="number">([0-9][0-9,.]*)', page)
    assert len(figures) > 20, "most city-wide figures of the year are published"
    assert "Figures last computed on" in page
    meetings, tips = Meeting.objects.count(), Tip.objects.count()
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Meeting.objects.count(), Tip.objects.count()) == (meetings, tips)

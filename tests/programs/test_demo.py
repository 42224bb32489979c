import pytest

from portal import demo
from programs import demo as programs_demo
from programs.models import Program, ProgramQuestion, ProgramSession

pytestmark = pytest.mark.django_db


def test_demo_data_has_an_academy_a_youth_program_and_a_workshop_and_runs_twice_cleanly(officer):
    neighbourhoods = demo.create_neighbourhoods()
    for _run in range(2):
        programs_demo.create_demo_data(officer=officer, neighbourhoods=neighbourhoods)
    assert set(Program.objects.values_list("kind", flat=True)) == {"academy", "youth", "workshop"}
    assert Program.objects.count() == 3
    assert ProgramSession.objects.count() == 10 + 5 + 1
    assert ProgramQuestion.objects.count() == 4
    assert all(program.is_open_for_applications() for program in Program.objects.all())

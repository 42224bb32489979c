"""A resident's data download holds their findings and debriefs (and nobody else's)."""

import pytest

from accounts.personal_data import personal_data_of
from audits import services
from tests.audits.conftest import check_in, make_drill

pytestmark = pytest.mark.django_db


def test_findings_and_debriefs_are_in_the_residents_data(walk, participant, other_resident, neighbourhood):
    services.finding_record(walk=walk, author=participant, notes="Dark corner", map_cell="B2")
    check_in(walk, other_resident)
    services.finding_record(walk=walk, author=other_resident, notes="Someone else's")
    drill = make_drill(neighbourhood=neighbourhood)
    check_in(drill.meeting, participant)
    services.debrief_submit(drill=drill, user=participant, knew_what_to_do="yes", to_improve="Maps")

    data = personal_data_of(participant)

    assert [(f["notes"], f["map_square"]) for f in data["safety_audit_findings"]] == [("Dark corner", "B2")]
    assert [(d["knew_what_to_do"], d["to_improve"]) for d in data["drill_debriefs"]] == [("yes", "Maps")]

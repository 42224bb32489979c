"""An officer may be a tipster too: the tip line neither reads, writes nor ends their session."""

import time

import pytest
from django.contrib.sessions.models import Session

from portal.middleware import STAFF_SESSION_ENDS_KEY
from tests.conftest import desk_client_for
from tests.tips.conftest import submit_tip
from tips.models import Tip

pytestmark = pytest.mark.django_db


def session_row(client) -> tuple[str, object]:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, row.expire_date


def test_an_officer_whose_session_has_ended_still_sends_a_tip_and_is_not_sent_to_log_in(officer):
    client = desk_client_for(officer)
    session = client.session
    session[STAFF_SESSION_ENDS_KEY] = time.time() - 60
    session.save()
    before = session_row(client)

    response = submit_tip(client, what="About a colleague")
    assert response.status_code == 200 and "receipt-phrase" in response.content.decode()
    assert Tip.objects.count() == 1
    assert not response.cookies  # no session ended, no message stored, no log-in redirect (?next=/tips/)
    assert session_row(client) == before


def test_an_officer_session_is_not_written_by_a_visit_to_the_tip_line(officer):
    client = desk_client_for(officer)  # a session without the officers' end time: it would be set now
    before = session_row(client)
    assert client.get("/tips/").status_code == 200
    assert submit_tip(client).status_code == 200
    assert session_row(client) == before

import pytest

from tests.transparency.conftest import check_in, local, make_area, make_held_meetings, make_users
from transparency.services import figures_compute

pytestmark = pytest.mark.django_db


def test_pages_render(client, time_machine):
    time_machine.move_to(local(2026, 11, 20, 12))
    area = make_area("riverside")
    (meeting,) = make_held_meetings(1, starts_at=local(2026, 11, 3, 18), neighbourhood=area)
    check_in(meeting, make_users(7))
    figures_compute()
    response = client.get("/transparency/")
    assert response.status_code == 200, response.content.decode()[:3000]
    print(response.content.decode())
    assert client.get("/transparency/data/").status_code == 200
    assert client.get("/transparency/data/meetings/last-30-days.csv").status_code == 200
    print(client.get("/transparency/data/meetings/2026-Q4.json").content.decode()[:2000])
    assert client.get("/transparency/data/catalog.json").status_code == 200

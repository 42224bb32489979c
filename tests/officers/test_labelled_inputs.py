"""Every input of an officer's form has its own name, and times say the city's time zone."""

import re

import pytest

from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_date_and_time_halves_and_inline_cells_are_named(desk_client):
    page = desk_client.get("/admin/meetings/meeting/add/").content.decode()
    assert 'aria-label="Starts at: date"' in page
    assert 'aria-label="Starts at: time"' in page
    assert 'name="agenda_items-0-title"' in page
    assert 'aria-label="Item"' in page  # the agenda row's title cell
    assert "Time in America/Chicago" in page


def test_radio_choices_keep_their_own_labels(desk_client):
    meeting = make_meeting()
    page = desk_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").content.decode()
    assert 'type="checkbox" name="reminder_offsets"' in page
    assert 'aria-label="Reminders"' not in page


def test_in_spanish_the_widgets_speak_spanish(desk_client):
    page = desk_client.get("/admin/meetings/meeting/add/", headers={"accept-language": "es"}).content.decode()
    assert '<html lang="es"' in page
    assert "/admin/jsi18n/" in page  # the calendar's words and date format in the officer's language


def test_a_meeting_s_time_shows_in_the_city_s_zone_and_the_officer_s_date_format(desk_client):
    from datetime import UTC, datetime

    meeting = make_meeting(starts_at=datetime(2026, 12, 6, 0, 0, tzinfo=UTC))  # 18:00 on 5 December in Chicago
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"
    english = desk_client.get(url).content.decode()
    assert 'name="starts_at_0" value="2026-12-05"' in english
    assert 'name="starts_at_1" value="18:00:00"' in english
    spanish = desk_client.get(url, headers={"accept-language": "es"}).content.decode()
    assert 'name="starts_at_0" value="05/12/2026"' in spanish
    assert 'name="starts_at_1" value="18:00:00"' in spanish


def test_a_program_question_row_s_kind_select_and_a_list_editable_cell_are_named(desk_client, tip_reviewer):
    from tests.conftest import desk_client_for
    from tests.programs.conftest import add_question, make_program

    program = make_program()
    add_question(program, "Why do you want to join?")
    page = desk_client.get(f"/admin/programs/program/{program.pk}/change/").content.decode()
    (kind_select,) = re.findall(r'<select name="questions-0-kind"[^>]*>', page)
    assert 'aria-label="Kind"' in kind_select
    categories = desk_client_for(tip_reviewer).get("/admin/tips/tipcategory/").content.decode()
    (position_cell,) = re.findall(r'<input[^>]*name="form-0-position"[^>]*>', categories)
    assert 'aria-label="Position"' in position_cell

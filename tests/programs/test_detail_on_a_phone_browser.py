"""In a real browser on a 320 px phone, in English and Spanish: a program's page, with its table of
sessions and its "How to apply" facts, fits the screen instead of scrolling sideways."""

import pytest

from tests.programs.conftest import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_programs_page_fits_a_phone(page, language):
    program = make_program(title="Citizen Police Academy", sessions=10, residents_only=True, min_age=18)
    page.set_viewport_size({"width": 320, "height": 800})

    page.goto(f"/programs/{program.slug}/?lang={language}")

    assert page.locator("html").get_attribute("lang") == language
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page is {width} px wide on a 320 px phone"
    # Each column of the sessions table keeps room to be read.
    table_right = page.locator("main table").bounding_box()
    assert table_right["x"] + table_right["width"] <= 320


def test_the_how_to_apply_panel_starts_with_its_heading(page):
    program = make_program(title="Citizen Police Academy")
    page.goto(f"/programs/{program.slug}/")

    panel = page.locator("aside.panel").bounding_box()
    heading = page.get_by_role("heading", name="How to apply").bounding_box()
    # The panel's own padding (1 rem), not that plus the heading's margin: no empty band on top.
    assert heading["y"] - panel["y"] <= 20, heading["y"] - panel["y"]

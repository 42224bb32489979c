"""Tip categories are named in the visitor's language; the tip pages stay free of cookies."""

import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests.tips.conftest import receipt_phrase, submit_tip
from tips.models import TipCategory

pytestmark = pytest.mark.django_db


def _options(page: str) -> dict[str, str]:
    """{label: attributes} of the category select's options."""
    select = re.search(r'<select name="category".*?</select>', page, re.S).group(0)
    return {label.strip(): attrs for attrs, label in re.findall(r"<option([^>]*)>([^<]*)</option>", select)}


def test_the_first_categories_come_with_their_spanish_names():
    names = dict(TipCategory.objects.values_list("slug", "translations"))
    assert names["theft"] == {"es": {"name": "Robo"}}
    assert names["drugs"] == {"es": {"name": "Drogas"}}
    assert all(translations.get("es", {}).get("name") for translations in names.values())


def test_the_spanish_tip_form_names_the_categories_in_spanish_and_marks_an_english_one(client):
    TipCategory.objects.create(name="Graffiti", slug="graffiti", position=5)

    response = client.get("/tips/", HTTP_ACCEPT_LANGUAGE="es")

    options = _options(response.content.decode())
    assert {"Robo", "Drogas", "Vandalismo", "Otro"} <= set(options)
    assert "Theft" not in options
    assert 'lang="en"' in options["Graffiti"]
    assert 'lang="en"' not in options["Robo"]
    assert not response.cookies


def test_the_english_tip_form_is_unchanged(client):
    options = _options(client.get("/tips/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert {"Theft", "Drugs", "Other"} <= set(options)
    assert not any("lang=" in attrs for attrs in options.values())


def test_the_tipster_sees_the_category_in_spanish_on_the_status_page(client):
    phrase = receipt_phrase(submit_tip(client).content.decode())

    response = client.post("/tips/follow-up/", {"phrase": phrase}, HTTP_ACCEPT_LANGUAGE="es")

    assertContains(response, "<dd>Robo</dd>", html=True)
    assertNotContains(response, "Theft")
    assert not response.cookies


def test_tip_reviewers_name_a_category_in_both_languages(reviewer_client):
    page = reviewer_client.get("/admin/tips/tipcategory/add/").content.decode()
    assert 'name="name_es"' in page

    response = reviewer_client.post(
        "/admin/tips/tipcategory/add/",
        {"name": "Graffiti", "name_es": "Grafiti", "slug": "graffiti", "position": 5, "is_active": "on"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert TipCategory.objects.get(slug="graffiti").translations == {"es": {"name": "Grafiti"}}

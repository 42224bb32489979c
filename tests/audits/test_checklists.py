"""The default CPTED checklist ships in English and Spanish; officers define their own in the admin."""

import pytest
from django.utils import translation

from audits.models import ChecklistTemplate
from portal.translated import translated
from tests.audits.conftest import default_template

pytestmark = pytest.mark.django_db


def test_the_default_checklist_covers_the_cpted_themes_in_both_languages():
    template = default_template()
    themes = list(dict.fromkeys(template.items.values_list("theme", flat=True)))
    assert themes == [
        "Lighting",
        "Sightlines",
        "Signage",
        "Maintenance",
        "Hiding places",
        "Escape routes",
        "Activity and natural surveillance",
    ]
    with translation.override("es"):
        assert str(translated(template, "name")) == "Recorrido de seguridad del barrio (CPTED)"
        assert all(not translated(item, "text").fallback for item in template.items.all())
        assert str(translated(template.items.first(), "theme")) == "Iluminación"


def test_an_officer_defines_a_template_with_items_by_theme_in_the_admin(desk_client):
    response = desk_client.post(
        "/admin/audits/checklisttemplate/add/",
        {
            "name": "Park walk",
            "description": "",
            "is_active": "on",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-position": "1",
            "items-0-theme": "Lighting",
            "items-0-text": "Are the paths lit?",
            "items-1-position": "2",
            "items-1-theme": "Paths",
            "items-1-text": "Are the paths even?",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ChecklistTemplate.objects.get(name="Park walk")
    assert list(template.items.values_list("theme", "text")) == [
        ("Lighting", "Are the paths lit?"),
        ("Paths", "Are the paths even?"),
    ]

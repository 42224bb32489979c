"""CSV and JSON against the data dictionary, the DCAT catalogue, stable addresses, bad addresses."""

import csv
import io

import pytest

from neighbourhoods.models import Neighbourhood
from tests.transparency.conftest import (
    check_in,
    local,
    make_area,
    make_held_meetings,
    make_tips,
    make_users,
    tip_category,
)
from transparency.datasets import DATASETS
from transparency.services import figures_compute

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 12)
JSON_TYPES = {"string": (str,), "boolean": (bool,), "integer": (int,), "number": (int, float), "null": (type(None),)}


@pytest.fixture
def computed(time_machine):
    time_machine.move_to(NOW, tick=False)
    area = make_area("riverside")
    for meeting in make_held_meetings(6, starts_at=local(2026, 11, 3, 18), neighbourhood=area):
        check_in(meeting, make_users(5))
    make_tips(6, category=tip_category("theft"), received_at=local(2026, 10, 5, 14))
    figures_compute(now=NOW)


def _matches(value, type_spec: str) -> bool:
    return any(
        isinstance(value, JSON_TYPES[name]) and not (name in ("integer", "number") and isinstance(value, bool))
        for name in type_spec.split("|")
    )


@pytest.mark.parametrize("dataset", [d.slug for d in DATASETS])
def test_every_file_follows_its_data_dictionary(client, computed, dataset):
    dictionary = client.get(f"/transparency/data/{dataset}/dictionary.json").json()
    columns = {column["name"]: column for column in dictionary["columns"]}
    measures = {measure["name"]: measure for measure in dictionary["measures"]}
    for column in columns.values():
        assert column["meaning"] and column["type"]
    for measure in measures.values():
        assert measure["meaning"] and measure["unit"] and measure["how_computed"]
    assert dictionary["licence"]["url"] and dictionary["suppression"]
    period = "2026-10" if dataset == "tips" else "2026-Q4"
    records = client.get(f"/transparency/data/{dataset}/{period}.json").json()["records"]
    assert records
    for record in records:
        assert set(record) == set(columns), "every field is described, and only those"
        for name, value in record.items():
            assert _matches(value, columns[name]["type"]), (name, value)
        measure = measures[record["measure"]]
        if record["value"] is not None:
            assert _matches(record["value"], measure["type"]), record
    response = client.get(f"/transparency/data/{dataset}/{period}.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and list(rows[0]) == list(columns)
    for row in rows:
        measure = measures[row["measure"]]
        if row["value"]:
            (int if measure["type"] == "integer" else float)(row["value"])
        assert row["suppressed"] in ("True", "False")


def test_the_catalogue_lists_every_data_set_and_its_files_answer(client, computed):
    catalogue = client.get("/transparency/data/catalog.json")
    assert catalogue["Content-Type"].startswith("application/ld+json")
    body = catalogue.json()
    assert body["@type"] == "dcat:Catalog"
    titles = {entry["identifier"].rsplit("/", 2)[-2]: entry for entry in body["dataset"]}
    assert set(titles) == {d.slug for d in DATASETS}
    for entry in body["dataset"]:
        assert entry["license"] and entry["distribution"] and entry["describedBy"]
        for distribution in entry["distribution"]:
            path = distribution["downloadURL"].removeprefix("http://testserver")
            assert client.get(path).status_code in (200, 404), path
    tips = titles["tips"]
    assert not [d for d in tips["distribution"] if "last-30-days" in d["downloadURL"]]
    assert client.get("/transparency/data/meetings/2026-Q4.json").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/transparency/data/nothing/2026-11.csv",
        "/transparency/data/meetings/2026-13.csv",
        "/transparency/data/meetings/2031-01.json",
        "/transparency/data/meetings/2019-01.json",
        "/transparency/data/tips/last-30-days.csv",
        "/transparency/data/meetings/2026-11--2026-01.csv",
        "/transparency/data/meetings/2020-01--2026-11.csv",
        "/transparency/data/nothing/dictionary.json",
    ],
)
def test_addresses_that_name_no_figures_answer_404(client, computed, path):
    assert client.get(path).status_code == 404


def test_the_open_data_page_states_the_licence_and_describes_each_data_set(client, computed):
    page = client.get("/transparency/data/").content.decode()
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    for dataset in DATASETS:
        assert f'id="dataset-{dataset.slug}"' in page
        for measure in dataset.measures:
            assert f"<code>{measure.name}</code>" in page


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1)", "\tTab"])
def test_a_neighbourhood_name_that_looks_like_a_formula_stays_text_in_the_csv(client, computed, name):
    # An officer wrote the name; a spreadsheet must show it, not run it. JSON keeps it as written.
    Neighbourhood.objects.filter(slug="riverside").update(name=name)
    rows = list(csv.DictReader(io.StringIO(client.get("/transparency/data/meetings/2026-Q4.csv").content.decode())))
    names = {row["area_name"] for row in rows if row["area"] == "riverside"}
    assert names == {"'" + name}
    records = client.get("/transparency/data/meetings/2026-Q4.json").json()["records"]
    assert {r["area_name"] for r in records if r["area"] == "riverside"} == {name}
    assert all(not row["value"].startswith("'") for row in rows)

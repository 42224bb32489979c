"""Open data: records for the CSV and JSON files, each data set's dictionary, the DCAT catalogue."""

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext

from transparency.datasets import COLUMNS, DATASETS, Dataset
from transparency.models import FigureSet
from transparency.periods import LAST_30_DAYS, standard_periods
from transparency.presentation import data_value, format_value, suppressed_text
from transparency.selectors import PeriodFigures

COLUMN_SPECS = COLUMNS


def columns() -> list[dict]:
    return [{"name": name, "type": type_, "meaning": str(meaning)} for name, type_, meaning in COLUMNS]


def area_order(area: str, area_names: dict[str, str]) -> tuple:
    return (area != "city", area == "none", area_names.get(area, area))


def area_name(area: str, area_names: dict[str, str]) -> str:
    if area == "city":
        return settings.CITY_NAME
    if area == "none":
        return gettext("No single neighbourhood")
    return area_names.get(area, area)


def records(dataset: Dataset, figures: PeriodFigures, area_names: dict[str, str]) -> list[dict]:
    order = {measure.name: index for index, measure in enumerate(dataset.measures)}
    keys = sorted(
        (key for key in figures.cells if key[0] == dataset.slug),
        key=lambda key: (area_order(key[1], area_names), key[2], order[key[3]]),
    )
    rows = []
    for _dataset, area, category, measure_name in keys:
        measure = dataset.measure(measure_name)
        value = figures.cells[(dataset.slug, area, category, measure_name)]
        rows.append(
            {
                "dataset": dataset.slug,
                "period": figures.period.key,
                "period_start": figures.starts_on.isoformat(),
                "period_end": figures.ends_on.isoformat(),
                "area": area,
                "area_name": area_name(area, area_names),
                "category": category,
                "measure": measure_name,
                "value": data_value(value, measure),
                "display": format_value(value, measure),
                "unit": str(measure.unit),
                "suppressed": value is None,
            }
        )
    return rows


def suppression_note() -> str:
    return (
        f"A count under {settings.TRANSPARENCY_MIN_CELL} is not published (value empty, display "
        f"'{suppressed_text()}'); so that it cannot be worked out by subtraction, other cells of the same "
        "total are withheld the same way. Averages and shares of a withheld group are withheld too. "
        "A quarter, year or custom range adds up its months and is withheld where a month is."
    )


def dictionary(dataset: Dataset) -> dict:
    return {
        "dataset": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "columns": columns(),
        "category": str(dataset.category_meaning) or None,
        "measures": [
            {
                "name": measure.name,
                "meaning": str(measure.meaning),
                "unit": str(measure.unit),
                "type": measure.json_type,
                "kind": measure.kind,
                "how_computed": str(measure.how),
            }
            for measure in dataset.measures
        ],
        "caveats": [str(caveat) for caveat in dataset.caveats],
        "suppression": suppression_note(),
        "time_zone": settings.TIME_ZONE,
        "licence": {"name": settings.TRANSPARENCY_LICENCE_NAME, "url": settings.TRANSPARENCY_LICENCE_URL},
    }


def dataset_periods(dataset: Dataset, today) -> list[str]:
    return [key for key, _label in standard_periods(today) if dataset.rolling or key != LAST_30_DAYS]


def dcat(request, *, today) -> dict:
    """A DCAT catalogue (Project Open Data 1.1 / DCAT-US shape) listing every data set."""
    modified = FigureSet.objects.aggregate(last=Max("computed_at"))["last"]
    url = request.build_absolute_uri
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "title": f"{settings.SITE_NAME} open data: how we're doing",
        "describedBy": url(reverse("transparency:open-data")),
        "dataset": [
            {
                "@type": "dcat:Dataset",
                "identifier": url(reverse("transparency:dictionary", args=[dataset.slug])),
                "title": str(dataset.title),
                "description": str(dataset.description),
                "keyword": list(dataset.keywords),
                "modified": modified.isoformat() if modified else None,
                "publisher": {"@type": "org:Organization", "name": f"{settings.CITY_NAME} police department"},
                "accessLevel": "public",
                "license": settings.TRANSPARENCY_LICENCE_URL,
                "rights": settings.TRANSPARENCY_LICENCE_NAME,
                "spatial": settings.CITY_NAME,
                "accrualPeriodicity": "R/PT1H",
                "landingPage": url(reverse("transparency:open-data")) + f"#dataset-{dataset.slug}",
                "describedBy": url(reverse("transparency:dictionary", args=[dataset.slug])),
                "describedByType": "application/json",
                "distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "title": f"{dataset.title}, {period} ({extension.upper()})",
                        "downloadURL": url(reverse("transparency:download", args=[dataset.slug, period, extension])),
                        "mediaType": media_type,
                        "format": extension.upper(),
                    }
                    for period in dataset_periods(dataset, today)
                    for extension, media_type in (("csv", "text/csv"), ("json", "application/json"))
                ],
            }
            for dataset in DATASETS
        ],
    }

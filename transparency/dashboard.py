"""What the "How we're doing" page shows, built from stored figures only (no query here)."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actions.models import ActionItem
from alerts.models import Alert
from transparency.charts import Bar, bar_chart
from transparency.compute import TIP_OUTCOMES
from transparency.datasets import DATASET_BY_SLUG
from transparency.periods import Month
from transparency.presentation import format_value
from transparency.selectors import PeriodFigures

SUMMARY_DATASETS = ("meetings", "feedback", "programs", "watch", "actions")
# The neighbourhood comparison's columns: (data set, measure).
COMPARED = (
    ("meetings", "meetings_held"),
    ("meetings", "attendance"),
    ("feedback", "rating_overall_avg"),
    ("programs", "places_filled"),
    ("watch", "members"),
    ("actions", "overdue"),
)


def _cell(figures_cells, dataset: str, area: str, measure_name: str, category: str = "") -> dict:
    measure = DATASET_BY_SLUG[dataset].measure(measure_name)
    value = figures_cells.get((dataset, area, category, measure_name))
    return {"value": value, "text": format_value(value, measure), "suppressed": value is None}


def _month_label(key: str) -> str:
    return date_format(Month.parse(key).first_day, "YEAR_MONTH_FORMAT")


def dashboard_context(*, figures: PeriodFigures, months: dict, area: str, neighbourhoods, tip_categories) -> dict:
    names = {"city": _("The whole city"), "none": _("No single neighbourhood")}
    names.update((n.slug, n.name) for n in neighbourhoods)
    cells = figures.cells
    sections = [
        {
            "dataset": DATASET_BY_SLUG[slug],
            "rows": [
                {"label": measure.meaning, "unit": measure.unit, **_cell(cells, slug, area, measure.name)}
                for measure in DATASET_BY_SLUG[slug].measures
            ],
        }
        for slug in SUMMARY_DATASETS
    ]

    # Neighbourhoods side by side (and what belongs to none), then the city.
    compared_areas = [n.slug for n in neighbourhoods] + ["none", "city"]
    comparison = {
        "headers": [DATASET_BY_SLUG[d].measure(m).meaning for d, m in COMPARED],
        "rows": [
            {
                "area": names[a],
                "is_total": a == "city",
                "cells": [_cell(cells, d, a, m) if (d, a, "", m) in cells else None for d, m in COMPARED],
            }
            for a in compared_areas
        ],
    }
    attendance_bars = [
        Bar(
            names[n.slug],
            cells.get(("meetings", n.slug, "", "attendance")),
            _cell(cells, "meetings", n.slug, "attendance")["text"],
        )
        for n in neighbourhoods
    ]
    comparison_chart = bar_chart(
        chart_id="chart-compare",
        title=_("Attendance at meetings by neighbourhood, %(period)s") % {"period": figures.period.label},
        description=_(
            "A bar for each neighbourhood, as long as the number of people checked in; "
            "the table beside it gives the same figures."
        ),
        bars=attendance_bars,
    )

    alerts = DATASET_BY_SLUG["alerts"]
    alert_rows = [
        {"label": label, **_cell(cells, "alerts", area, "alerts_published", category)}
        for category, label in Alert.Category.choices
    ]
    alerts_chart = bar_chart(
        chart_id="chart-alerts",
        title=_("Alerts published by category, %(period)s, %(area)s")
        % {"period": figures.period.label, "area": names[area]},
        description=_("A bar for each category of alert; the table beside it gives the same figures."),
        bars=[Bar(str(row["label"]), row["value"], row["text"]) for row in alert_rows],
    )

    action_rows = [
        {"label": label, **_cell(cells, "actions", area, "actions", status)}
        for status, label in ActionItem.Status.choices
    ]
    actions_chart = bar_chart(
        chart_id="chart-actions",
        title=_("Action items by status, %(period)s, %(area)s") % {"period": figures.period.label, "area": names[area]},
        description=_(
            "A bar for each status of the action items created in the period; "
            "the table beside it gives the same figures."
        ),
        bars=[Bar(str(row["label"]), row["value"], row["text"]) for row in action_rows],
    )

    trend_rows = [
        {
            "month": _month_label(key),
            "held": _cell(month_cells, "meetings", area, "meetings_held"),
            "attendance": _cell(month_cells, "meetings", area, "attendance"),
        }
        for key, month_cells in months.items()
    ]
    trend_chart = bar_chart(
        chart_id="chart-trend",
        title=_("Attendance at meetings by month, %(area)s") % {"area": names[area]},
        description=_(
            "A bar for each of the last twelve months, oldest first, as long as the number of people checked in."
        ),
        bars=[Bar(row["month"], row["attendance"]["value"], row["attendance"]["text"]) for row in trend_rows],
    )

    tips = _tips_context(figures, months, tip_categories) if area == "city" else None
    return {
        "figures": figures,
        "area": area,
        "area_name": names[area],
        "sections": sections,
        "comparison": comparison,
        "comparison_chart": comparison_chart,
        "alerts": alerts,
        "alert_rows": alert_rows,
        "alerts_chart": alerts_chart,
        "actions": DATASET_BY_SLUG["actions"],
        "action_rows": action_rows,
        "actions_chart": actions_chart,
        "trend_rows": trend_rows,
        "trend_chart": trend_chart,
        "tips": tips,
    }


def _tips_context(figures: PeriodFigures, months: dict, tip_categories) -> dict:
    """Tips: the period's months by category (city-wide only), and received by month."""
    tips = DATASET_BY_SLUG["tips"]
    if figures.has("tips"):
        cells, scope = figures.cells, figures.period.label
    else:
        # The last 30 days: tips are published by whole month only; show the last month published.
        with_tips = [key for key, month_cells in months.items() if any(k[0] == "tips" for k in month_cells)]
        if not with_tips:
            cells, scope = {}, ""
        else:
            cells, scope = months[with_tips[-1]], _month_label(with_tips[-1])
    measures = ["received", *TIP_OUTCOMES]
    rows = [
        {"label": category.name, "cells": [_cell(cells, "tips", "city", m, category.slug) for m in measures]}
        for category in tip_categories
        if any(("tips", "city", category.slug, m) in cells for m in measures)
    ]
    total = {"label": _("All categories"), "cells": [_cell(cells, "tips", "city", m) for m in measures]}
    by_month = [
        (_month_label(key), _cell(month_cells, "tips", "city", "received"))
        for key, month_cells in months.items()
        if ("tips", "city", "", "received") in month_cells
    ]
    chart = bar_chart(
        chart_id="chart-tips",
        title=_("Tips received by month, the whole city"),
        description=_("A bar for each whole month published, oldest first, as long as the number of tips received."),
        bars=[Bar(label, cell["value"], cell["text"]) for label, cell in by_month],
    )
    return {
        "scope": scope,
        "available": bool(cells),
        "headers": [tips.measure(m).meaning for m in measures],
        "rows": rows,
        "total": total,
        "by_month": by_month,
        "chart": chart if by_month else None,
    }

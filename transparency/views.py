import csv
import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from neighbourhoods.models import Neighbourhood
from portal.cache import cache_public_page, keep_out_of_cache
from portal.spreadsheets import spreadsheet_cell
from tips.models import TipCategory
from transparency import catalogue
from transparency.dashboard import dashboard_context
from transparency.datasets import DATASET_BY_SLUG, DATASETS
from transparency.forms import CITY, DashboardFilterForm
from transparency.periods import LAST_30_DAYS, PeriodError, local_today, parse_period, standard_periods
from transparency.selectors import period_figures, stored_months, trend


@require_safe
@cache_public_page("transparency", "alerts", query=("area", "period", "start", "end"))
def dashboard(request):
    today = local_today()
    neighbourhoods = list(Neighbourhood.objects.all())
    form = DashboardFilterForm(
        request.GET or {"area": CITY, "period": LAST_30_DAYS}, neighbourhoods=neighbourhoods, today=today
    )
    status = 200
    if form.is_valid():
        period, area = form.cleaned_data["period"], form.cleaned_data["area"]
    else:
        # Show the default figures under the form's explanation of what was wrong.
        keep_out_of_cache(request)
        status = 400
        period = parse_period(LAST_30_DAYS, today=today)
        area = form.cleaned_data.get("area", CITY)
    context = dashboard_context(
        figures=period_figures(period),
        months=trend(12),
        area=area,
        neighbourhoods=neighbourhoods,
        tip_categories=list(TipCategory.objects.all()),
    )
    context.update(form=form, stored=stored_months(), minimum=settings.TRANSPARENCY_MIN_CELL)
    return render(request, "transparency/dashboard.html", context, status=status)


@require_safe
@cache_public_page("transparency", "alerts")
def open_data(request):
    today = local_today()
    return render(
        request,
        "transparency/open_data.html",
        {
            "datasets": DATASETS,
            "periods": standard_periods(today),
            "columns": catalogue.columns(),
            "licence_name": settings.TRANSPARENCY_LICENCE_NAME,
            "licence_url": settings.TRANSPARENCY_LICENCE_URL,
            "minimum": settings.TRANSPARENCY_MIN_CELL,
            "example_month": today.replace(day=1).strftime("%Y-%m"),
        },
    )


def _period_or_404(dataset_slug: str, period_key: str):
    dataset = DATASET_BY_SLUG.get(dataset_slug)
    if dataset is None:
        raise Http404(_("There is no such data set."))
    try:
        period = parse_period(period_key)
    except PeriodError as error:
        raise Http404(str(error)) from None
    if period.is_rolling and not dataset.rolling:
        raise Http404(_("This data set is published by whole month only."))
    figures = period_figures(period)
    if not figures.available:
        raise Http404(_("There are no figures for this period."))
    return dataset, figures


@require_safe
def dataset_download(request, dataset: str, period: str, extension: str):
    # Data files speak one language (English), so a URL always gives the same file.
    with translation.override("en"):
        dataset_obj, figures = _period_or_404(dataset, period)
        area_names = dict(Neighbourhood.objects.values_list("slug", "name"))
        records = catalogue.records(dataset_obj, figures, area_names)
        if extension == "json":
            response = JsonResponse(
                {
                    "dataset": dataset_obj.slug,
                    "title": str(dataset_obj.title),
                    "period": figures.period.key,
                    "computed_at": figures.computed_at.isoformat(),
                    "licence": {"name": settings.TRANSPARENCY_LICENCE_NAME, "url": settings.TRANSPARENCY_LICENCE_URL},
                    "dictionary": request.build_absolute_uri(
                        reverse("transparency:dictionary", args=[dataset_obj.slug])
                    ),
                    "records": records,
                },
                json_dumps_params={"ensure_ascii": False, "indent": 1},
            )
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            writer = csv.writer(response)
            names = [name for name, _type, _meaning in catalogue.COLUMN_SPECS]
            writer.writerow(names)
            for record in records:
                writer.writerow([spreadsheet_cell(record[name]) for name in names])
    response["Content-Disposition"] = f'inline; filename="{dataset_obj.slug}-{figures.period.key}.{extension}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def dictionary(request, dataset: str):
    dataset_obj = DATASET_BY_SLUG.get(dataset)
    if dataset_obj is None:
        raise Http404(_("There is no such data set."))
    with translation.override("en"):
        body = catalogue.dictionary(dataset_obj)
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalogue_json(request):
    with translation.override("en"):
        body = catalogue.dcat(request, today=local_today())
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response

from django import forms
from django.utils.translation import gettext_lazy as _

from transparency.periods import CUSTOM_RE, PeriodError, parse_period, standard_periods

CUSTOM = "custom"
CITY = "city"


class MonthInput(forms.TextInput):
    input_type = "month"


class DashboardFilterForm(forms.Form):
    """Which area and period the page shows (a GET form). ``cleaned_data["period"]`` is a Period."""

    area = forms.ChoiceField(label=_("Area"))
    period = forms.ChoiceField(label=_("Period"))
    start = forms.RegexField(
        label=_("First month (custom period)"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=MonthInput,
        help_text=_("Year and month, e.g. 2026-01."),
        error_messages={"invalid": _("Enter a month as year and month, e.g. 2026-01.")},
    )
    end = forms.RegexField(
        label=_("Last month (custom period)"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=MonthInput,
        help_text=_("Year and month, e.g. 2026-06."),
        error_messages={"invalid": _("Enter a month as year and month, e.g. 2026-06.")},
    )

    def __init__(self, data, *, neighbourhoods, today, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.fields["area"].choices = [(CITY, _("The whole city")), *((n.slug, n.name) for n in neighbourhoods)]
        periods = standard_periods(today)
        self.fields["period"].choices = [*periods, (CUSTOM, _("Custom: whole months"))]

    def full_clean(self):
        # Keys not in the list (a month, a past quarter, a custom range from a link) are valid too.
        period = self.data.get("period") if self.data else None
        if period and period not in dict(self.fields["period"].choices):
            self.fields["period"].choices = [*self.fields["period"].choices, (period, period)]
        super().full_clean()

    def clean(self):
        data = super().clean()
        key = data.get("period")
        if key is None:
            return data
        if key == CUSTOM:
            if not data.get("start") or not data.get("end"):
                if "start" not in self.errors and not data.get("start"):
                    self.add_error("start", _("Choose the first month of the custom period."))
                if "end" not in self.errors and not data.get("end"):
                    self.add_error("end", _("Choose the last month of the custom period."))
                return data
            key = f"{data['start']}--{data['end']}"
        try:
            data["period"] = parse_period(key, today=self.today)
        except PeriodError as error:
            self.add_error("start" if CUSTOM_RE.match(key) else "period", str(error) or _("Unknown period."))
        return data

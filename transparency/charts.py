"""Accessible bar charts drawn on the server as SVG: no script, no chart library, no other host.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``
(templates/transparency/chart.svg, autoescaped); the page puts the table of the same figures
beside it. A figure that is not published gets no bar (a bar's length would tell it), only the
words "fewer than N".
"""

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 190
VALUE_SPACE = 120
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    text: str  # the value as the table beside the chart shows it


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """A horizontal bar chart; ``description`` says in words what the chart shows."""
    plot_width = WIDTH - LABEL_WIDTH - VALUE_SPACE
    largest = max((bar.value for bar in bars if bar.value is not None), default=Decimal(0)) or Decimal(1)
    rows = []
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        length = None if bar.value is None else max(round(float(bar.value / largest) * plot_width, 1), 1)
        rows.append(
            {
                "bar": bar,
                "middle": y + ROW_HEIGHT / 2,
                "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                "length": length,
                "value_x": LABEL_WIDTH + (length or 0) + 6,
            }
        )
    return render_to_string(
        "transparency/chart.svg",
        {
            "chart_id": chart_id,
            "title": title,
            "description": description,
            "rows": rows,
            "width": WIDTH,
            "height": TOP * 2 + ROW_HEIGHT * max(len(bars), 1),
            "label_x": LABEL_WIDTH - 8,
            "plot_x": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT,
        },
    )

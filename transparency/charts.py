"""Accessible bar charts drawn on the server as SVG: no script, no chart library, no other host.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; the page
puts the table of the same figures beside it. A figure that is not published gets no bar (a bar's
length would tell it), only the words "fewer than N".
"""

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

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


def _text(value) -> str:
    return escape(str(value), quote=True)


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """A horizontal bar chart; ``description`` says in words what the chart shows."""
    plot_width = WIDTH - LABEL_WIDTH - VALUE_SPACE
    largest = max((bar.value for bar in bars if bar.value is not None), default=Decimal(0)) or Decimal(1)
    height = TOP * 2 + ROW_HEIGHT * max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle">{_text(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text class="chart-value chart-suppressed" x="{LABEL_WIDTH}" y="{middle}" '
                f'dominant-baseline="middle">{_text(bar.text)}</text>'
            )
            continue
        length = round(float(bar.value / largest) * plot_width, 1)
        parts.append(
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" '
            f'width="{max(length, 1)}" height="{BAR_HEIGHT}"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{LABEL_WIDTH + max(length, 1) + 6}" y="{middle}" '
            f'dominant-baseline="middle">{_text(bar.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped

"""Charts drawn on the server as inline SVG: readable without JavaScript, nothing fetched.

Every word in a chart comes from the caller, already translated and formatted
for the page's locale; this module only places it. Each chart is an image
(`role="img"`) named by its `<title>` and described by a `<desc>` that lists
every value, so screen readers get the data that sighted users read off the
bars. The geometry is pinned left to right (`direction="ltr"`), so a page's
text direction cannot push labels off their anchors. Colours are presentation
attributes rather than `style`, which the Content-Security-Policy forbids
inline. The `<svg>` carries the class `chart`: give it a `max-width` in CSS,
since it fills its container's width.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date

from markupsafe import Markup, escape

RIVER = "#0b6e69"  # bars
MUTED = "#5b6b6b"  # values, axis, dates

WIDTH = 400
FONT_SIZE = 13
LABEL_LIMIT = 28

# Bar chart: each item is a label line, then its bar with the value after it.
BAR_ROW = 40
BAR_HEIGHT = 14
VALUE_ROOM = 56  # kept free right of the longest bar for its value

# Daily chart.
DAILY_TOP = 22  # room for the maximum's label
DAILY_PLOT = 110
DAILY_HEIGHT = DAILY_TOP + DAILY_PLOT + 26
COLUMN_MAX_WIDTH = 32

_ids = itertools.count(1)


def bar_chart(items: list[tuple[str, int]], title: str, *, value_label: Callable[[int], str] = str) -> Markup:
    """Horizontal bars, one per (label, value), each label above its bar and the value after it."""
    chart_id = _new_id()
    if not items:
        return _empty(chart_id, title)
    top = max(max(value for _, value in items), 0)
    longest = WIDTH - VALUE_ROOM
    shapes = []
    for index, (label, value) in enumerate(items):
        y = 4 + index * BAR_ROW
        width = _scaled(value, top, longest)
        shapes.append(_text(0, y + FONT_SIZE, _short_label(label), fill="currentColor", full=label))
        if width:
            shapes.append(f'<rect x="0" y="{y + 18}" width="{width:g}" height="{BAR_HEIGHT}" rx="2" fill="{RIVER}"/>')
        shapes.append(_text(width + 6, y + 18 + BAR_HEIGHT - 2, value_label(value), fill=MUTED))
    height = 4 + len(items) * BAR_ROW + 4
    description = ((label, value_label(value)) for label, value in items)
    return _svg(chart_id, title, height, shapes, description)


def daily_chart(
    points: list[tuple[date, int]],
    title: str,
    date_label: Callable[[date], str],
    *,
    value_label: Callable[[int], str] = str,
) -> Markup:
    """Vertical columns, one per day, on a baseline; the highest value, the first and the last date written out."""
    chart_id = _new_id()
    if not points:
        return _empty(chart_id, title)
    top = max(max(value for _, value in points), 0)
    slot = WIDTH / len(points)
    column = min(slot * 0.8, COLUMN_MAX_WIDTH)
    baseline = DAILY_TOP + DAILY_PLOT
    shapes = [f'<line x1="0" y1="{baseline}" x2="{WIDTH}" y2="{baseline}" stroke="{MUTED}" stroke-width="1"/>']
    for index, (day, value) in enumerate(points):
        height = _scaled(value, top, DAILY_PLOT)
        if height:
            x = index * slot + (slot - column) / 2
            tip = f"<title>{escape(date_label(day))}: {escape(value_label(value))}</title>"
            shapes.append(
                f'<rect x="{x:g}" y="{baseline - height:g}" width="{column:g}" height="{height:g}" fill="{RIVER}">{tip}</rect>'
            )
    peak = max(range(len(points)), key=lambda index: points[index][1])  # the first of the highest
    shapes.append(
        _text(
            _centre(peak, slot),
            baseline - _scaled(top, top, DAILY_PLOT) - 6,
            value_label(points[peak][1]),
            fill=MUTED,
            anchor=_anchor(peak, slot),
        )
    )
    date_y = baseline + 18
    first_day, last_day = points[0][0], points[-1][0]
    if len(points) == 1:
        shapes.append(_text(WIDTH / 2, date_y, date_label(first_day), fill=MUTED, anchor="middle"))
    elif slot >= 120:  # a handful of days: each date fits under its own column
        shapes.append(_text(_centre(0, slot), date_y, date_label(first_day), fill=MUTED, anchor="middle"))
        shapes.append(_text(_centre(len(points) - 1, slot), date_y, date_label(last_day), fill=MUTED, anchor="middle"))
    else:
        shapes.append(_text(0, date_y, date_label(first_day), fill=MUTED))
        shapes.append(_text(WIDTH, date_y, date_label(last_day), fill=MUTED, anchor="end"))
    description = ((date_label(day), value_label(value)) for day, value in points)
    return _svg(chart_id, title, DAILY_HEIGHT, shapes, description)


def _new_id() -> str:
    # Unique within the process, so several charts on one page never share an id.
    return f"chart-{next(_ids)}"


def _scaled(value: int, top: int, length: float) -> float:
    """`value`'s share of `length`, `top` filling it; at least 1 when positive, so small values show."""
    if value <= 0 or top <= 0:
        return 0
    return max(round(value / top * length, 1), 1)


def _centre(index: int, slot: float) -> float:
    return round(index * slot + slot / 2, 1)


def _anchor(index: int, slot: float) -> str:
    """Text anchor for a label over column `index`, so that it stays inside the chart near either edge."""
    centre = _centre(index, slot)
    if centre < 24:
        return "start"
    if centre > WIDTH - 24:
        return "end"
    return "middle"


def _short_label(label: str) -> str:
    """`label` cut to about LABEL_LIMIT characters with an ellipsis, never inside a combining sequence."""
    label = unicodedata.normalize("NFC", label)
    if len(label) <= LABEL_LIMIT:
        return label
    cut = LABEL_LIMIT - 1
    # Thai, Lao and Khmer vowel signs and Vietnamese tone marks belong with the letter before them.
    while cut > 1 and unicodedata.category(label[cut]).startswith("M"):
        cut -= 1
    return label[:cut].rstrip() + "…"


def _text(x: float, y: float, content: str, *, fill: str, anchor: str = "start", full: str | None = None) -> str:
    """A <text> element; `full` becomes its tooltip when `content` is a shortened form of it."""
    tip = f"<title>{escape(full)}</title>" if full is not None and full != content else ""
    position = f'x="{x:g}" y="{y:g}"'
    return f'<text {position} text-anchor="{anchor}" fill="{fill}">{tip}{escape(content)}</text>'


def _svg(chart_id: str, title: str, height: float, shapes: list[str], description: Iterable[tuple[str, str]]) -> Markup:
    desc = "; ".join(f"{escape(label)}: {escape(value)}" for label, value in description)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {WIDTH} {height:g}"'
        f' role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc"'
        f' direction="ltr" font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{desc}</desc>'
        f"{''.join(shapes)}</svg>"
    )


def _empty(chart_id: str, title: str) -> Markup:
    """A chart with nothing to show: its title for screen readers, and a bare baseline."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {WIDTH} 12"'
        f' role="img" aria-labelledby="{chart_id}-title" direction="ltr">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<line x1="0" y1="6" x2="{WIDTH}" y2="6" stroke="{MUTED}" stroke-width="1"/></svg>'
    )

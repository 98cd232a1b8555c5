"""Server-rendered SVG charts: geometry computed here, drawn by templates/community/_chart.html.

No JavaScript. Each chart carries a <title> and <desc>, and the page shows the
numbers in a table beside it (visually hidden, read by screen readers).
"""

import math
from dataclasses import dataclass

from .insights import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 56
# Colour-blind-safe, at least 3:1 against white (WCAG non-text contrast).
PALETTE = ["#1f4e5f", "#b35c00", "#5b3f8c", "#2e7d32"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


def nice_max(value: float, *, integers: bool = False, intervals: int = 4) -> float:
    """A round top for the y axis, so each of the `intervals` gridlines falls on a round number."""
    if value <= 0:
        return intervals
    raw = value / intervals
    exponent = 10 ** math.floor(math.log10(raw))
    step = next(m * exponent for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if raw <= m * exponent)
    if integers:
        step = max(1, math.ceil(step))
    return step * intervals


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _drawn(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def geometry(chart: Chart) -> dict:
    """Everything the template needs to draw `chart`: axes, ticks, bars or a line path."""
    plotted = chart.series[: chart.extra.get("plot_series", len(chart.series))]
    # A suppressed cell (small_cells.FewerThan) is in the table, never drawn.
    values = [v for _name, vals in plotted for v in vals if _drawn(v)]
    integers = all(isinstance(v, int) for v in values)
    top = chart.extra.get("max") or nice_max(max(values, default=0), integers=integers)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(chart.labels), 1)
    slot = plot_w / n

    def y_of(v):
        return TOP + plot_h - (plot_h * (v or 0) / top)

    tick_values = [int(top * i / 4) if integers or top >= 4 else round(top * i / 4, 2) for i in range(5)]
    ticks = [{"y": round(y_of(v), 1), "label": _fmt(v)} for v in tick_values]
    # Label at most ~12 x positions so they stay readable; the table has them all.
    every = max(1, math.ceil(n / 12))
    x_labels = [{"x": round(LEFT + slot * (i + 0.5), 1), "label": label}
                for i, label in enumerate(chart.labels) if i % every == 0]
    # Few labels fit level and centred; many are slanted so they do not overlap.
    slanted = len(x_labels) > 6
    bars, lines = [], []
    if chart.kind == "line":
        for s, (name, vals) in enumerate(plotted):
            points = [(round(LEFT + slot * (i + 0.5), 1), round(y_of(v), 1)) for i, v in enumerate(vals) if _drawn(v)]
            lines.append({
                "path": " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(points)),
                "points": [{"x": x, "y": y, "label": f"{chart.labels[i]}: {_fmt(v)}"}
                           for (x, y), (i, v) in zip(points, [(i, v) for i, v in enumerate(vals) if _drawn(v)], strict=True)],
                "colour": PALETTE[s % len(PALETTE)], "name": name,
            })
    else:
        group_w = slot * 0.8
        bar_w = group_w / max(len(plotted), 1)
        for s, (name, vals) in enumerate(plotted):
            for i, v in enumerate(vals):
                if not _drawn(v):
                    continue
                y = y_of(v)
                bars.append(Bar(
                    x=round(LEFT + slot * i + slot * 0.1 + bar_w * s, 1), y=round(y, 1), width=round(bar_w, 1),
                    height=round(TOP + plot_h - y, 1), colour=PALETTE[s % len(PALETTE)],
                    label=f"{name}, {chart.labels[i]}: {_fmt(v)}",
                ))
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM,
        "ticks": ticks, "x_labels": x_labels, "x_label_y": HEIGHT - BOTTOM + 18, "bars": bars, "lines": lines,
        "legend": [{"name": name, "colour": PALETTE[s % len(PALETTE)]} for s, (name, _v) in enumerate(plotted)],
        "slanted": slanted,
        # Nothing but zeros or gaps: say so in words rather than draw an empty frame.
        "empty": not any(values),
        "suppressed": any(not _drawn(v) and v is not None for _name, vals in plotted for v in vals),
    }

"""Small inline-SVG charts for the HTML report, written by hand.

The report must be one self-contained file (no JS, no network) and protege should not depend
on matplotlib just to draw three kinds of chart: horizontal bars, a histogram and a heatmap.
Each function returns an ``<svg>`` element as a string with a ``<title>`` for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

SERIES_COLOURS = ("#3b6fb6", "#e08a2c", "#4d9b5b")
_CHAR_PX = 7.0  # rough width of one 12px sans-serif character
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _fit(label: str, max_chars: int) -> str:
    return label if len(label) <= max_chars else label[: max_chars - 1] + "…"


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" {_FONT}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def hbar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    max_value: float = 1.0,
    percent: bool = True,
    width: int = 720,
) -> str:
    """Horizontal bars, one group per label and one bar per series (e.g. baseline vs student)."""
    max_label = min(40, max((len(label) for label in labels), default=4))
    left = 12 + max_label * _CHAR_PX
    right = 56
    bar_h = 14
    group_h = bar_h * len(series) + 8
    legend_h = 20 if len(series) > 1 else 0
    top = 8 + legend_h
    axis_h = 22
    height = top + group_h * max(1, len(labels)) + axis_h
    plot_w = width - left - right
    body: list[str] = []
    for s, (name, _) in enumerate(series if len(series) > 1 else []):
        x = left + s * 160
        colour = SERIES_COLOURS[s % 3]
        body.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, 16, name))
    for tick in range(0, 5):
        value = max_value * tick / 4
        x = left + plot_w * tick / 4
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - axis_h}" '
            'stroke="#ddd" stroke-width="1"/>'
        )
        label = f"{value:.0%}" if percent else f"{value:g}"
        body.append(_text(x, height - 6, label, "middle", 'fill="#555"'))
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        middle = y0 + 4 + bar_h * len(series) / 2
        body.append(_text(left - 6, middle + 4, _fit(label, max_label), "end"))
        for s, (_, values) in enumerate(series):
            value = values[i]
            y = y0 + 4 + s * bar_h
            if value is None:
                body.append(_text(left + 4, y + bar_h - 3, "n/a", extra='fill="#999"'))
                continue
            w = plot_w * max(0.0, min(value, max_value)) / max_value if max_value else 0.0
            body.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 1}" '
                f'fill="{SERIES_COLOURS[s % 3]}"/>'
            )
            shown = f"{value:.1%}" if percent else f"{value:g}"
            body.append(
                _text(left + w + 4, y + bar_h - 3, shown, extra='fill="#333" font-size="11"')
            )
    return _svg(width, height, title, body)


def histogram(
    values: Sequence[float],
    *,
    title: str,
    x_label: str,
    bins: int = 20,
    width: int = 720,
    markers: Sequence[tuple[str, float]] = (),
) -> str:
    """Counts of ``values`` in equal-width bins, with min/max and count axes labelled, and a
    dashed line per marker (e.g. ``("p50", 195.5)``)."""
    height, left, right, top, bottom = 244, 44, 16, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    if not values:
        body.append(_text(width / 2, height / 2, "no values", "middle", 'fill="#999"'))
        return _svg(width, height, title, body)
    lo, hi = min(values), max(values)
    span = hi - lo if hi > lo else 1.0
    bins = max(1, bins if hi > lo else 1)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / span * bins))] += 1
    peak = max(counts)
    bar_w = plot_w / bins
    for i, c in enumerate(counts):
        h = plot_h * c / peak
        x = left + i * bar_w
        body.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(1.0, bar_w - 2):.1f}" '
            f'height="{h:.1f}" fill="{SERIES_COLOURS[0]}"><title>{lo + i * span / bins:.1f}–'
            f"{lo + (i + 1) * span / bins:.1f}: {c}</title></rect>"
        )
    base = top + plot_h
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#333"/>')
    body.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#333"/>')
    body.append(_text(left - 4, top + 10, str(peak), "end"))
    body.append(_text(left - 4, base, "0", "end"))
    body.append(_text(left, base + 16, f"{lo:.1f}", "start"))
    body.append(_text(width - right, base + 16, f"{lo + span:.1f}", "end"))
    body.append(_text(left + plot_w / 2, base + 32, x_label, "middle", 'fill="#555"'))
    for i, (name, value) in enumerate(markers):
        x = left + plot_w * (value - lo) / span
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 20}" x2="{x:.1f}" y2="{base}" stroke="#c0392b" '
            'stroke-dasharray="4 3"/>'
        )
        # labels on alternate heights so close markers (p50 near p95) stay legible
        body.append(_text(x + 4, top - 16 + 12 * (i % 2), f"{name} {value:.0f}", "start",
                          'fill="#c0392b"'))
    return _svg(width, height, title, body)


def heatmap(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], *, title: str, rows: int | None = None
) -> str:
    """A confusion matrix: rows are reference labels, columns the answers; counts in cells.

    Only the first ``rows`` labels get a row (labels only answers used would be empty rows).
    Cell shade is the share of its row, green on the diagonal (right) and red off it (wrong).
    """
    k = len(labels)
    n_rows = k if rows is None else rows
    max_label = min(24, max((len(label) for label in labels), default=4))
    cell = 44 if k <= 8 else 30
    left = 16 + max_label * _CHAR_PX
    slant = max_label * _CHAR_PX * 0.72  # a -45° column label needs this much up and right
    top = 30 + slant
    width = left + cell * k + slant + 8
    height = top + cell * n_rows + 28
    body: list[str] = [_text(left + cell * k / 2, 14, "answer →", "middle", 'fill="#555"')]
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        body.append(
            _text(x, top - 6, _fit(label, max_label), "start",
                  f'transform="rotate(-45 {x:.1f} {top - 6:.1f})"')
        )
    for i, label in enumerate(labels[:n_rows]):
        row_total = sum(matrix[i]) or 1
        y = top + i * cell
        body.append(_text(left - 6, y + cell / 2 + 4, _fit(label, max_label), "end"))
        for j in range(k):
            count = matrix[i][j]
            share = count / row_total
            if count == 0:
                fill = "#f6f6f6"
            elif i == j:
                fill = f"rgba(46,139,87,{0.2 + 0.8 * share:.2f})"
            else:
                fill = f"rgba(200,50,50,{0.2 + 0.8 * share:.2f})"
            x = left + j * cell
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}">'
                f"<title>{escape(label)} → {escape(labels[j])}: {count}</title></rect>"
            )
            colour = "#fff" if count and share > 0.6 else "#222"
            body.append(
                _text(x + (cell - 2) / 2, y + cell / 2 + 3, str(count), "middle",
                      f'fill="{colour}"')
            )
    body.append(_text(8, top + cell * n_rows + 20, "rows: reference", "start", 'fill="#555"'))
    return _svg(width, height, title, body)


def nice_bins(n: int) -> int:
    """A readable number of histogram bins for ``n`` values (Sturges' rule, 5..30)."""
    return max(5, min(30, math.ceil(math.log2(max(n, 1)) + 1)))


__all__ = ["hbar_chart", "histogram", "heatmap", "nice_bins"]

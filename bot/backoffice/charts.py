"""Charts drawn on the server as inline SVG: no script, no CDN, readable on a phone.

Each chart scales to its container's width (viewBox) and carries a <title> and an aria-label
so that a screen reader says what it shows; the same numbers are always in a table below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
ROW = 26


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # the figure written at the end of the bar
    kind: str = ""  # css class: "", "behind", "ceiling"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def hbars(
    bars: Sequence[Bar], *, title: str, target: float | None = None, target_label: str = ""
) -> Markup:
    """Horizontal bars, one a row, with an optional vertical target line."""
    label_w, text_w = 190, 90
    plot = WIDTH - label_w - text_w
    top = max([target or 0.0, *(b.value for b in bars), 1e-9])
    height = ROW * len(bars) + (24 if target is not None else 8)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for n, bar in enumerate(bars):
        y = n * ROW + 4
        width = max(1.5, plot * max(0.0, bar.value) / top)
        label = bar.label if len(bar.label) <= 26 else bar.label[:25] + "…"
        parts.append(
            f'<text class="label" x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="bar {escape(bar.kind)}" x="{label_w}" y="{y + 2}" '
            f'width="{width:.1f}" height="{ROW - 10}" rx="3"/>'
            f'<text class="value" x="{label_w + width + 5:.1f}" y="{y + 14}">'
            f"{escape(bar.text)}</text>"
        )
    if target is not None:
        x = label_w + plot * target / top
        bottom = ROW * len(bars) + 6
        parts.append(
            f'<line class="target" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{bottom}"/>'
            f'<text class="target-label" x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">'
            f"{escape(target_label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns_with_line(
    labels: Sequence[str],
    columns: Sequence[float],
    line: Sequence[float],
    *,
    title: str,
    column_name: str,
    line_name: str,
) -> Markup:
    """Columns (left scale) and a line (right scale) over the same periods, with a legend."""
    left, right, top_pad, bottom = 34, 34, 26, 34
    height = 220
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    n = max(1, len(labels))
    step = plot_w / n
    col_top = max([*columns, 1e-9])
    line_top = max([*line, 1e-9])
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<rect class="bar" x="{left}" y="4" width="12" height="12" rx="2"/>'
        f'<text class="label" x="{left + 16}" y="14">{escape(column_name)}</text>'
        f'<line class="trend" x1="{WIDTH / 2}" x2="{WIDTH / 2 + 14}" y1="10" y2="10"/>'
        f'<text class="label" x="{WIDTH / 2 + 18}" y="14">{escape(line_name)}</text>',
        f'<line class="axis" x1="{left}" x2="{WIDTH - right}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}"/>',
        f'<text class="tick" x="{left - 4}" y="{top_pad + 4}" text-anchor="end">'
        f"{_num(col_top)}</text>",
        f'<text class="tick" x="{WIDTH - right + 4}" y="{top_pad + 4}">{_num(line_top)}</text>',
    ]
    points = []
    for i, label in enumerate(labels):
        x = left + i * step
        value = columns[i] if i < len(columns) else 0.0
        h = plot_h * value / col_top
        parts.append(
            f'<rect class="bar" x="{x + step * 0.15:.1f}" y="{top_pad + plot_h - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{max(h, 0.5):.1f}" rx="2">'
            f"<title>{escape(label)}: {_num(value)}</title></rect>"
        )
        if i % max(1, n // 6) == 0 or i == n - 1:
            parts.append(
                f'<text class="tick" x="{x + step / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
        if i < len(line):
            y = top_pad + plot_h - plot_h * line[i] / line_top
            points.append(f"{x + step / 2:.1f},{y:.1f}")
    if points:
        parts.append(f'<polyline class="trend" points="{" ".join(points)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))

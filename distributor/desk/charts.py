"""Charts as server-side SVG (pure): no script, no front-end stack, readable by screen readers
(each chart is an image with a label that says what it shows, and its numbers are on the page
as a table beside it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

# distinguishable colours with at least 3:1 contrast against white (WCAG non-text contrast)
PALETTE: Mapping[str, str] = {
    "facebook": "#1f5fbf",
    "x": "#222222",
    "whatsapp": "#13803b",
    "telegram": "#1a78b4",
    "linkedin": "#0a5c8f",
    "email": "#7a4fa0",
    "line": "#2d7d2d",
    "reddit": "#c2410c",
    "pinterest": "#b0102b",
}
_FALLBACK = ("#6b4c9a", "#8a5a00", "#006d6f", "#9c2c6b")


def colour(name: str, index: int = 0) -> str:
    """The colour of one series."""
    return PALETTE.get(name, _FALLBACK[index % len(_FALLBACK)])


def stacked_bars(
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    width: int = 640,
    height: int = 200,
) -> Markup:
    """One bar per label, stacked by series (e.g. shares per network per day)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = max([1, *totals])
    left, bottom, plot_h = 36, 24, height - 34
    step = (width - left - 8) / max(1, len(labels))
    bar = max(2.0, step * 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}"'
        ' stroke="#767676"/>',
        f'<text x="{left - 6}" y="{height - bottom - plot_h + 10}" text-anchor="end"'
        f' font-size="11" fill="#333">{top}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11"'
        ' fill="#333">0</text>',
    ]
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar) / 2
        y = float(height - bottom)
        for j, (name, values) in enumerate(series.items()):
            h = values[i] / top * plot_h
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' fill="{colour(name, j)}"><title>{escape(label)} {escape(name)}:'
                f" {values[i]}</title></rect>"
            )
        if len(labels) <= 16 or i % 2 == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 8}" text-anchor="middle"'
                f' font-size="10" fill="#333">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - labels and names are escaped


def sparkline(values: Sequence[float], *, label: str, width: int = 120, height: int = 28) -> Markup:
    """A small line of ``values`` (oldest first), for a row of a board."""
    top = max([0.0, *values]) or 1.0
    step = (width - 4) / max(1, len(values) - 1)
    points = " ".join(
        f"{2 + i * step:.1f},{height - 3 - v / top * (height - 6):.1f}"
        for i, v in enumerate(values)
    )
    return Markup(  # noqa: S704 - only numbers and the escaped label
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f'<polyline fill="none" stroke="#1a5fb4" stroke-width="1.6" points="{points}"/></svg>'
    )

"""Small SVG line charts drawn on the server: no script, no external asset.

The accuracy page plots how precision, recall and F1 move across engine
versions. An inline SVG keeps the page within its Content-Security-Policy
and readable without JavaScript; each point also has a `<title>` so the
figure is in the markup, not only in the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

WIDTH: Final = 640
HEIGHT: Final = 240
PAD: Final = 40


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its name, CSS class and a value in [0, 1] per version."""

    name: str
    css: str
    values: Sequence[float]


def line_chart(labels: Sequence[str], series: Sequence[Series], title: str) -> str:
    """Return an accessible inline SVG of `series` over `labels` (0 to 1)."""
    n = len(labels)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)

    def x(i: int) -> float:
        return PAD + (i * step if n > 1 else (WIDTH - 2 * PAD) / 2)

    def y(v: float) -> float:
        return HEIGHT - PAD - v * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line class="grid" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(tick):.1f}"'
            f' y2="{y(tick):.1f}"/><text class="tick" x="{PAD - 6}"'
            f' y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.2f}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text class="tick" x="{x(i):.1f}" y="{HEIGHT - PAD + 16}"'
            f' text-anchor="middle">{escape(label[:24])}</text>'
        )
    for s in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(f'<polyline class="{s.css}" fill="none" points="{points}"/>')
        parts.extend(
            f'<circle class="{s.css}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="4">'
            f"<title>{escape(s.name)} {v:.3f} ({escape(labels[i])})</title></circle>"
            for i, v in enumerate(s.values)
        )
    parts.append("</svg>")
    return "".join(parts)

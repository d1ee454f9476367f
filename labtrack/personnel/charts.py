"""Small inline SVG charts drawn from figures already computed (no plotting library in the
request): monthly columns of sessions or attendances. Bars inside tables are small SVGs
(see templates/personnel/_macros.html)."""

from functools import lru_cache
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, BOTTOM, TOP = 640, 150, 22, 14


def columns(points: list[tuple[str, int]], title: str, colour: str = "#0d6efd") -> Markup:
    """Columns for (label, value) points (months), with the largest value written at the top."""
    return Markup(_columns(tuple(points), title, colour))


@lru_cache(maxsize=64)
def _columns(points: tuple[tuple[str, int], ...], title: str, colour: str) -> str:
    n = max(len(points), 1)
    top = max((v for _label, v in points), default=0) or 1
    step = WIDTH / n
    width = max(step * 0.7, 1)
    plot = HEIGHT - BOTTOM - TOP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="personnel-chart" preserveAspectRatio="none" width="100%" height="{HEIGHT}">'
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" stroke="#adb5bd"/>',
        f'<text x="2" y="10" font-size="10" fill="#6c757d">{top:,}</text>',
    ]
    every = max(1, n // 12)
    for i, (label, value) in enumerate(points):
        h = plot * value / top
        x = i * step + (step - width) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {value:,}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{i * step + step / 2:.1f}" y="{HEIGHT - 6}" font-size="10" text-anchor="middle" '
                f'fill="#6c757d">{escape(label[-2:] if n > 1 else label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)

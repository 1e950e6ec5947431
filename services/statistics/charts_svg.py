"""Tiny server-side SVG charts for the printed statistics report (an SVG in the PDF, not a screenshot).

Two shapes, fixed colours, Chinese labels, no dependency: :func:`pie` (a distribution, with a legend of
label, count and share) and :func:`hbar` (one horizontal bar per row, value at the bar's end). Each
returns an ``<svg>`` element as a safe string to place inline in a print template; WeasyPrint draws
it as vectors with the font the print CSS names. Texts are escaped; values are whole counts.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "WenQuanYi Micro Hei"
#: Fixed colours, in order (red first: the League's colour); a 13th slice reuses the first.
COLOURS = ("#c62828", "#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e",
           "#ad1457", "#558b2f", "#283593", "#757575")
EMPTY_TEXT = "暂无数据"


def colour(i):
    return COLOURS[i % len(COLOURS)]


def _svg(width, height, body, title):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')


def _empty(width, height, title):
    return _svg(width, height, f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" font-size="12" fill="#888" '
                               f'text-anchor="middle">{EMPTY_TEXT}</text>', title)


def pie(items, *, title="", size=150, legend_width=230):
    """A pie of ``items`` [(label, count)] (zero counts left out), slices clockwise from 12 o'clock."""
    items = [(str(label), int(n)) for label, n in items if n and n > 0]
    row_h = 16
    height = max(size, 8 + row_h * len(items))
    width = size + legend_width
    total = sum(n for _, n in items)
    if not total:
        return _empty(width, size, title)
    r, cx, cy = size / 2 - 4, size / 2, size / 2
    parts = []
    if len(items) == 1:
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour(0)}"/>')
    else:
        angle = -math.pi / 2
        for i, (_label, n) in enumerate(items):
            sweep = 2 * math.pi * n / total
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            angle += sweep
            x2, y2 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            large = 1 if sweep > math.pi else 0
            parts.append(f'<path d="M{cx:.1f},{cy:.1f} L{x1:.2f},{y1:.2f} A{r:.1f},{r:.1f} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                         f'fill="{colour(i)}" stroke="#fff" stroke-width="1"/>')
    for i, (label, n) in enumerate(items):
        y = 8 + row_h * i
        parts.append(f'<rect x="{size + 8}" y="{y}" width="10" height="10" fill="{colour(i)}"/>'
                     f'<text x="{size + 22}" y="{y + 9}" font-size="10" fill="#222">{escape(label)}：{n}'
                     f'（{100 * n / total:.1f}%）</text>')
    return _svg(width, height, "".join(parts), title)


def hbar(items, *, title="", width=460, label_width=150, bar_height=14, gap=6):
    """Horizontal bars of ``items`` [(label, value)], longest scale = the largest value."""
    items = [(str(label), int(n or 0)) for label, n in items]
    if not items:
        return _empty(width, 40, title)
    height = gap + (bar_height + gap) * len(items)
    top = max(n for _, n in items) or 1
    room = width - label_width - 50
    parts = [f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" stroke="#999" stroke-width="0.8"/>']
    for i, (label, n) in enumerate(items):
        y = gap + (bar_height + gap) * i
        w = room * n / top
        parts.append(f'<text x="{label_width - 4}" y="{y + bar_height - 3}" font-size="10" fill="#222" '
                     f'text-anchor="end">{escape(label[:14])}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour(1)}"/>'
                     f'<text x="{label_width + w + 4:.1f}" y="{y + bar_height - 3}" font-size="10" fill="#222">{n}</text>')
    return _svg(width, height, "".join(parts), title)

"""Simple server-side charts for the documents: horizontal bars and a line, as PNG (Pillow, for DOCX) and as
inline SVG (for the PDF, where weasyprint draws it with the document's Chinese font).

Hand-written because the documents need only two plain chart types and matplotlib is not a dependency.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from html import escape

from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2 = Noto Sans CJK SC
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
)
BAR_COLOUR = (31, 111, 178)
LINE_COLOUR = (214, 92, 32)
GRID_COLOUR = (220, 224, 230)
TEXT_COLOUR = (40, 44, 52)


@lru_cache(maxsize=1)
def _font_source() -> tuple[str, int] | None:
    import os

    for path, index in FONT_CANDIDATES:
        if os.path.exists(path):
            return path, index
    try:  # any font that covers Chinese
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=5)
        if out.returncode == 0 and out.stdout:
            return out.stdout.strip(), 0
    except (OSError, subprocess.SubprocessError):
        pass
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    source = _font_source()
    if source is None:
        return ImageFont.load_default()
    return ImageFont.truetype(source[0], size, index=source[1])


def bar_png(labels: Sequence[str], values: Sequence[float], *, title: str, width: int = 1200) -> bytes:
    """Horizontal bars, largest first as given, value printed at the end of each bar."""
    row_h, top, left, right = 44, 70, 260, 140
    height = top + row_h * max(len(labels), 1) + 30
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 18), title, fill=TEXT_COLOUR, font=_font(28))
    font = _font(22)
    peak = max([float(v) for v in values] + [1.0])
    span = width - left - right
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = top + i * row_h
        draw.text((24, y + 8), _clip(label, 11), fill=TEXT_COLOUR, font=font)
        length = max(2, int(span * float(value) / peak))
        draw.rectangle((left, y + 8, left + length, y + row_h - 8), fill=BAR_COLOUR)
        draw.text((left + length + 10, y + 8), f"{value:,.0f}", fill=TEXT_COLOUR, font=font)
    return _png(image)


def line_png(
    labels: Sequence[str], values: Sequence[float], *, title: str, width: int = 1200, height: int = 420
) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 18), title, fill=TEXT_COLOUR, font=_font(28))
    font = _font(18)
    left, right, top, bottom = 80, 30, 70, 50
    points = _line_points(values, left, top, width - left - right, height - top - bottom)
    peak = max([float(v) for v in values] + [1.0])
    for k in range(5):
        y = top + (height - top - bottom) * k / 4
        draw.line((left, y, width - right, y), fill=GRID_COLOUR, width=1)
        draw.text((10, y - 10), f"{peak * (4 - k) / 4:,.0f}", fill=TEXT_COLOUR, font=font)
    if len(points) > 1:
        draw.line(points, fill=LINE_COLOUR, width=4)
    step = max(1, len(labels) // 10)
    for i, label in enumerate(labels):
        if i % step == 0 and i < len(points):
            draw.text((points[i][0] - 12, height - bottom + 12), label, fill=TEXT_COLOUR, font=font)
    return _png(image)


def bar_svg(labels: Sequence[str], values: Sequence[float], *, title: str, width: int = 640) -> str:
    row_h, top, left, right = 24, 36, 150, 70
    height = top + row_h * max(len(labels), 1) + 10
    peak = max([float(v) for v in values] + [1.0])
    span = width - left - right
    parts = [_svg_open(width, height), _svg_text(8, 20, title, 14, weight="bold")]
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = top + i * row_h
        length = max(1.0, span * float(value) / peak)
        parts.append(_svg_text(8, y + 15, _clip(label, 11), 11))
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" fill="{_hex(BAR_COLOUR)}"/>'
        )
        parts.append(_svg_text(left + length + 6, y + 15, f"{value:,.0f}", 11))
    parts.append("</svg>")
    return "".join(parts)


def line_svg(labels: Sequence[str], values: Sequence[float], *, title: str, width: int = 640, height: int = 220) -> str:
    left, right, top, bottom = 50, 16, 36, 26
    points = _line_points(values, left, top, width - left - right, height - top - bottom)
    peak = max([float(v) for v in values] + [1.0])
    parts = [_svg_open(width, height), _svg_text(8, 20, title, 14, weight="bold")]
    for k in range(5):
        y = top + (height - top - bottom) * k / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{_hex(GRID_COLOUR)}"/>')
        parts.append(_svg_text(4, y + 4, f"{peak * (4 - k) / 4:,.0f}", 9))
    if points:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{_hex(LINE_COLOUR)}" stroke-width="2"/>')
    step = max(1, len(labels) // 10)
    for i, label in enumerate(labels):
        if i % step == 0 and i < len(points):
            parts.append(_svg_text(points[i][0] - 8, height - 8, label, 9))
    parts.append("</svg>")
    return "".join(parts)


def _line_points(values: Sequence[float], left: float, top: float, w: float, h: float) -> list[tuple[float, float]]:
    if not values:
        return []
    peak = max([float(v) for v in values] + [1.0])
    step = w / max(len(values) - 1, 1)
    return [(left + i * step, top + h - h * float(v) / peak) for i, v in enumerate(values)]


def _svg_open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Noto Sans CJK SC, sans-serif">'
    )


def _svg_text(x: float, y: float, text: str, size: int, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
        f'fill="{_hex(TEXT_COLOUR)}">{escape(text)}</text>'
    )


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

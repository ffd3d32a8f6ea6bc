"""Charts and the print map as SVG drawn on the server: the same picture on the dashboard, in the HTML and in the PDF.

No JavaScript is needed to read them (the PDF renderer runs none), each mark
carries a `<title>` (the browser's tooltip, read by screen readers), and in a
right-to-left language the time axis runs from right to left, the value axis
stands on the right and the legend reads from the right. Every text is
anchored at its middle, at a mirrored position: `text-anchor` start/end
follows the text's own direction in Chromium but not in WeasyPrint, and
"middle" means the same in both. The lists under the
charts (in the templates) carry the same facts as text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from incidents.situation.numbers import localise_digits

# One colour per category group (reports.models.Category.Group), distinguishable in print and for most colour vision.
GROUP_COLOURS = {
    "violence": "#b2182b",
    "detention": "#6a3d9a",
    "property": "#d9822b",
    "fighting": "#4d4d4d",
    "displacement": "#2166ac",
    "services": "#1b7837",
}
BAND_COLOUR = "#111111"
BOUNDARIES = Path(__file__).resolve().parent / "static" / "situation" / "syria-admin1.geojson"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


def _nice_max(value: float) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return math.ceil(step * magnitude)
    return int(10 * magnitude)


def _ticks(top: int, count: int = 4) -> list[int]:
    step = max(1, top // count)
    return list(range(0, top + 1, step))[: count + 2]


def day_label(day: dt.date, language: str) -> str:
    """A short day: "6 Mar"; in Arabic digits only ("٦/٣"), since the PDF renderer's SVG text does not shape Arabic."""
    if language == "ar":
        return localise_digits(f"{day.day}/{day.month}", language)
    return date_format(day, "j M")


def stacked_days_svg(
    *,
    days: Sequence[dict],
    values: str,
    series: Sequence[Series],
    language: str,
    rtl: bool,
    title: str,
    band: tuple[str, str] | None = None,
    band_label: str = "",
    width: int = 720,
    height: int = 260,
) -> SafeString:
    """Bars per day stacked by series (`day[values][series.key]`), with an optional low–high band per day."""
    fmt: Callable[[int], str] = lambda n: localise_digits(f"{n:,}", language)  # noqa: E731
    margin_axis, margin_side, margin_top, margin_bottom = 48, 12, 14, 34
    plot_w = width - margin_axis - margin_side
    plot_h = height - margin_top - margin_bottom
    totals = [sum(day[values].values()) for day in days]
    highest = max([*totals, *([day[band[1]] for day in days] if band else []), 0])
    top = _nice_max(highest)
    n = max(len(days), 1)
    slot = plot_w / n
    bar = max(min(slot * 0.7, 48), 1.5)

    def x_of(index: int) -> float:
        # Mirrored in right-to-left: the first day stands on the right.
        position = (index + 0.5) * slot
        return (margin_side + plot_w - position) if rtl else (margin_axis + position)

    def y_of(value: float) -> float:
        return margin_top + plot_h - (value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart days" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    axis_x = margin_side + plot_w + margin_axis / 2 if rtl else margin_axis / 2
    for tick in _ticks(top):
        y = y_of(tick)
        x1, x2 = (margin_side, margin_side + plot_w) if rtl else (margin_axis, margin_axis + plot_w)
        parts.append(f'<line x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9dd" stroke-width="1"/>')
        parts.append(
            f'<text x="{axis_x}" y="{y + 4:.1f}" font-size="11" text-anchor="middle" fill="#5b636b">{fmt(tick)}</text>'
        )
    label_every = max(1, math.ceil(n / 10))
    for index, day in enumerate(days):
        x = x_of(index)
        base = 0
        date = dt.date.fromisoformat(day["date"])
        label = day_label(date, language)
        for one in series:
            value = day[values].get(one.key, 0)
            if not value:
                continue
            y_top, y_bottom = y_of(base + value), y_of(base)
            parts.append(
                f'<rect x="{x - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" '
                f'fill="{one.colour}"><title>{escape(label)} · {escape(one.label)}: {fmt(value)}</title></rect>'
            )
            base += value
        if band:
            low, high = day[band[0]], day[band[1]]
            if high:
                y_low, y_high = y_of(low), y_of(high)
                parts.append(
                    f'<g stroke="{BAND_COLOUR}" stroke-width="1.5"><title>{escape(label)} · {escape(band_label)}: '
                    f"{fmt(low)} – {fmt(high)}</title>"
                    f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_low:.1f}" y2="{y_high:.1f}"/>'
                    f'<line x1="{x - bar / 4:.1f}" x2="{x + bar / 4:.1f}" y1="{y_low:.1f}" y2="{y_low:.1f}"/>'
                    f'<line x1="{x - bar / 4:.1f}" x2="{x + bar / 4:.1f}" y1="{y_high:.1f}" y2="{y_high:.1f}"/></g>'
                )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - margin_bottom + 16}" font-size="11" text-anchor="middle" '
                f'fill="#1b1f23">{escape(label)}</text>'
            )
    baseline = y_of(0)
    x1, x2 = (margin_side, margin_side + plot_w) if rtl else (margin_axis, margin_axis + plot_w)
    parts.append(f'<line x1="{x1}" x2="{x2}" y1="{baseline:.1f}" y2="{baseline:.1f}" stroke="#1b1f23"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text in it is escaped above


def horizontal_bars_svg(
    *, rows: Sequence[tuple[str, int, int]], language: str, rtl: bool, title: str, labels: tuple[str, str]
) -> SafeString:
    """Two bars per area (incidents; killed, best), each on its own scale, longest first; mirrored in RTL."""
    fmt = lambda n: localise_digits(f"{n:,}", language)  # noqa: E731
    # Narrow enough to be read at a phone's width without scrolling (situation.css caps it on a desk).
    width, row_h, name_w, gap = 440, 28, 140, 8
    height = max(len(rows), 1) * row_h + 24
    bar_w = (width - name_w - 3 * gap) / 2
    top_a = _nice_max(max([r[1] for r in rows] or [0]))
    top_b = _nice_max(max([r[2] for r in rows] or [0]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart bars" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]

    def x(position: float, length: float = 0) -> float:
        return width - position - length if rtl else position

    heads = ((name_w + gap, labels[0]), (name_w + 2 * gap + bar_w, labels[1]))
    for position, text in heads:
        parts.append(
            f'<text x="{x(position + bar_w / 2):.1f}" y="14" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="#5b636b">{escape(text)}</text>'
        )
    for index, (name, incidents, killed) in enumerate(rows):
        y = 24 + index * row_h
        parts.append(
            f'<text x="{x(name_w / 2):.1f}" y="{y + 15}" font-size="11" text-anchor="middle" '
            f'fill="#1b1f23">{escape(name)}</text>'
        )
        for position, value, top, colour in (
            (name_w + gap, incidents, top_a, "#0b6b60"),
            (name_w + 2 * gap + bar_w, killed, top_b, "#b2182b"),
        ):
            length = bar_w * 0.8 * value / top
            parts.append(
                f'<rect x="{x(position, length):.1f}" y="{y + 4}" width="{max(length, 0.5):.1f}" height="{row_h - 12}" '
                f'fill="{colour}"><title>{escape(name)}: {fmt(value)}</title></rect>'
            )
            label = fmt(value)
            label_x = x(position + length + 4 + 3.5 * len(label))
            parts.append(
                f'<text x="{label_x:.1f}" y="{y + 15}" font-size="11" text-anchor="middle" '
                f'fill="#1b1f23">{label}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text in it is escaped above


@cache
def boundaries() -> dict:
    """The governorates' outlines shipped with the project (docs/situation.md says where they come from)."""
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


SHADES = ("#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f")


def shade(value: int, top: int) -> str:
    """The fill of an area: white for nothing, then five steps up to the largest value."""
    if value <= 0 or top <= 0:
        return SHADES[0]
    return SHADES[min(5, 1 + int(4.999 * value / top))]


def map_svg(
    *,
    values: dict[str, int],
    points: Sequence[dict],
    districts: Sequence[dict],
    names: dict[str, str],
    language: str,
    rtl: bool,
    title: str,
    width: int = 720,
) -> SafeString:
    """Governorates shaded by `values` (p-code → figure), districts as circles, incidents as dots; for print."""
    fmt = lambda n: localise_digits(f"{n:,}", language)  # noqa: E731
    features = boundaries()["features"]
    # The frame: the governorates with a figure and the points, with a margin (the neighbours show around
    # them); the whole country when nothing is there. At least 1.3 times as wide as high, for a page.
    focus = [f for f in features if values.get(f["properties"]["pcode"], 0)] or features
    lons = [p[0] for f in focus for ring in _rings(f["geometry"]) for p in ring] + [p["lon"] for p in points]
    lats = [p[1] for f in focus for ring in _rings(f["geometry"]) for p in ring] + [p["lat"] for p in points]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    margin = 0.15 * max(max_lon - min_lon, max_lat - min_lat, 0.5)
    min_lon, max_lon, min_lat, max_lat = min_lon - margin, max_lon + margin, min_lat - margin, max_lat + margin
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    wide = (max_lon - min_lon) * k
    if wide < 1.3 * (max_lat - min_lat):
        extra = (1.3 * (max_lat - min_lat) - wide) / k / 2
        min_lon, max_lon = min_lon - extra, max_lon + extra
    scale = (width - 20) / ((max_lon - min_lon) * k)
    height = int((max_lat - min_lat) * scale + 20)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - min_lon) * k * scale, 10 + (max_lat - lat) * scale

    top = max(values.values(), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="map" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        # What lies outside the governorates (the sea, the neighbours) in pale blue-grey.
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#dfe8ee"/>',
    ]
    for feature in features:
        pcode = feature["properties"]["pcode"]
        value = values.get(pcode, 0)
        path = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in ring)) + " Z"
            for ring in _rings(feature["geometry"])
        )
        parts.append(
            f'<path d="{path}" fill="{shade(value, top)}" stroke="#5b636b" stroke-width="0.8">'
            f"<title>{escape(names.get(pcode, pcode))}: {fmt(value)}</title></path>"
        )
    # One dot per pixel: dots at the same place (incidents placed at their district's point, or a few metres
    # apart) would be drawn on top of each other, and the PDF renderer draws every one.
    drawn: set[tuple[int, int]] = set()
    for point in points:
        x, y = project(point["lon"], point["lat"])
        if (round(x), round(y)) in drawn:
            continue
        drawn.add((round(x), round(y)))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="#111" fill-opacity="0.7"/>')
    top_district = max((d["value"] for d in districts), default=0)
    for district in districts:
        if not district["value"]:
            continue
        x, y = project(district["lon"], district["lat"])
        radius = 4 + 10 * math.sqrt(district["value"] / max(top_district, 1))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#2166ac" fill-opacity="0.35" stroke="#2166ac">'
            f"<title>{escape(district['name'])}: {fmt(district['value'])}</title></circle>"
        )
    for feature in features:
        pcode = feature["properties"]["pcode"]
        lon, lat = feature["properties"]["label"]
        x, y = project(lon, lat)
        # Arabic: the figure only (the PDF renderer's SVG text does not shape Arabic; the table names the areas).
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            continue
        label = fmt(values.get(pcode, 0)) if rtl else f"{names.get(pcode, pcode)} {fmt(values.get(pcode, 0))}"
        half = 3.2 * len(label) + 4
        parts.append(
            f'<rect x="{x - half:.1f}" y="{y - 11:.1f}" width="{2 * half:.1f}" height="15" rx="3" fill="#ffffff" '
            f'fill-opacity="0.85"/><text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#1b1f23">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text in it is escaped above

"""A program's progress as a table (rows shared by the page, CSV and Excel) and as a chart drawn on
the server (SVG: no script, readable on a phone, scales to the screen's width)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from liaison.programs import services
from liaison.programs.models import IndicatorKind
from liaison.programs.selectors import Cell, Progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def number(value: Decimal | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def cell_text(ind, cell: Cell | None) -> str:
    if cell is None:
        return ""
    if ind.kind == IndicatorKind.STATUS and cell.choice:
        lang = (get_language() or "vi")[:2]
        for c in ind.choices or []:
            if c.get("code") == cell.choice:
                return c.get(lang) or c.get("vi") or cell.choice
        return cell.choice
    if ind.kind == IndicatorKind.CRITERION and cell.value is not None and cell.target == 1:
        return _("yes") if cell.value == 1 else _("no")
    return number(cell.value)


def table(progress: Progress) -> list[list]:
    """One row per commune (and the total) per month: the figures so far, the target, the share."""
    lang = (get_language() or "vi")[:2]
    header = [_("Commune"), _("Month")]
    for ind in progress.indicators:
        name = ind.name_in(lang) + (f" ({ind.unit})" if ind.unit else "")
        header += [name, _("target"), "%"]
    rows = [header]
    for row in [*progress.communes, progress.total]:
        label = _("Total") if row.key == "total" else row.label
        for m in progress.months:
            cells = row.by_month.get(m, {})
            line = [label, m.strftime("%Y-%m")]
            for ind in progress.indicators:
                c = cells.get(ind.code)
                line += [
                    cell_text(ind, c),
                    number(c.target) if c and c.target is not None else "",
                    c.percent if c and c.percent is not None else "",
                ]
            rows.append([safe_cell(x) for x in line])
    return rows


def progress_export(actor, progress: Progress, fmt: str) -> HttpResponse:
    rows = table(progress)
    services.export_recorded(actor, progress.program, fmt=fmt)
    name = f"chuong-trinh-{progress.program.ref}"
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
        name += ".csv"
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = progress.program.ref
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(out.getvalue(), content_type=XLSX)
        name += ".xlsx"
    resp["Content-Disposition"] = content_disposition_header(True, name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- the chart ------------------------------------------------------------------------------------

COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7d8c", "#57606a"]


def chart_svg(progress: Progress, row=None, title: str = "") -> str:
    """Share of the target per indicator, month by month, as lines (0–100 %, capped at 120 %).
    A viewBox and relative width: the chart shrinks to a 375 px screen and stays legible."""
    row = row or progress.total
    lang = (get_language() or "vi")[:2]
    months = progress.months
    inds = [
        i
        for i in progress.indicators
        if any(row.by_month.get(m, {}).get(i.code, Cell()).share is not None for m in months)
    ]
    width, height, left, top, bottom, right = 360, 220, 34, 14, 28, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    top_share = 1.2

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / max(1, len(months)))

    def y(share: float) -> float:
        return top + plot_h * (1 - min(share, top_share) / top_share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 18 * len(inds)}" '
        f'role="img" aria-label="{escape(title)}" style="width:100%;max-width:720px;height:auto" '
        f'font-family="sans-serif" font-size="10">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for pct in (0, 50, 100):
        yy = y(pct / 100)
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{left - 4}" y="{yy + 3:.1f}" text-anchor="end" fill="#57606a">{pct}%</text>')
    for i, m in enumerate(months):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" fill="#57606a">{m.strftime("%m/%y")}</text>'
        )
    for n, ind in enumerate(inds):
        colour = COLOURS[n % len(COLOURS)]
        points = []
        for i, m in enumerate(months):
            c = row.by_month.get(m, {}).get(ind.code)
            if c is not None and c.share is not None:
                points.append((x(i), y(c.share)))
        if len(points) > 1:
            d = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
        ly = height + 4 + 18 * n
        parts.append(f'<rect x="{left}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + 14}" y="{ly + 9}" fill="#24292f">{escape(ind.name_in(lang))}</text>')
    if not inds:
        empty = escape(_("No targets or no approved entries yet."))
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#57606a">{empty}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def map_svg(layer: dict, title: str = "") -> str:
    """The communes of a progress layer placed by longitude and latitude, coloured by progress: a
    small map drawn on the server (no tiles, no script), readable on a phone."""
    feats = layer.get("features", [])
    if not feats:
        return ""
    lons = [f["geometry"]["coordinates"][0] for f in feats]
    lats = [f["geometry"]["coordinates"][1] for f in feats]
    pad = 0.05
    x0, x1 = min(lons) - pad, max(lons) + pad
    y0, y1 = min(lats) - pad, max(lats) + pad
    width, height = 360, max(160, int(360 * (y1 - y0) / max(x1 - x0, 1e-6)))
    height = min(height, 420)

    def px(lon: float) -> float:
        return 20 + (width - 40) * (lon - x0) / max(x1 - x0, 1e-6)

    def py(lat: float) -> float:
        return 14 + (height - 28) * (1 - (lat - y0) / max(y1 - y0, 1e-6))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" style="width:100%;max-width:720px;height:auto" '
        f'font-family="sans-serif" font-size="10">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f8fa"/>',
    ]
    for f in feats:
        lon, lat = f["geometry"]["coordinates"]
        p = f["properties"]
        label = f"{p['name']}" + (f" {p['percent']}%" if p["percent"] is not None else "")
        parts.append(
            f'<g data-commune="{escape(p["code"])}"><circle cx="{px(lon):.1f}" cy="{py(lat):.1f}" r="9" '
            f'fill="{p["colour"]}" fill-opacity=".85" stroke="#fff"/>'
            f'<text x="{px(lon) + 12:.1f}" y="{py(lat) + 3:.1f}" fill="#24292f">{escape(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)

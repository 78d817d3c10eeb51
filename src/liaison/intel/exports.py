"""CSV and XLSX exports. Cells that begin with = + - @ are neutralised (formula injection)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.intel.stats import rows_for_export
from liaison.org.models import Force, Level

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _labels() -> dict:
    from liaison.intel.models import Category, Status

    forces = {k: str(v) for k, v in Force.choices}
    pairs = {f"{a}>{b}": f"{forces[a]} → {forces[b]}" for a in forces for b in forces}
    return {
        "by_level": {k: str(v) for k, v in Level.choices},
        "by_origin_force": forces,
        "by_pair": pairs,
        "by_status": {k: str(v) for k, v in Status.choices},
        "by_category": dict(Category.objects.values_list("code", "name_vi")),
    }


def exchange_export(actor, stats: dict, fmt: str) -> HttpResponse:
    rows = [[safe_cell(c) for c in row] for row in rows_for_export(stats, _labels())]
    name = f"trao-doi-tin-{stats['period'].label.replace('/', '-')}"
    audit.record_separately(
        actor,
        Verb.ITEM_EXPORTED,
        object_type="intel.stats",
        object_ref=stats["period"].label,
        changes={"format": fmt, "rows": len(rows)},
    )
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Trao doi tin"
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(out.getvalue(), content_type=XLSX)
        name += ".xlsx"
    if fmt == "csv":
        name += ".csv"
    resp["Content-Disposition"] = content_disposition_header(True, name)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp

"""The briefing's figures as tables (rows: a key, a label, the period, the previous one and the same
period a year before), in the reader's language: the page, the API and the three documents show
the same tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from liaison.incidents.models import IncidentType, SeizureKind, Severity
from liaison.intel.models import Category
from liaison.intel.models import Status as ItemStatus
from liaison.org.models import Force, Level
from liaison.patrols.models import Kind as PatrolKind

OUTCOME_LABELS = {
    "arrested": "Arrested",
    "detained": "Detained",
    "rescued": "People rescued",
    "evacuated": "People evacuated",
    "deaths": "Deaths",
    "injured": "Injured",
}


def safe_cell(value):
    """A spreadsheet cell that cannot run as a formula (text starting with = + - @ is quoted)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass
class Row:
    key: str
    label: str
    values: list  # current, previous, year before


@dataclass
class Table:
    section: str  # exchange.by_level, incidents.outcomes, ...
    title: str
    rows: list[Row] = field(default_factory=list)
    partial: bool = False


def labels() -> dict[str, dict[str, str]]:
    forces = {k: str(v) for k, v in Force.choices}
    return {
        "by_level": {k: str(v) for k, v in Level.choices},
        "by_origin_force": forces,
        "by_recipient_force": forces,
        "by_lead_force": forces,
        "by_force": forces,
        "by_status": {k: str(v) for k, v in ItemStatus.choices},
        "by_category": dict(Category.objects.values_list("code", "name_vi")),
        "by_type": dict(IncidentType.objects.values_list("code", "name_vi")),
        "by_severity": {k: str(v) for k, v in Severity.choices},
        "by_kind": {k: str(v) for k, v in PatrolKind.choices},
        "outcomes": {k: _(v) for k, v in OUTCOME_LABELS.items()},
        "seizures": {k: str(v) for k, v in SeizureKind.choices},
        "verification": {
            "requested": _("Items sent for verification"),
            "in_time": _("Answered by the deadline"),
            "overdue": _("Answered late or overdue"),
        },
    }


def _breakdown(section: str, sub: str, title: str, figs: dict, names: dict) -> Table:
    periods = [figs["current"], figs["previous"], figs["year_before"]]
    values = [p[section].get(sub, {}) for p in periods]
    keys = sorted(set().union(*values), key=lambda k: names.get(sub, {}).get(k, k))
    t = Table(f"{section}.{sub}", title, partial=figs.get("partial", {}).get(section, False))
    for k in keys:
        t.rows.append(Row(k, names.get(sub, {}).get(k, k), [v.get(k, 0) for v in values]))
    return t


def tables(figs: dict) -> list[Table]:
    """Every table of the briefing, in the reader's language (the documents: Vietnamese)."""
    names = labels()
    cur, prev, yb = figs["current"], figs["previous"], figs["year_before"]
    partial = figs.get("partial", {})
    out: list[Table] = []
    t = Table("exchange.total", _("Information exchange"), partial=partial.get("exchange", False))
    t.rows.append(Row("total", _("Items exchanged"), [p["exchange"]["total"] for p in (cur, prev, yb)]))
    out.append(t)
    for sub, title in (
        ("by_level", _("By level")),
        ("by_origin_force", _("By originating force")),
        ("by_recipient_force", _("By recipient force")),
        ("by_category", _("By category")),
        ("by_status", _("By status")),
    ):
        out.append(_breakdown("exchange", sub, title, figs, names))
    t = Table("verification", _("Verification"), partial=partial.get("verification", False))
    for k in ("requested", "in_time", "overdue"):
        t.rows.append(Row(k, names["verification"][k], [p["verification"][k] for p in (cur, prev, yb)]))
    out.append(t)
    t = Table("incidents.total", _("Incidents"), partial=partial.get("incidents", False))
    t.rows.append(Row("total", _("Incidents"), [p["incidents"]["total"] for p in (cur, prev, yb)]))
    out.append(t)
    for sub, title in (
        ("by_type", _("By incident type")),
        ("by_severity", _("By severity")),
        ("by_lead_force", _("By lead force")),
        ("outcomes", _("Outcomes")),
        ("seizures", _("Seizures")),
    ):
        out.append(_breakdown("incidents", sub, title, figs, names))
    t = Table("patrols.total", _("Patrols"), partial=partial.get("patrols", False))
    for k, label in (
        ("patrols", _("Patrols")),
        ("people_days", _("People-days on patrol")),
        ("markers_checked", _("Markers checked")),
        ("findings", _("Findings")),
    ):
        t.rows.append(Row(k, label, [p["patrols"][k] for p in (cur, prev, yb)]))
    out.append(t)
    out.append(_breakdown("patrols", "by_kind", _("Patrols by kind"), figs, names))
    return out


def heads(figs: dict) -> list[str]:
    return [
        figs["period"]["label"],
        figs["previous_period"]["label"],
        _("A year before") + f" ({figs['year_before_period']['label']})",
    ]

"""The briefing's figures, generated from the records (issue 18).

Every count goes through the same filter function as the list page its figure links to
(`intel.selectors.filtered_items`, `incidents.selectors.filtered_incidents`, the patrol list's
`counted` filter), with the same parameters, so that a figure and its list agree by construction;
tests check each figure against a plain SQL count.

`action` is the policy action the records are counted under: "count" — a reader counts what they
may see, the coordination secretariat node-wide (policy/rules/briefings.py).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone

from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.incidents.models import Outcome, Seizure
from liaison.incidents.schemas import BoardFilter
from liaison.incidents.selectors import OUTCOME_COUNTS, filtered_incidents
from liaison.intel.models import ItemReceipt, VerificationRequest, verification_q
from liaison.intel.schemas import ItemFilter
from liaison.intel.selectors import filtered_items
from liaison.org.actor import Actor
from liaison.org.models import units_below
from liaison.patrols.stats import patrol_figures
from liaison.programs import selectors as programs

PERIOD_KINDS = ("month", "quarter", "half", "year", "custom")
SCOPE_KINDS = ("province", "border", "area", "unit")
# An item delivered to a unit is acknowledged in time within this many hours (decision 0015).
ACK_HOURS = 24


@dataclass(frozen=True)
class Period:
    kind: str
    starts_on: dt.date  # local days, end exclusive
    ends_on: dt.date

    @property
    def start(self) -> dt.datetime:
        return _local(self.starts_on)

    @property
    def end(self) -> dt.datetime:
        return _local(self.ends_on)

    @property
    def label(self) -> str:
        s, e = self.starts_on, self.ends_on
        if self.kind == "month":
            return f"{s.month:02d}/{s.year}"
        if self.kind == "quarter":
            return f"Q{(s.month - 1) // 3 + 1}/{s.year}"
        if self.kind == "half":
            return f"H{1 if s.month < 7 else 2}/{s.year}"
        if self.kind == "year":
            return str(s.year)
        return f"{s.isoformat()} – {(e - dt.timedelta(days=1)).isoformat()}"

    def previous(self) -> Period:
        if self.kind == "custom":
            return Period("custom", self.starts_on - (self.ends_on - self.starts_on), self.starts_on)
        months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.kind]
        return Period(self.kind, _add_months(self.starts_on, -months), self.starts_on)

    def year_before(self) -> Period:
        return Period(self.kind, _add_months(self.starts_on, -12), _add_months(self.ends_on, -12))


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, min(d.day, 28) if d.day > 28 else d.day)


def _local(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=timezone.get_current_timezone())


def period(kind: str, on: dt.date, end: dt.date | None = None) -> Period:
    """The period of `kind` containing `on` (custom: from `on` to `end`, `end` exclusive)."""
    if kind == "month":
        s = on.replace(day=1)
        return Period(kind, s, _add_months(s, 1))
    if kind == "quarter":
        s = dt.date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, s, _add_months(s, 3))
    if kind == "half":
        s = dt.date(on.year, 1 if on.month < 7 else 7, 1)
        return Period(kind, s, _add_months(s, 6))
    if kind == "year":
        return Period(kind, dt.date(on.year, 1, 1), dt.date(on.year + 1, 1, 1))
    if kind == "custom":
        if end is None or end <= on:
            raise Invalid(field="ends_on", code="before_start", message="The end must come after the start.")
        if (end - on).days > 3660:
            raise Invalid(field="ends_on", code="too_long", message="At most ten years.")
        return Period(kind, on, end)
    raise Invalid(field="period_kind", code="invalid_choice", message="month, quarter, half, year or custom.")


def last_quarter(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate(clock.now())
    return period("quarter", today).previous()


@dataclass(frozen=True)
class Scope:
    kind: str = "province"
    code: str = ""

    def item_params(self) -> dict:
        return {
            "border": {"border": True},
            "area": {"within": self.code},
            "unit": {"origin_within": self.code},
        }.get(self.kind, {})

    def incident_params(self) -> dict:
        return {
            "border": {"border": True},
            "area": {"within": self.code},
            "unit": {"lead_within": self.code},
        }.get(self.kind, {})

    def patrol_params(self) -> dict:
        return {
            "border": {"border": True},
            "area": {"within": self.code},
            "unit": {"lead_within": self.code},
        }.get(self.kind, {})


# --- the list filters behind each figure (the links use the same) ----------------------------------


def exchange_params(p: Period, scope: Scope, **more) -> dict:
    return {"exchanged_since": p.start, "exchanged_until": p.end, **scope.item_params(), **more}


def verification_params(p: Period, scope: Scope, bucket: str) -> dict:
    return {
        "verification": bucket,
        "verification_since": p.start,
        "verification_until": p.end,
        **scope.item_params(),
    }


def incident_params(p: Period, scope: Scope, **more) -> dict:
    return {
        "include_final": True,
        "drills": False,
        "opened_since": p.start,
        "opened_until": p.end,
        **scope.incident_params(),
        **more,
    }


def patrol_params(p: Period, scope: Scope, **more) -> dict:
    return {"since": p.start, "until": p.end, "counted": True, **scope.patrol_params(), **more}


def _items(actor, params: dict, action: str):
    return filtered_items(actor, ItemFilter.model_validate(params), action=action)


def _incidents(actor, params: dict, action: str):
    return filtered_incidents(actor, BoardFilter.model_validate(params), action=action)


def _grouped(qs, column: str) -> dict[str, int]:
    return {
        str(k): n
        for k, n in qs.order_by().values(column).annotate(n=Count("id")).values_list(column, "n")
        if k is not None
    }


# --- the sections ---------------------------------------------------------------------------------


def exchange(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    items = _items(actor, exchange_params(p, scope), action)
    by_recipient = dict(
        ItemReceipt.objects.filter(item__in=items.values("pk"))
        .exclude(unit__force=F("item__origin_unit__force"))
        .order_by()
        .values("unit__force")
        .annotate(n=Count("item", distinct=True))
        .values_list("unit__force", "n")
    )
    return {
        "total": items.count(),
        "by_level": _grouped(items, "level"),
        "by_origin_force": _grouped(items, "origin_unit__force"),
        "by_recipient_force": by_recipient,
        "by_category": _grouped(items, "category__code"),
        "by_status": _grouped(items, "status"),
    }


def verification(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    return {
        bucket: _items(actor, verification_params(p, scope, bucket), action).count()
        for bucket in ("requested", "in_time", "overdue")
    }


def incidents(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    qs = _incidents(actor, incident_params(p, scope), action)
    ids = qs.values("pk")
    outcome_rows = Outcome.objects.filter(incident__in=ids)
    sums = outcome_rows.aggregate(**{k: Sum(k) for k in OUTCOME_COUNTS})
    with_outcome = {k: outcome_rows.filter(**{f"{k}__gt": 0}).count() for k in OUTCOME_COUNTS}
    seizures = {
        kind: str(total.normalize() if isinstance(total, Decimal) else total)
        for kind, total in Seizure.objects.filter(outcome__incident__in=ids)
        .order_by()
        .values("kind")
        .annotate(total=Sum("quantity"))
        .values_list("kind", "total")
    }
    seizure_incidents = dict(
        Seizure.objects.filter(outcome__incident__in=ids)
        .order_by()
        .values("kind")
        .annotate(n=Count("outcome__incident", distinct=True))
        .values_list("kind", "n")
    )
    return {
        "total": qs.count(),
        "by_type": _grouped(qs, "incident_type__code"),
        "by_severity": _grouped(qs, "severity"),
        "by_lead_force": _grouped(qs, "lead_force"),
        "outcomes": {k: sums[k] or 0 for k in OUTCOME_COUNTS},
        "outcome_incidents": with_outcome,
        "seizures": seizures,
        "seizure_incidents": seizure_incidents,
    }


def patrols(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    from django.db.models import Q

    params = scope.patrol_params()
    where = Q()
    if params.get("border"):
        where &= Q(lead_unit__area__is_border_area=True)
    if params.get("within"):
        where &= Q(lead_unit__area__code=scope.code) | Q(lead_unit__area__parent__code=scope.code)
    if params.get("lead_within"):
        where &= Q(lead_unit__in=units_below(scope.code))
    f = patrol_figures(actor, since=p.start, until=p.end, action=action, where=where)
    keep = ("patrols", "by_kind", "by_force", "people_days", "checkins", "markers_checked", "findings")
    return {k: f[k] for k in keep}


def programs_(actor, p: Period, action: str = "count") -> list[dict]:
    out = []
    for prog in programs.figures(actor, start=p.starts_on, end=p.ends_on, action=action):
        out.append(
            {
                "id": str(prog["id"]),
                "ref": prog["ref"],
                "name_vi": prog["name_vi"],
                "name_en": prog["name_en"],
                "name_lo": prog["name_lo"],
                "entries": prog["entries"],
                "indicators": [
                    {**ind, "sum": str(Decimal(ind["sum"]).normalize())} for ind in prog["indicators"]
                ],
            }
        )
    return out


def scorecard(actor, p: Period, scope: Scope, action: str = "count") -> list[dict]:
    """Per unit: items acknowledged within ACK_HOURS of delivery, verifications answered by their
    deadline, incidents acknowledged by theirs; the median acknowledgement delay in hours."""
    visible_items = _items(actor, {**scope.item_params()}, action).values("pk")
    rows: dict[str, dict] = {}

    def row(code, name):
        return rows.setdefault(
            code,
            {
                "unit": code,
                "name": name,
                "items": 0,
                "items_in_time": 0,
                "verifications": 0,
                "verifications_in_time": 0,
                "incidents": 0,
                "incidents_in_time": 0,
                "delays": [],
            },
        )

    limit = dt.timedelta(hours=ACK_HOURS)
    for code, name, delivered, acked in ItemReceipt.objects.filter(
        item__in=visible_items, delivered_at__gte=p.start, delivered_at__lt=p.end
    ).values_list("unit__code", "unit__name", "delivered_at", "acknowledged_at"):
        r = row(code, name)
        r["items"] += 1
        if acked is not None:
            r["delays"].append((acked - delivered).total_seconds() / 3600)
            if acked - delivered <= limit:
                r["items_in_time"] += 1
    asked = VerificationRequest.objects.filter(item__in=visible_items).filter(
        verification_q("requested", p.start, p.end, clock.now())
    )
    in_time = set(
        asked.filter(verification_q("in_time", p.start, p.end, clock.now())).values_list("pk", flat=True)
    )
    for pk, code, name in asked.values_list("pk", "unit__code", "unit__name"):
        r = row(code, name)
        r["verifications"] += 1
        r["verifications_in_time"] += pk in in_time
    for code, name, due, acked in (
        _incidents(actor, incident_params(p, scope), action)
        .filter(ack_due_at__isnull=False)
        .values_list("lead_unit__code", "lead_unit__name", "ack_due_at", "acknowledged_at")
    ):
        r = row(code, name)
        r["incidents"] += 1
        r["incidents_in_time"] += acked is not None and acked <= due
    out = []
    for r in sorted(rows.values(), key=lambda r: r["unit"]):
        delays = r.pop("delays")
        r["median_hours"] = round(statistics.median(delays), 1) if delays else None
        done = r["items_in_time"] + r["verifications_in_time"] + r["incidents_in_time"]
        total = r["items"] + r["verifications"] + r["incidents"]
        r["share"] = round(100 * done / total) if total else None
        out.append(r)
    return out


def drills(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    """Drills are never counted: listed separately (references only)."""
    items = (
        _items(actor, {**scope.item_params(), "include_drills": True}, action)
        .filter(is_drill=True, received_at__gte=p.start, received_at__lt=p.end)
        .order_by("received_at")
    )
    incs = (
        filtered_incidents(
            actor,
            BoardFilter.model_validate({"include_final": True, **scope.incident_params()}),
            action=action,
        )
        .filter(is_drill=True, opened_at__gte=p.start, opened_at__lt=p.end)
        .order_by("opened_at")
    )
    return {
        "items": [
            {"id": str(i), "ref": r, "title": t} for i, r, t in items.values_list("pk", "ref", "title")[:200]
        ],
        "incidents": [
            {"id": str(i), "ref": r, "title": t} for i, r, t in incs.values_list("pk", "ref", "title")[:200]
        ],
    }


def section_figures(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    return {
        "exchange": exchange(actor, p, scope, action),
        "verification": verification(actor, p, scope, action),
        "incidents": incidents(actor, p, scope, action),
        "patrols": patrols(actor, p, scope, action),
    }


def generate(actor, p: Period, scope: Scope, *, progress=None) -> dict:
    """Every figure of a briefing for `actor`: the period beside the previous one and the same
    period a year before, the programs, the scorecard, the drills, and which sections are partial
    (the reader counts fewer records than the node holds)."""

    def step(n, label):
        if progress is not None:
            progress(n, label)

    step(5, "current")
    current = section_figures(actor, p, scope)
    step(35, "previous")
    previous = section_figures(actor, p.previous(), scope)
    step(55, "year_before")
    year_before = section_figures(actor, p.year_before(), scope)
    step(70, "programs")
    progs = programs_(actor, p)
    step(80, "scorecard")
    card = scorecard(actor, p, scope)
    drill_list = drills(actor, p, scope)
    step(90, "partial")
    system = Actor.system()
    partial = {
        "exchange": current["exchange"]["total"] < exchange(system, p, scope)["total"],
        "verification": current["verification"]["requested"] < verification(system, p, scope)["requested"],
        "incidents": current["incidents"]["total"]
        < _incidents(system, incident_params(p, scope), "count").count(),
        "patrols": current["patrols"]["patrols"] < patrols(system, p, scope)["patrols"],
    }
    return {
        "period": {
            "kind": p.kind,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "label": p.label,
        },
        "previous_period": {
            "starts_on": p.previous().starts_on.isoformat(),
            "ends_on": p.previous().ends_on.isoformat(),
            "label": p.previous().label,
        },
        "year_before_period": {
            "starts_on": p.year_before().starts_on.isoformat(),
            "ends_on": p.year_before().ends_on.isoformat(),
            "label": p.year_before().label,
        },
        "scope": {"kind": scope.kind, "code": scope.code},
        "current": current,
        "previous": previous,
        "year_before": year_before,
        "programs": progs,
        "scorecard": card,
        "drills": drill_list,
        "partial": partial,
        "generated_at": clock.now().isoformat(),
    }


# --- the list behind a figure --------------------------------------------------------------------

EXCHANGE_FILTER = {
    "by_level": "level",
    "by_origin_force": "origin_force",
    "by_recipient_force": "recipient_force",
    "by_category": "category",
    "by_status": "status",
}
INCIDENT_FILTER = {
    "by_type": "type",
    "by_severity": "severity",
    "by_lead_force": "lead_force",
    "outcomes": "outcome",
    "seizures": "outcome",
}


def link(section: str, key: str, p: Period, scope: Scope) -> tuple[str, dict[str, str]] | None:
    """(list, query) of the records behind a figure: the list's own filters, with which the list
    shows exactly the records the figure counts. `section` is "exchange.by_level", "incidents.total"…"""
    head, _dot, sub = section.partition(".")
    if head == "exchange":
        more = {EXCHANGE_FILTER[sub]: key} if sub in EXCHANGE_FILTER else {}
        return "intel:list", _query(exchange_params(p, scope, **more))
    if head == "verification":
        return "intel:list", _query(verification_params(p, scope, key))
    if head == "incidents":
        more = {INCIDENT_FILTER[sub]: key} if sub in INCIDENT_FILTER else {}
        return "incidents:board", _query(incident_params(p, scope, **more))
    if head == "patrols":
        if sub == "total" and key != "patrols":
            return None  # people-days, markers, findings: figures over the patrols of the "patrols" link
        more = {"kind": key} if sub == "by_kind" else {}
        return "patrols:list", _query(patrol_params(p, scope, **more))
    return None


def _query(params: dict) -> dict[str, str]:
    out = {}
    for k, v in params.items():
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, dt.datetime):
            out[k] = v.isoformat()
        else:
            out[k] = str(v)
    return out

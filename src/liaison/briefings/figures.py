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

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from liaison import policy
from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.incidents.models import Outcome, Seizure
from liaison.incidents.schemas import BoardFilter
from liaison.incidents.selectors import OUTCOME_COUNTS, filtered_incidents
from liaison.intel.models import ACK_HOURS, ItemReceipt, VerificationRequest, receipt_q, verification_q
from liaison.intel.schemas import ItemFilter
from liaison.intel.selectors import filtered_items
from liaison.org.actor import Actor
from liaison.org.models import units_below
from liaison.patrols.stats import counted_patrols, patrol_figures
from liaison.programs import selectors as programs

PERIOD_KINDS = ("month", "quarter", "half", "year", "custom")
SCOPE_KINDS = ("province", "border", "area", "unit")
# An item delivered to a unit is acknowledged in time within ACK_HOURS (intel.models; decision 0015).
__all__ = ["ACK_HOURS"]


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

    def participation_q(self) -> Q | None:
        """The program communes (`programs.Participation`) of the scope; None: every commune."""
        if self.kind == "border":
            return Q(commune__is_border_area=True)
        if self.kind == "area":
            return Q(commune__code=self.code) | Q(commune__parent__code=self.code)
        if self.kind == "unit":
            return Q(unit__in=units_below(self.code))
        return None

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


def _breakdowns(qs, columns: dict[str, str]) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and every breakdown of `qs` from ONE statement: a COUNT grouped by all the columns
    together (a few hundred rows at most), added up per column here. Each breakdown is then exactly
    the `COUNT … GROUP BY column` of the same rows, and the visible set (the policy's predicate) is
    evaluated once, not once per breakdown."""
    out: dict[str, dict[str, int]] = {name: {} for name in columns}
    total = 0
    for row in qs.order_by().values(*columns.values()).annotate(n=Count("id")):
        total += row["n"]
        for name, column in columns.items():
            k = row[column]
            if k is not None:
                out[name][str(k)] = out[name].get(str(k), 0) + row["n"]
    return total, out


# --- the sections ---------------------------------------------------------------------------------


EXCHANGE_COLUMNS = {
    "by_level": "level",
    "by_origin_force": "origin_unit__force",
    "by_category": "category__code",
    "by_status": "status",
}


def exchange(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    """One pass over the period's items (an index-only scan of `item_exchanged`: the policy's
    predicate evaluated once) gives the total and every breakdown; then the receipts of those items,
    probing the `receipt_unique` index with the set computed once (`in_set`), give the recipient forces: an item counts once
    for each force other than its originator's that received it."""
    items = _items(actor, exchange_params(p, scope), action)
    rows = list(items.order_by().values_list("pk", *EXCHANGE_COLUMNS.values()))
    by: dict[str, dict[str, int]] = {name: {} for name in EXCHANGE_COLUMNS}
    origin_force = {}
    for pk, *values in rows:
        origin_force[pk] = values[1]
        for name, k in zip(EXCHANGE_COLUMNS, values, strict=True):
            if k is not None:
                by[name][str(k)] = by[name].get(str(k), 0) + 1
    by_recipient: dict[str, int] = {}
    for item_id, force in (
        ItemReceipt.objects.filter(item_id__in_set=items.values("pk"))
        .order_by()
        .values_list("item_id", "unit__force")
        .distinct()
    ):
        if force != origin_force.get(item_id, force):
            by_recipient[force] = by_recipient.get(force, 0) + 1
    return {"total": len(rows), **by, "by_recipient_force": by_recipient}


BUCKETS = ("requested", "in_time", "overdue")


def verification(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    """Items with a verification request asked in the period: any, answered by the deadline, late.
    One statement over the period's requests (each bucket a filtered DISTINCT count of items): the
    same rows as the item list's `verification` filter."""
    now = clock.now()
    items = _items(actor, scope.item_params(), action)
    counts = VerificationRequest.objects.filter(
        verification_q("requested", p.start, p.end, now), item__in=items.values("pk")
    ).aggregate(
        **{b: Count("item", distinct=True, filter=verification_q(b, p.start, p.end, now)) for b in BUCKETS}
    )
    return {b: counts[b] or 0 for b in BUCKETS}


def incidents(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    qs = _incidents(actor, incident_params(p, scope), action)
    total, by = _breakdowns(
        qs,
        {"by_type": "incident_type__code", "by_severity": "severity", "by_lead_force": "lead_force"},
    )
    ids = qs.values("pk")
    # The outcome totals and how many incidents have each, in one statement.
    aggregates = {f"sum_{k}": Sum(k) for k in OUTCOME_COUNTS}
    aggregates.update({f"with_{k}": Count("id", filter=Q(**{f"{k}__gt": 0})) for k in OUTCOME_COUNTS})
    sums = Outcome.objects.filter(incident__in=ids).aggregate(**aggregates)
    seizures, seizure_incidents = {}, {}
    for kind, quantity, n in (
        Seizure.objects.filter(outcome__incident__in=ids)
        .order_by()
        .values("kind")
        .annotate(total=Sum("quantity"), n=Count("outcome__incident", distinct=True))
        .values_list("kind", "total", "n")
    ):
        seizures[kind] = str(quantity.normalize() if isinstance(quantity, Decimal) else quantity)
        seizure_incidents[kind] = n
    return {
        "total": total,
        **by,
        "outcomes": {k: sums[f"sum_{k}"] or 0 for k in OUTCOME_COUNTS},
        "outcome_incidents": {k: sums[f"with_{k}"] or 0 for k in OUTCOME_COUNTS},
        "seizures": seizures,
        "seizure_incidents": seizure_incidents,
    }


def _patrol_where(scope: Scope) -> Q:
    params = scope.patrol_params()
    where = Q()
    if params.get("border"):
        where &= Q(lead_unit__area__is_border_area=True)
    if params.get("within"):
        where &= Q(lead_unit__area__code=scope.code) | Q(lead_unit__area__parent__code=scope.code)
    if params.get("lead_within"):
        where &= Q(lead_unit__in=units_below(scope.code))
    return where


def patrol_count(actor, p: Period, scope: Scope, action: str = "count") -> int:
    return counted_patrols(actor, p.start, p.end, action=action).filter(_patrol_where(scope)).count()


def patrols(actor, p: Period, scope: Scope, action: str = "count") -> dict:
    f = patrol_figures(actor, since=p.start, until=p.end, action=action, where=_patrol_where(scope))
    keep = ("patrols", "by_kind", "by_force", "people_days", "checkins", "markers_checked", "findings")
    return {k: f[k] for k in keep}


def programs_(actor, p: Period, scope: Scope | None = None, action: str = "count") -> list[dict]:
    """The programs running in the period, counted over the communes of the scope only."""
    out = []
    where = (scope or Scope()).participation_q()
    for prog in programs.figures(
        actor, start=p.starts_on, end=p.ends_on, action=action, participations=where
    ):
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
    deadline (items asked of the unit in the period), incidents acknowledged by theirs; the median
    acknowledgement delay in hours over the items it acknowledged. Each count is a grouped SQL
    count over the rows of the list its link opens (`scorecard_link`).

    The visible items are decided only among those delivered or asked in the period (the policy's
    predicate on the period's rows, not on every item of the node)."""
    rows: dict[str, dict] = {}
    names = {}

    def row(code):
        return rows.setdefault(
            code,
            {
                "unit": code,
                "name": names.get(code, code),
                "items": 0,
                "items_in_time": 0,
                "items_acknowledged": 0,
                "verifications": 0,
                "verifications_in_time": 0,
                "incidents": 0,
                "incidents_in_time": 0,
                "delays": [],
            },
        )

    now = clock.now()
    visible = _items(actor, scope.item_params(), action)
    # The receipts delivered in the period (index `receipt_delivered`) of the items the reader may
    # see: the policy's predicate decided only for those items (`in_set`: each set computed once).
    delivered = ItemReceipt.objects.filter(receipt_q(None, p.start, p.end))
    receipts = delivered.filter(
        item_id__in_set=visible.filter(pk__in_set=delivered.values("item_id")).values("pk")
    )
    for code, name, n, ok, acked in (
        receipts.order_by()
        .values("unit__code", "unit__name")
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=receipt_q("in_time", None, None)),
            acked=Count("id", filter=Q(acknowledged_at__isnull=False)),
        )
        .values_list("unit__code", "unit__name", "n", "ok", "acked")
    ):
        names[code] = name
        r = row(code)
        r["items"], r["items_in_time"], r["items_acknowledged"] = n, ok, acked
    for code, delivered_at, acknowledged_at in receipts.filter(acknowledged_at__isnull=False).values_list(
        "unit__code", "delivered_at", "acknowledged_at"
    ):
        row(code)["delays"].append((acknowledged_at - delivered_at).total_seconds() / 3600)
    asked = VerificationRequest.objects.filter(verification_q("requested", p.start, p.end, now))
    for code, name, n, ok in (
        asked.filter(item_id__in_set=visible.filter(pk__in_set=asked.values("item_id")).values("pk"))
        .order_by()
        .values("unit__code", "unit__name")
        .annotate(
            n=Count("item", distinct=True),
            ok=Count("item", distinct=True, filter=verification_q("in_time", p.start, p.end, now)),
        )
        .values_list("unit__code", "unit__name", "n", "ok")
    ):
        names[code] = name
        r = row(code)
        r["verifications"], r["verifications_in_time"] = n, ok
    for code, name, n, ok in (
        _incidents(actor, incident_params(p, scope, ack="due"), action)
        .order_by()
        .values("lead_unit__code", "lead_unit__name")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(acknowledged_at__lte=F("ack_due_at"))))
        .values_list("lead_unit__code", "lead_unit__name", "n", "ok")
    ):
        names[code] = name
        r = row(code)
        r["incidents"] += n
        r["incidents_in_time"] += ok
    out = []
    for r in sorted(rows.values(), key=lambda r: r["unit"]):
        r["name"] = names.get(r["unit"], r["unit"])
        delays = r.pop("delays")
        r["median_hours"] = round(statistics.median(delays), 1) if delays else None
        done = r["items_in_time"] + r["verifications_in_time"] + r["incidents_in_time"]
        total = r["items"] + r["verifications"] + r["incidents"]
        r["share"] = round(100 * done / total) if total else None
        for kind in ("items", "verifications", "incidents"):
            r[f"{kind}_share"] = round(100 * r[f"{kind}_in_time"] / r[kind]) if r[kind] else None
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
    progs = programs_(actor, p, scope)
    step(80, "scorecard")
    card = scorecard(actor, p, scope)
    drill_list = drills(actor, p, scope)
    step(90, "partial")
    partial = dict.fromkeys(("exchange", "verification", "incidents", "patrols"), False)
    if not policy.can(actor, "briefing.counts_all"):
        # The node-wide totals, only to tell whether a count is partial (one count per section).
        system = Actor.system()
        partial = {
            "exchange": current["exchange"]["total"]
            < _items(system, exchange_params(p, scope), "count").count(),
            "verification": current["verification"]["requested"]
            < _items(system, verification_params(p, scope, "requested"), "count").count(),
            "incidents": current["incidents"]["total"]
            < _incidents(system, incident_params(p, scope), "count").count(),
            "patrols": current["patrols"]["patrols"] < patrol_count(system, p, scope),
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
    if head == "scorecard":
        return scorecard_link(sub, key, p, scope)
    if head == "patrols":
        # People-days, markers checked, findings: figures over the counted patrols, which the link lists.
        more = {"kind": key} if sub == "by_kind" else {}
        return "patrols:list", _query(patrol_params(p, scope, **more))
    return None


# The scorecard's columns: (list, the filters that give the records behind the figure).
SCORECARD_COLUMNS = {
    "items": ("intel:list", {}),
    "items_in_time": ("intel:list", {"acknowledged": "in_time"}),
    "items_share": ("intel:list", {"acknowledged": "in_time"}),
    "items_acknowledged": ("intel:list", {"acknowledged": "yes"}),
    "median_hours": ("intel:list", {"acknowledged": "yes"}),
    "verifications": ("intel:list", {"verification": "requested"}),
    "verifications_in_time": ("intel:list", {"verification": "in_time"}),
    "verifications_share": ("intel:list", {"verification": "in_time"}),
    "incidents": ("incidents:board", {"ack": "due"}),
    "incidents_in_time": ("incidents:board", {"ack": "in_time"}),
    "incidents_share": ("incidents:board", {"ack": "in_time"}),
}


def scorecard_link(column: str, unit: str, p: Period, scope: Scope) -> tuple[str, dict[str, str]] | None:
    """The list behind a figure of unit `unit`'s scorecard row: the items delivered to it in the
    period (all, acknowledged, acknowledged in time: the median is over the acknowledged ones), the
    items it was asked to verify (all, answered in time), the incidents it leads with an
    acknowledgement deadline (all, acknowledged by it). A share links to the records in time."""
    if column not in SCORECARD_COLUMNS:
        return None
    name, more = SCORECARD_COLUMNS[column]
    if column.startswith("items") or column == "median_hours":
        params = {
            "delivered_to": unit,
            "delivered_since": p.start,
            "delivered_until": p.end,
            **scope.item_params(),
            **more,
        }
    elif column.startswith("verifications"):
        params = {**verification_params(p, scope, more["verification"]), "verification_unit": unit}
    else:
        params = incident_params(p, scope, lead_unit=unit, **more)
    return name, _query(params)


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

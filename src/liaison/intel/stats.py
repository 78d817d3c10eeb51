"""Exchange statistics: counts per period over what the reader may see, with the previous period.

An item counts as exchanged in the period (Asia/Ho_Chi_Minh) of its first share to a unit of
another force; its level is its originating unit's level when it was created. Drills never count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F
from django.utils import timezone

from liaison import policy
from liaison.core.errors import Invalid
from liaison.intel.models import Item, ItemReceipt, exchanged_in

PERIODS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.datetime
    end: dt.datetime
    label: str

    def previous(self) -> Period:
        if self.kind == "month":
            s = self.start.astimezone(timezone.get_current_timezone())
            y, m = (s.year, s.month - 1) if s.month > 1 else (s.year - 1, 12)
            return period("month", dt.date(y, m, 1))
        if self.kind == "quarter":
            s = self.start.astimezone(timezone.get_current_timezone())
            q = (s.month - 1) // 3
            y, q = (s.year, q - 1) if q > 0 else (s.year - 1, 3)
            return period("quarter", dt.date(y, q * 3 + 1, 1))
        if self.kind == "year":
            s = self.start.astimezone(timezone.get_current_timezone())
            return period("year", dt.date(s.year - 1, 1, 1))
        length = self.end - self.start
        return Period("custom", self.start - length, self.start, "previous")


def _local(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=timezone.get_current_timezone())


def period(kind: str, on: dt.date, end: dt.date | None = None) -> Period:
    """The period of `kind` containing `on` (custom: from `on` to `end`, end exclusive)."""
    if kind == "month":
        start = dt.date(on.year, on.month, 1)
        nxt = dt.date(on.year + (on.month == 12), on.month % 12 + 1, 1)
        return Period(kind, _local(start), _local(nxt), f"{on.month:02d}/{on.year}")
    if kind == "quarter":
        q = (on.month - 1) // 3
        start = dt.date(on.year, q * 3 + 1, 1)
        nxt = dt.date(on.year + (q == 3), (q * 3 + 3) % 12 + 1, 1)
        return Period(kind, _local(start), _local(nxt), f"Q{q + 1}/{on.year}")
    if kind == "year":
        return Period(kind, _local(dt.date(on.year, 1, 1)), _local(dt.date(on.year + 1, 1, 1)), str(on.year))
    if kind == "custom":
        if end is None or end <= on:
            raise Invalid(field="end", code="before_start", message="The end must come after the start.")
        if (end - on).days > 3660:
            raise Invalid(field="end", code="too_long", message="At most ten years.")
        return Period(kind, _local(on), _local(end), f"{on.isoformat()} – {end.isoformat()}")
    raise Invalid(field="period", code="invalid_choice", message="month, quarter, year or custom.")


def _counts(actor, p: Period, action: str = "view") -> dict:
    # Counted in SQL over the items the reader may see that were exchanged in the period: one
    # grouped count gives the total and every breakdown (the covering exchanged_at index holds the
    # level, force, category and status), and one the who-to-whom pairs. The policy's rule is a
    # test on each row (decision 0021), so no list of ids leaves the database.
    seen = exchanged_in(policy.visible(actor, Item, action), p.start, p.end)
    by: dict[str, dict[str, int]] = {
        k: {} for k in ("level", "origin_unit__force", "category__code", "status")
    }
    total = 0
    for g in (
        seen.values("level", "origin_unit__force", "category__code", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        total += g["n"]
        for k, counts in by.items():
            counts[g[k]] = counts.get(g[k], 0) + g["n"]
    pairs: dict[str, int] = {}
    for r in (
        ItemReceipt.objects.filter(item__in=seen.order_by().values("pk"))
        .exclude(unit__force=F("item__origin_unit__force"))
        .values("item__origin_unit__force", "unit__force")
        .annotate(n=Count("item", distinct=True))
        .order_by()
    ):
        pairs[f"{r['item__origin_unit__force']}>{r['unit__force']}"] = r["n"]
    return {
        "total": total,
        "by_level": by["level"],
        "by_origin_force": by["origin_unit__force"],
        "by_category": by["category__code"],
        "by_status": by["status"],
        "by_pair": pairs,
    }


def exchange_stats(actor, p: Period, action: str = "count") -> dict:
    """Counted under the policy's "count" action: what the reader may see; for the coordination
    secretariat, the whole node (PRODUCT.md, Statistics)."""
    prev = p.previous()
    return {
        "period": p,
        "previous_period": prev,
        "current": _counts(actor, p, action),
        "previous": _counts(actor, prev, action),
    }


# The item list's filter for each breakdown of the statistics: a figure's link gives the list of
# exactly the items it counts (the same `exchanged_in` definition on both sides).
LIST_FILTER = {
    "by_level": "level",
    "by_origin_force": "origin_force",
    "by_category": "category",
    "by_status": "status",
}


def list_query(p: Period, section: str | None = None, key: str | None = None) -> dict[str, str]:
    """The item list's query string for a figure of the statistics of period `p`."""
    q = {"exchanged_since": p.start.isoformat(), "exchanged_until": p.end.isoformat()}
    if section == "by_pair" and key:
        origin, _sep, recipient = key.partition(">")
        q.update(origin_force=origin, recipient_force=recipient)
    elif section in LIST_FILTER and key is not None:
        q[LIST_FILTER[section]] = str(key)
    return q


def rows_for_export(stats: dict, labels: dict[str, dict[str, str]]) -> list[list]:
    """Flat rows: section, key, label, current, previous."""
    out: list[list] = [["section", "key", "label", stats["period"].label, stats["previous_period"].label]]
    cur, prev = stats["current"], stats["previous"]
    out.append(["total", "", "", cur["total"], prev["total"]])
    for section in ("by_level", "by_origin_force", "by_pair", "by_category", "by_status"):
        for key in sorted(set(cur[section]) | set(prev[section])):
            out.append(
                [
                    section,
                    key,
                    labels.get(section, {}).get(key, key),
                    cur[section].get(key, 0),
                    prev[section].get(key, 0),
                ]
            )
    return out

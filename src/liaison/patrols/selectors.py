"""Every read of patrols, already filtered by policy: plans, the patrol list (keyset-paginated),
a patrol with its route, check-ins and findings, GeoJSON, and coverage of the border's markers."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.core.inputs import FILTER
from liaison.org.models import units_below
from liaison.patrols.models import (
    BAD_CONDITIONS,
    DEFAULT_UNCHECKED_DAYS,
    NOT_COUNTED,
    CheckIn,
    Finding,
    Marker,
    Patrol,
    PatrolPlan,
    PostCoverage,
    RouteStop,
    Segment,
)
from liaison.patrols.schemas import PatrolFilter

PATROL_COLUMNS = (
    "id",
    "ref",
    "kind",
    "status",
    "lead_unit__code",
    "lead_unit__name",
    "starts_at",
    "ends_at",
    "people",
)


@dataclass
class Page:
    rows: list[dict]
    next_cursor: str | None


# --- plans ------------------------------------------------------------------------------------


def plan_list(actor) -> list[PatrolPlan]:
    return list(
        policy.visible(actor, PatrolPlan)
        .select_related("post", "drafted_by", "approved_by")
        .annotate(patrol_count=Count("patrols"))
        .order_by("-month", "post__code")[:200]
    )


def plan_get(actor, *, plan_id) -> PatrolPlan:
    plan = policy.get_visible(actor, PatrolPlan, what="plan", pk=plan_id)
    return PatrolPlan.objects.select_related("post", "drafted_by", "approved_by").get(pk=plan.pk)


def plan_patrols(actor, *, plan: PatrolPlan) -> list[dict]:
    return list(
        policy.visible(actor, Patrol).filter(plan=plan).order_by("starts_at", "id").values(*PATROL_COLUMNS)
    )


# --- patrols ----------------------------------------------------------------------------------


def _encode_cursor(at: dt.datetime, pk) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment, key = dt.datetime.fromisoformat(at), uuid.UUID(pk)
        if moment.utcoffset() is None or not FILTER.contains(moment):
            raise ValueError(at)
        return moment, key
    except (ValueError, UnicodeDecodeError):
        raise Invalid(
            field="cursor", code="malformed", message="Not a cursor from a previous page."
        ) from None


def patrol_list(actor, f: PatrolFilter | None = None) -> Page:
    """Newest start first, keyset-paginated on (starts_at, id)."""
    f = f or PatrolFilter()
    qs = policy.visible(actor, Patrol)
    simple = {"status": f.status, "kind": f.kind, "lead_unit__code": f.lead_unit}
    qs = qs.filter(**{k: v for k, v in simple.items() if v})
    if f.since:
        qs = qs.filter(starts_at__gte=f.since)
    if f.until:
        qs = qs.filter(starts_at__lt=f.until)
    if f.counted:
        qs = qs.exclude(status__in=NOT_COUNTED)
    if f.lead_within:
        qs = qs.filter(lead_unit__in=units_below(f.lead_within))
    if f.border:
        qs = qs.filter(lead_unit__area__is_border_area=True)
    if f.within:
        qs = qs.filter(Q(lead_unit__area__code=f.within) | Q(lead_unit__area__parent__code=f.within))
    if f.cursor:
        at, pk = _decode_cursor(f.cursor)
        qs = qs.filter(Q(starts_at__lt=at) | Q(starts_at=at, id__lt=pk))
    limit = max(1, min(f.limit, 200))
    rows = list(qs.order_by("-starts_at", "-id").values(*PATROL_COLUMNS)[: limit + 1])
    nxt = _encode_cursor(rows[limit - 1]["starts_at"], rows[limit - 1]["id"]) if len(rows) > limit else None
    return Page(rows[:limit], nxt)


def patrol_get(actor, *, patrol_id, audit_read: bool = False) -> Patrol:
    p = policy.get_visible(actor, Patrol, what="patrol", pk=patrol_id)
    p = Patrol.objects.select_related("lead_unit", "partner_unit", "plan", "created_by").get(pk=p.pk)
    if audit_read:
        audit.record_separately(actor, Verb.PATROL_READ, p)
    return p


def patrol_participants(actor, *, patrol: Patrol) -> list:
    return [pu.unit for pu in patrol.participants.select_related("unit").order_by("unit__code")]


def patrol_route(actor, *, patrol: Patrol) -> list[RouteStop]:
    return list(patrol.route.select_related("segment", "marker", "marker__place").order_by("position"))


def patrol_checkins(actor, *, patrol: Patrol) -> list[CheckIn]:
    rows = list(
        policy.visible(actor, CheckIn)
        .filter(patrol=patrol)
        .select_related("marker", "recorded_by_unit")
        .order_by("at", "id")
    )
    for c in rows:
        c.has_photo = bool(c.photo_sha256)
    return rows


def checkin_get(actor, *, checkin_id) -> CheckIn:
    c = policy.get_visible(actor, CheckIn, what="check-in", pk=checkin_id)
    return CheckIn.objects.select_related("patrol", "marker", "marker__place", "recorded_by_unit").get(
        pk=c.pk
    )


def patrol_findings(actor, *, patrol: Patrol) -> list[dict]:
    """The patrol's findings; the item's or incident's reference only for a reader who may see it."""
    out = []
    for f in (
        policy.visible(actor, Finding)
        .filter(patrol=patrol)
        .select_related("item", "incident")
        .order_by("created_at")
    ):
        record = policy.shown(actor, f.item if f.item_id else f.incident)
        out.append(
            {
                "id": f.pk,
                "kind": f.kind,
                "checkin_id": f.checkin_id,
                "ref": record.ref if record else None,
                "record_id": record.pk if record else None,
            }
        )
    return out


def _fc(features: list) -> dict:
    return {"type": "FeatureCollection", "features": features}


def patrol_geojson(actor, *, patrol: Patrol) -> dict:
    """The route (segments as lines, markers as points, in order) and the check-ins as points."""
    features = []
    for stop in patrol_route(actor, patrol=patrol):
        if stop.segment_id and stop.segment.line:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": stop.segment.line},
                    "properties": {"kind": "segment", "position": stop.position, "code": stop.segment.code},
                }
            )
        elif stop.marker_id:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [stop.marker.place.lon, stop.marker.place.lat],
                    },
                    "properties": {
                        "kind": "marker",
                        "position": stop.position,
                        "number": stop.marker.number,
                        "condition": stop.marker.condition,
                    },
                }
            )
    for c in patrol_checkins(actor, patrol=patrol):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "kind": "checkin",
                    "id": str(c.pk),
                    "at": c.at.isoformat(),
                    "marker": c.marker.number if c.marker_id else None,
                    "condition": c.condition,
                },
            }
        )
    return _fc(features)


# --- coverage ---------------------------------------------------------------------------------


def segments(actor) -> list[Segment]:
    return list(policy.visible(actor, Segment).select_related("post").order_by("position", "code"))


def markers(actor) -> list[Marker]:
    return list(
        policy.visible(actor, Marker).select_related("place", "segment", "segment__post").order_by("number")
    )


def _days_for_posts(post_ids) -> dict:
    return dict(PostCoverage.objects.filter(post__in=post_ids).values_list("post_id", "unchecked_days"))


def marker_coverage(actor, *, on: dt.datetime | None = None) -> list[dict]:
    """For each marker of the posts whose coverage the reader reads (their own post; a commander's
    subtree): the last check-in the reader may see and its condition, and whether it is unchecked
    (no such check-in within the post's N days, default 30)."""
    now = on or clock.now()
    covered = policy.visible(actor, Segment, "coverage")
    seen = policy.visible(actor, CheckIn).filter(marker=OuterRef("pk"), at__lte=now).order_by("-at", "-id")
    rows = list(
        policy.visible(actor, Marker)
        .filter(segment__in=covered)
        .annotate(
            last_at=Subquery(seen.values("at")[:1]),
            last_condition=Subquery(seen.values("condition")[:1]),
        )
        .order_by("number")
        .values(
            "id",
            "number",
            "condition",
            "segment__code",
            "segment__name",
            "segment__post_id",
            "segment__post__code",
            "segment__post__name",
            "place__lat",
            "place__lon",
            "place__approximate",
            "last_at",
            "last_condition",
        )
    )
    days = _days_for_posts({r["segment__post_id"] for r in rows})
    for r in rows:
        n = days.get(r["segment__post_id"], DEFAULT_UNCHECKED_DAYS)
        r["days"] = n
        r["segment"] = r["segment__code"]
        r["post"] = r["segment__post__code"]
        r["unchecked"] = r["last_at"] is None or r["last_at"] < now - dt.timedelta(days=n)
        r["days_since"] = None if r["last_at"] is None else (now - r["last_at"]).days
    return rows


def unchecked_markers(actor, *, on: dt.datetime | None = None) -> list[dict]:
    return [r for r in marker_coverage(actor, on=on) if r["unchecked"]]


def unchecked_by_post(actor, *, on: dt.datetime | None = None) -> list[dict]:
    out: dict = {}
    for r in marker_coverage(actor, on=on):
        row = out.setdefault(
            r["segment__post_id"],
            {
                "post": r["post"],
                "name": r["segment__post__name"],
                "days": r["days"],
                "markers": 0,
                "unchecked": 0,
            },
        )
        row["markers"] += 1
        row["unchecked"] += int(r["unchecked"])
    return sorted(out.values(), key=lambda x: x["post"])


def unchecked_layer(actor, *, on: dt.datetime | None = None) -> dict:
    return _fc(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["place__lon"], r["place__lat"]]},
                "properties": {
                    "id": str(r["id"]),
                    "code": r["number"],
                    "name": f"Mốc {r['number']}",
                    "title": r["segment__post__name"],
                    "status": f"{r['days_since']} d" if r["days_since"] is not None else "—",
                    "approximate": r["place__approximate"],
                },
            }
            for r in unchecked_markers(actor, on=on)
        ]
    )


def damaged_markers(actor) -> list[dict]:
    """Markers whose current condition is damaged, moved or missing (reference data: every member)."""
    return list(
        policy.visible(actor, Marker)
        .filter(condition__in=BAD_CONDITIONS)
        .order_by("number")
        .values(
            "id",
            "number",
            "condition",
            "condition_at",
            "segment__code",
            "segment__post__code",
            "segment__post__name",
        )
    )


def _months(on: dt.date, count: int) -> list[dt.date]:
    first = on.replace(day=1)
    out = []
    for _ in range(count):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def coverage_by_month(actor, *, months: int = 3, on: dt.date | None = None) -> dict:
    """Per post of the reader's coverage and per month: its markers, and how many were checked in
    that month (by a check-in the reader may see)."""
    on = on or timezone.localdate(clock.now())
    month_list = _months(on, months)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month_list[0], dt.time(), tzinfo=tz)
    last = month_list[-1]
    end = dt.datetime.combine((last + dt.timedelta(days=32)).replace(day=1), dt.time(), tzinfo=tz)
    covered = policy.visible(actor, Segment, "coverage")
    totals = dict(
        policy.visible(actor, Marker)
        .filter(segment__in=covered)
        .values("segment__post_id")
        .annotate(n=Count("id"))
        .values_list("segment__post_id", "n")
    )
    checked: dict = {}
    pairs = (
        policy.visible(actor, CheckIn)
        .filter(marker__segment__in=covered, at__gte=start, at__lt=end)
        .values_list("marker__segment__post_id", "marker_id", "at")
    )
    for post_id, marker_id, at in pairs:
        m = timezone.localtime(at, tz).date().replace(day=1)
        checked.setdefault((post_id, m), set()).add(marker_id)
    posts = (
        policy.visible(actor, Segment, "coverage")
        .values_list("post_id", "post__code", "post__name")
        .distinct()
        .order_by("post__code")
    )
    rows = []
    for post_id, code, name in posts:
        total = totals.get(post_id, 0)
        cells = []
        for m in month_list:
            n = len(checked.get((post_id, m), ()))
            cells.append({"month": m, "checked": n, "pct": round(100 * n / total) if total else 0})
        rows.append({"post": code, "post_name": name, "markers": total, "months": cells})
    return {"months": month_list, "rows": rows}

"""Map layers as GeoJSON, hotspots and trends: every one starts from the policy's visible rows.

Reference layers (border line, border area, places, communes, risk zones) are for members of this
node; incidents and items are exactly those the reader may see (a RED item is in no layer of
someone who may not see it, so its exact place is never shown to them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from shapely.geometry import LineString, mapping

from liaison import policy
from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.core.text import in_language
from liaison.geo import reference
from liaison.geo.models import Area, Place
from liaison.incidents.models import FINAL_STATUSES, Incident
from liaison.intel.models import Item
from liaison.situation.models import RiskZone

WINDOWS = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30)}
MAX_FEATURES = 20_000


def window(kind: str, since: dt.datetime | None = None, until: dt.datetime | None = None):
    now = clock.now()
    if kind == "custom":
        if since is None or until is None or until <= since:
            raise Invalid(field="since", code="invalid", message="A custom window needs since < until.")
        return since, until
    if kind not in WINDOWS:
        raise Invalid(field="window", code="invalid_choice", message="24h, 7d, 30d or custom.")
    return now - WINDOWS[kind], now


def _in_bbox(qs, bbox, lat="lat", lon="lon"):
    if not bbox:
        return qs
    min_lon, min_lat, max_lon, max_lat = bbox
    return qs.filter(
        **{f"{lat}__gte": min_lat, f"{lat}__lte": max_lat, f"{lon}__gte": min_lon, f"{lon}__lte": max_lon}
    )


def _fc(features: list[dict], **meta) -> dict:
    return {"type": "FeatureCollection", "features": features, **meta}


def _point(lon, lat, props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
        "properties": props,
    }


def is_member(actor) -> bool:
    return policy.visible(actor, Area).exists()


def border_layer(actor, bbox=None) -> dict:
    if not is_member(actor):
        return _fc([])
    feats = []
    for line in reference.vn_la_border():
        pts = line
        if bbox:
            a, b, c, d = bbox
            pts = [p for p in line if a - 0.2 <= p[0] <= c + 0.2 and b - 0.2 <= p[1] <= d + 0.2]
        if len(pts) >= 2:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[round(x, 5), round(y, 5)] for x, y in pts],
                    },
                    "properties": {"name": "Việt Nam – Lào", "source": reference.NATURAL_EARTH_SOURCE},
                }
            )
    return _fc(feats)


def border_area_layer(actor) -> dict:
    """The border area drawn as a band of about 5 km on the Vietnamese side of the Thanh Hoa
    stretch: approximate (the legal border area is the set of border communes)."""
    if not is_member(actor):
        return _fc([])
    line = LineString(reference.thanh_hoa_border())
    band = line.buffer(0.045, cap_style="flat", single_sided=False).simplify(0.005)
    return _fc(
        [
            {
                "type": "Feature",
                "geometry": mapping(band),
                "properties": {"name": "Khu vực biên giới (gần đúng)", "approximate": True},
            }
        ]
    )


def places_layer(actor, kind: str | None, bbox=None) -> dict:
    qs = _in_bbox(policy.visible(actor, Place), bbox)
    if kind:
        qs = qs.filter(kind=kind)
    return _fc(
        [
            _point(
                p["lon"],
                p["lat"],
                {
                    "id": str(p["id"]),
                    "code": p["code"],
                    "kind": p["kind"],
                    "name": p["name"],
                    "approximate": p["approximate"],
                },
            )
            for p in qs.values("id", "code", "kind", "name", "lat", "lon", "approximate")[:MAX_FEATURES]
        ]
    )


def communes_layer(actor, bbox=None) -> dict:
    qs = _in_bbox(policy.visible(actor, Area).filter(kind="commune", lat__isnull=False), bbox)
    return _fc(
        [
            _point(a["lon"], a["lat"], {"code": a["code"], "name": a["name"], "border": a["is_border_area"]})
            for a in qs.values("code", "name", "lat", "lon", "is_border_area")
        ]
    )


def risk_zones_layer(actor, bbox=None) -> dict:
    qs = policy.visible(actor, RiskZone)
    if bbox:
        a, b, c, d = bbox
        qs = qs.filter(max_lon__gte=a, min_lon__lte=c, max_lat__gte=b, min_lat__lte=d)
    return _fc(
        [
            {
                "type": "Feature",
                "geometry": z.geometry,
                "properties": {"id": str(z.pk), "name": z.name, "kind": z.kind, "note": z.note},
            }
            for z in qs
        ]
    )


def _positioned(qs):
    """Records with a point, or else at their commune's position (then marked approximate)."""
    return qs.annotate(plat=Coalesce("lat", "area__lat"), plon=Coalesce("lon", "area__lon")).filter(
        plat__isnull=False
    )


_NO_ID = "00000000-0000-0000-0000-000000000000"


def _detail_url(name: str):
    """The record page's address for an id: reversed once per layer, not once per feature (a
    commander's 30-day layer reversed 431 addresses, 20 ms of the request; issue 15)."""
    template = reverse(name, args=[_NO_ID])
    return lambda pk: template.replace(_NO_ID, str(pk))


def incidents_layer(actor, *, since, until, bbox=None, include_final: bool = True) -> dict:
    base = policy.visible(actor, Incident).filter(opened_at__gte=since, opened_at__lt=until)
    qs = _in_bbox(_positioned(base), bbox, "plat", "plon")
    if not include_final:
        qs = qs.exclude(status__in=FINAL_STATUSES)
    cols = (
        "id",
        "ref",
        "title",
        "severity",
        "status",
        "plat",
        "plon",
        "lat",
        "opened_at",
        "is_drill",
        "incident_type__name_vi",
        "incident_type__name_en",
        "incident_type__name_lo",
    )
    feats = []
    url = _detail_url("incidents:detail")
    for r in qs.order_by("-opened_at").values(*cols)[:MAX_FEATURES]:
        feats.append(
            _point(
                r["plon"],
                r["plat"],
                {
                    "id": str(r["id"]),
                    "ref": r["ref"],
                    "title": r["title"],
                    "severity": r["severity"],
                    "status": r["status"],
                    "type": in_language(
                        r["incident_type__name_vi"], r["incident_type__name_en"], r["incident_type__name_lo"]
                    ),
                    "at": r["opened_at"].isoformat(),
                    "drill": r["is_drill"],
                    "approximate": r["lat"] is None,
                    "url": url(r["id"]),
                },
            )
        )
    return _fc(feats)


def items_layer(actor, *, since, until, bbox=None) -> dict:
    base = policy.visible(actor, Item).filter(received_at__gte=since, received_at__lt=until, is_drill=False)
    qs = _in_bbox(_positioned(base), bbox, "plat", "plon")
    cols = ("id", "ref", "title", "tlp", "status", "plat", "plon", "lat", "received_at")
    cols += ("category__name_vi", "category__name_en", "category__name_lo")
    feats = []
    url = _detail_url("intel:detail")
    for r in qs.order_by("-received_at").values(*cols)[:MAX_FEATURES]:
        feats.append(
            _point(
                r["plon"],
                r["plat"],
                {
                    "id": str(r["id"]),
                    "ref": r["ref"],
                    "title": r["title"],
                    "tlp": r["tlp"],
                    "status": r["status"],
                    "category": in_language(
                        r["category__name_vi"], r["category__name_en"], r["category__name_lo"]
                    ),
                    "at": r["received_at"].isoformat(),
                    "approximate": r["lat"] is None,
                    "url": url(r["id"]),
                },
            )
        )
    return _fc(feats)


def hotspots_layer(actor, *, since, until, cell: float = 0.05, bbox=None) -> dict:
    """A grid of `cell`-degree squares with the number of items and incidents in each."""
    counts: Counter = Counter()
    for model, field in ((Item, "received_at"), (Incident, "opened_at")):
        qs = _in_bbox(
            policy.visible(actor, model).filter(
                lat__isnull=False, **{f"{field}__gte": since, f"{field}__lt": until}
            ),
            bbox,
        )
        if model is Item:
            qs = qs.filter(is_drill=False)
        else:
            qs = qs.filter(is_drill=False)
        for lat, lon in qs.values_list("lat", "lon")[:200_000]:
            counts[(int(lat // cell), int(lon // cell))] += 1
    feats = []
    for (i, j), n in counts.items():
        s, w = i * cell, j * cell
        feats.append(
            {
                "type": "Feature",
                "properties": {"count": n},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [round(w, 5), round(s, 5)],
                            [round(w + cell, 5), round(s, 5)],
                            [round(w + cell, 5), round(s + cell, 5)],
                            [round(w, 5), round(s + cell, 5)],
                            [round(w, 5), round(s, 5)],
                        ]
                    ],
                },
            }
        )
    return _fc(feats, cell=cell, max=max(counts.values(), default=0))


def segments(km: float = 20.0) -> list[tuple[int, LineString]]:
    """The Thanh Hoa stretch cut into segments of about `km` kilometres, numbered from the north."""
    line = reference.thanh_hoa_border()[::-1]
    out, cur, acc, n = [], [line[0]], 0.0, 1
    for a, b in zip(line, line[1:], strict=False):
        acc += reference.km(a, b)
        cur.append(b)
        if acc >= km:
            out.append((n, LineString(cur)))
            n, cur, acc = n + 1, [b], 0.0
    if len(cur) > 1:
        out.append((n, LineString(cur)))
    return out


def hotspot_counts(actor, *, since, until) -> dict:
    """Counts per commune and per border segment (items and incidents the reader may see)."""
    from shapely.geometry import Point

    per_commune: Counter = Counter()
    per_segment: Counter = Counter()
    segs = segments()
    for model, field in ((Item, "received_at"), (Incident, "opened_at")):
        qs = policy.visible(actor, model).filter(
            is_drill=False, **{f"{field}__gte": since, f"{field}__lt": until}
        )
        for name in qs.filter(area__isnull=False).values_list("area__name", flat=True):
            per_commune[name] += 1
        for lat, lon in qs.filter(lat__isnull=False).values_list("lat", "lon")[:100_000]:
            p = Point(lon, lat)
            n, seg = min(segs, key=lambda s: s[1].distance(p))
            if seg.distance(p) < 0.15:  # about 15 km
                per_segment[n] += 1
    return {"communes": per_commune.most_common(), "segments": sorted(per_segment.items())}


def trends(actor, *, months: int = 12) -> dict:
    """Monthly counts per category for the last `months` months, with the same months a year before."""
    from django.utils import timezone

    now = timezone.localtime(clock.now())
    start = (
        now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=31 * (months - 1))
    ).replace(day=1)
    prev_start = start.replace(year=start.year - 1)
    qs = policy.visible(actor, Item).filter(is_drill=False, received_at__gte=prev_start)
    rows = (
        qs.annotate(m=TruncMonth("received_at"))
        .values("m", "category__code", "category__name_vi", "category__name_en", "category__name_lo")
        .annotate(n=Count("id"))
        .order_by()
    )
    data: dict = defaultdict(lambda: defaultdict(int))
    names = {}
    for r in rows:
        m = timezone.localtime(r["m"]) if timezone.is_aware(r["m"]) else r["m"]
        key = (m.year, m.month)
        data[r["category__code"]][key] += r["n"]
        names[r["category__code"]] = in_language(
            r["category__name_vi"], r["category__name_en"], r["category__name_lo"]
        )
    axis = []
    y, mth = start.year, start.month
    for _ in range(months):
        axis.append((y, mth))
        y, mth = (y + (mth == 12), mth % 12 + 1)
    series = []
    for code, per in sorted(data.items(), key=lambda kv: -sum(kv[1].values())):
        cur = [per.get(k, 0) for k in axis]
        prev = [per.get((k[0] - 1, k[1]), 0) for k in axis]
        series.append(
            {
                "code": code,
                "name": names[code],
                "current": cur,
                "previous": prev,
                "total": sum(cur),
                "previous_total": sum(prev),
            }
        )
    return {"axis": [f"{m:02d}/{y}" for y, m in axis], "series": series}

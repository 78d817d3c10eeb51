"""Synthetic information items and incidents for benchmarks: deterministic (seeded), streamed in
batches (memory stays flat whatever the size), loaded through the database's bulk path (COPY on
PostgreSQL, executemany on SQLite).

It needs a migrated database holding the reference deployment (`liaison migrate && liaison demo`).
It adds every land-border province with its units and officers (bench/national.py), then spreads
items (with shares, receipts and acknowledgements) and a fifth as many incidents (with
participants, tasks, timelines, outcomes and seizures) over them, along the border, over five
years, in proportion to each province's border length.

    DATABASE_URL=... python bench/generate.py --size 100k
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
BATCH = 10_000


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("LIAISON_TESTING", "1")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="10k", choices=SIZES)
    ap.add_argument("--seed", type=int, default=20261123)
    a = ap.parse_args()
    setup_django()
    import national
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from liaison.incidents.models import IncidentType
    from liaison.intel.models import Category
    from liaison.org.models import Membership

    rng = random.Random(a.seed)
    t0 = time.monotonic()
    provinces = national.load(rng, make_password("Bench-" + str(a.seed)))
    officers: dict = {}
    for uid, user_id in (
        Membership.objects.filter(status="active")
        .order_by("role", "created_at")
        .values_list("unit_id", "user_id")
    ):
        officers.setdefault(uid, user_id)
    for p in provinces:
        p.units = [u for u in p.units if u[0] in officers]
    n_units = sum(len(p.units) for p in provinces)
    print(f"organisation: {len(provinces)} border provinces, {n_units} units ({time.monotonic() - t0:.0f} s)")
    g = Gen(
        rng=rng,
        provinces=provinces,
        weights=[p.km for p in provinces],
        officers=officers,
        cats=dict(Category.objects.values_list("code", "id")),
        types=list(IncidentType.objects.values_list("id", "code", "default_severity")),
        now=timezone.now(),
        pg=connection.vendor == "postgresql",
        connection=connection,
        t0=t0,
    )
    n_items = SIZES[a.size]
    g.items(n_items)
    g.incidents(n_items // 5)
    g.patrols(n_items // 10)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"done: {n_items:,} items, {n_items // 5:,} incidents, {n_items // 10:,} patrols "
        f"in {time.monotonic() - t0:.0f} s"
    )


TLPS = ["red"] * 3 + ["amber_strict"] * 10 + ["amber"] * 45 + ["green"] * 35 + ["clear"] * 7
TASKS = [
    "Xác minh hiện trường",
    "Phong tỏa khu vực",
    "Truy bắt đối tượng",
    "Thu thập tài liệu, vật chứng",
    "Thông báo lực lượng nước bạn",
    "Báo cáo kết quả về Ban Chỉ huy",
]
SEIZURES = {
    "drug_trafficking": [("heroin_g", 100, 5000), ("meth_pills", 1000, 60000), ("meth_g", 50, 3000)],
    "smuggling": [("goods_vnd", 5_000_000, 900_000_000)],
    "armed_group": [("guns", 1, 4), ("ammunition", 10, 400), ("blades", 1, 6)],
}


class Gen:
    """Rows for items and incidents, batch by batch. Places lie along each province's stretch."""

    def __init__(self, *, rng, provinces, weights, officers, cats, types, now, pg, connection, t0):
        self.rng, self.provinces, self.weights = rng, provinces, weights
        self.officers, self.cats, self.types = officers, cats, types
        self.pg, self.connection, self.t0 = pg, connection, t0
        self.start = now - dt.timedelta(days=5 * 365)
        self.span = int((now - self.start).total_seconds())
        self.index = {p.code: i for i, p in enumerate(provinces)}
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM intel_itemshare")
            self.next_share = cur.fetchone()[0] + 1
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM incidents_outcome")
            self.next_outcome = cur.fetchone()[0] + 1

    def province(self):
        return self.rng.choices(self.provinces, weights=self.weights)[0]

    def point(self, p):
        lon, lat = self.rng.choice(p.stretch)
        # inland of the line: east of it on the Laos and Cambodia stretches, south of it along China
        if p.code in (22, 20, 4, 8, 15, 12):
            return lat - self.rng.uniform(0.0, 0.12), lon + self.rng.uniform(-0.08, 0.08)
        return lat + self.rng.uniform(-0.08, 0.08), lon + self.rng.uniform(0.0, 0.12)

    def targets(self, p, origin):
        """Units an item is shared with: mostly the province's other units, sometimes the
        neighbouring province's, rarely any border unit."""
        rng, out = self.rng, []
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            r = rng.random()
            if r < 0.75:
                pool = p.units
            elif r < 0.9:
                i = self.index[p.code] + rng.choice([-1, 1])
                pool = self.provinces[max(0, min(len(self.provinces) - 1, i))].units
            else:
                pool = self.province().units
            t = rng.choice(pool)
            if t[0] != origin[0] and t not in out:
                out.append(t)
        return out

    def items(self, n: int) -> None:
        from liaison.core.text import search_fields
        from liaison.demo.intel import TEMPLATES

        mixed = _corpus_sentences()

        rng, officers = self.rng, self.officers
        codes = list(TEMPLATES)
        done = 0
        while done < n:
            batch = min(BATCH, n - done)
            items, shares, receipts = [], [], []
            for k in range(batch):
                i = done + k
                p = self.province()
                code = rng.choice(codes)
                title_t, body_t = rng.choice(TEMPLATES[code])
                area_id, area_name = rng.choice(p.border_communes)
                origin = rng.choice(p.units)
                uid, _ucode, force, level = origin
                fill = {
                    "place": area_name.removeprefix("Xã ").removeprefix("Phường "),
                    "unit": "đơn vị",
                    "hour": rng.randrange(5, 23),
                    "n": rng.randrange(2, 9),
                    "km": rng.randrange(1, 6),
                    "m": rng.randrange(30, 900),
                }
                title, body = title_t.format(**fill), body_t.format(**fill)
                if rng.random() < 0.1:  # a Lao or English sentence of the search corpus
                    body = f"{body} {rng.choice(mixed)}"
                received = self.start + dt.timedelta(seconds=rng.randrange(self.span))
                ref = f"TIN-{received.year}-B{i:07d}"
                lat, lon = self.point(p) if rng.random() < 0.7 else (None, None)
                iid = uuid.UUID(int=rng.getrandbits(128))
                exchanged = None
                for t in self.targets(p, origin):
                    sid = self.next_share
                    self.next_share += 1
                    at = received + dt.timedelta(minutes=rng.randrange(5, 600))
                    shares.append((sid, iid, t[0], "", officers[uid], uid, at))
                    ack = at + dt.timedelta(minutes=rng.randrange(5, 600)) if rng.random() < 0.8 else None
                    by = officers[t[0]] if ack else None
                    receipts.append((iid, t[0], sid, at, ack, by, ack, by))
                    if t[2] != force and (exchanged is None or at < exchanged):
                        exchanged = at
                items.append(
                    (
                        iid,
                        received,
                        received,
                        ref,
                        title,
                        body,
                        self.cats[code],
                        lat,
                        lon,
                        self.area_ids[area_id],
                        None,
                        received - dt.timedelta(minutes=rng.randrange(10, 600)),
                        received,
                        uid,
                        officers[uid],
                        rng.choice("ABBCCCDF"),
                        rng.choice([2, 3, 3, 4, 6]),
                        "",
                        None,
                        rng.choice(TLPS),
                        level,
                        rng.choice(["new", "verified", "verified", "closed", "refuted"]),
                        False,
                        exchanged,
                        1,
                        *search_fields(title, ref, body, code.replace("_", " ")).values(),
                    )
                )
            # Each batch of receipts rewrites its items' rows once (search_units' trigger,
            # decision 0020).
            self.load("intel_item", ITEM_COLS, items)
            self.load("intel_itemshare", SHARE_COLS, shares)
            self.load("intel_itemreceipt", RECEIPT_COLS, receipts)
            done += batch
            print(f"items {done:,}/{n:,} ({time.monotonic() - self.t0:.0f} s)", flush=True)

    def incidents(self, n: int) -> None:
        from liaison.core.text import search_fields

        rng, officers = self.rng, self.officers
        done = 0
        while done < n:
            batch = min(BATCH, n - done)
            rows, parts, tasks, outcomes, seizures, timeline = [], [], [], [], [], []
            for k in range(batch):
                i = done + k
                p = self.province()
                tid, code, severity = rng.choice(self.types)
                lead = rng.choice(p.units)
                uid, _ucode, force, _lvl = lead
                opened = self.start + dt.timedelta(seconds=rng.randrange(self.span))
                lat, lon = self.point(p)
                area_id, area_name = rng.choice(p.border_communes)
                iid = uuid.UUID(int=rng.getrandbits(128))
                closed = rng.random() < 0.9
                status = "closed" if closed else rng.choice(["reported", "acknowledged", "responding"])
                acked = opened + dt.timedelta(minutes=rng.randrange(5, 100)) if status != "reported" else None
                closed_at = opened + dt.timedelta(hours=rng.randrange(2, 120)) if closed else None
                place = area_name.removeprefix("Xã ").removeprefix("Phường ")
                ref = f"VV-{opened.year}-B{i:07d}"
                title = f"{TYPE_TITLES.get(code, 'Vụ việc')} tại {place}"
                summary = f"Tiếp nhận tin báo lúc {opened:%H:%M}, khu vực xã {place}, {p.name}."
                rows.append(
                    (
                        iid,
                        opened,
                        closed_at or opened,
                        ref,
                        tid,
                        title,
                        summary,
                        severity if rng.random() < 0.7 else rng.choice(["low", "medium", "high", "critical"]),
                        status,
                        rng.choice(TLPS),
                        False,
                        lat,
                        lon,
                        self.area_ids[area_id],
                        None,
                        "border",
                        force,
                        uid,
                        None,
                        officers[uid],
                        uid,
                        opened,
                        opened + dt.timedelta(minutes=120),
                        acked,
                        0,
                        None,
                        closed_at,
                        None,
                        1,
                        *search_fields(title, ref, summary, area_name).values(),
                    )
                )
                parts.append((iid, uid, "lead", True, opened))
                helpers = [
                    u for u in {rng.choice(p.units) for _ in range(rng.choice([0, 1, 2]))} if u != lead
                ]
                for h in helpers:
                    parts.append((iid, h[0], "supporting", True, opened))
                timeline.append(
                    (iid, opened, "opened", officers[uid], uid, json.dumps({"lead_unit": lead[1]}))
                )
                for j, title in enumerate(rng.sample(TASKS, k=rng.randrange(1, 4))):
                    unit = ([lead, *helpers])[j % (1 + len(helpers))]
                    due = opened + dt.timedelta(minutes=30 * (j + 1))
                    state = "done" if closed else rng.choice(["open", "in_progress", "done"])
                    done_at = due - dt.timedelta(minutes=rng.randrange(1, 25)) if state == "done" else None
                    tasks.append(
                        (
                            uuid.UUID(int=rng.getrandbits(128)),
                            opened,
                            done_at or opened,
                            iid,
                            None,
                            title,
                            unit[0],
                            None,
                            due,
                            state,
                            "Đã hoàn thành." if done_at else "",
                            done_at,
                            None,
                            None,
                        )
                    )
                if closed:
                    timeline.append((iid, closed_at, "closed", officers[uid], uid, "{}"))
                    if rng.random() < 0.6:
                        oid = self.next_outcome
                        self.next_outcome += 1
                        outcomes.append(
                            (
                                oid,
                                iid,
                                rng.choice([0, 0, 1, 1, 2, 3]),
                                rng.choice([0, 0, 0, 1]),
                                rng.choice([0, 0, 0, 0, 1, 2]),
                                0,
                                0,
                                rng.choice([0, 0, 0, 1]),
                                closed_at,
                            )
                        )
                        for kind, lo, hi in SEIZURES.get(code, [])[: rng.randrange(0, 3)]:
                            seizures.append((oid, kind, rng.randrange(lo, hi), ""))
            self.load("incidents_incident", INCIDENT_COLS, rows)
            self.load(
                "incidents_participant", ["incident_id", "unit_id", "role", "active", "added_at"], parts
            )
            self.load("incidents_task", TASK_COLS, tasks)
            self.load(
                "incidents_timelineevent",
                ["incident_id", "at", "kind", "actor_id", "unit_id", "data"],
                timeline,
            )
            self.load("incidents_outcome", OUTCOME_COLS, outcomes)
            self.load("incidents_seizure", ["outcome_id", "kind", "quantity", "note"], seizures)
            done += batch
            print(f"incidents {done:,}/{n:,} ({time.monotonic() - self.t0:.0f} s)", flush=True)

    def patrols(self, n: int) -> None:
        """Patrols in proportion (a tenth of the items): every border post gets a segment and six
        markers near its commune; each patrol walks its post's segment and two of its markers, with a
        check-in at each; a third are joint with a commune police unit, a tenth bilateral."""
        from liaison.core.text import search_fields
        from liaison.org.models import Unit

        rng, officers, now = self.rng, self.officers, self.start + dt.timedelta(seconds=self.span)
        posts = list(
            Unit.objects.filter(kind="border_post", country="VN")
            .order_by("code")
            .values_list("id", "code", "area__lat", "area__lon", "area__code")
        )
        posts = [p for p in posts if p[0] in officers]
        police: dict = {}
        for uid, code in Unit.objects.filter(kind="commune_police").values_list("id", "area__code"):
            police.setdefault((code or "")[:5], []).append(uid)
        partner = Unit.objects.filter(country="LA", is_active=True).values_list("id", flat=True).first()
        places, markers, segments, by_post = [], [], [], {}
        for i, (uid, code, lat, lon, area) in enumerate(posts):
            lat, lon = lat or 20.0, lon or 105.0
            sid = uuid.UUID(int=rng.getrandbits(128))
            line = [[round(lon - 0.03, 5), round(lat - 0.05 + 0.02 * k, 5)] for k in range(6)]
            segments.append(
                (sid, now, now, f"SEG-B-{i:05d}", f"Đoạn {code}", uid, i, 0.0, 10.0, json.dumps(line))
            )
            mids = []
            for k in range(6):
                pid, mid = uuid.UUID(int=rng.getrandbits(128)), uuid.UUID(int=rng.getrandbits(128))
                mlat, mlon = line[k][1], line[k][0]
                places.append(
                    (
                        pid,
                        now,
                        now,
                        f"MARKER-B-{i:05d}-{k}",
                        "marker",
                        f"Mốc B{i}-{k}",
                        mlat,
                        mlon,
                        True,
                        "bench",
                        None,
                        None,
                        *search_fields(f"Mốc B{i}-{k}", f"MARKER-B-{i:05d}-{k}").values(),
                    )
                )
                markers.append((mid, now, now, pid, f"B{i:05d}-{k}", "main", sid, "intact", None))
                mids.append((mid, mlat, mlon))
            by_post[uid] = (sid, mids, area)
        self.load("geo_place", PLACE_COLS, places)
        self.load("patrols_segment", SEGMENT_COLS, segments)
        self.load("patrols_marker", MARKER_COLS, markers)
        post_ids = list(by_post)
        start = now - dt.timedelta(days=2 * 365)
        span = int((now - start).total_seconds())
        done = 0
        while done < n and post_ids:
            batch = min(BATCH, n - done)
            rows, stops, checkins, parts = [], [], [], []
            for k in range(batch):
                i = done + k
                uid = rng.choice(post_ids)
                sid, mids, area = by_post[uid]
                begin = start + dt.timedelta(seconds=rng.randrange(span))
                end = begin + dt.timedelta(hours=rng.choice([4, 6, 8, 10]))
                r = rng.random()
                kind = (
                    "joint"
                    if r < 0.3
                    else "bilateral"
                    if r < 0.4 and partner
                    else "special"
                    if r < 0.45
                    else "routine"
                )
                status = "done" if end < now else "planned"
                if status == "done" and rng.random() < 0.05:
                    status = "cancelled"
                pid = uuid.UUID(int=rng.getrandbits(128))
                rows.append(
                    (
                        pid,
                        begin,
                        begin,
                        f"TT-{begin.year}-B{i:07d}",
                        None,
                        kind,
                        "",
                        uid,
                        begin,
                        end,
                        rng.randrange(4, 13),
                        partner if kind == "bilateral" else None,
                        rng.randrange(3, 9) if kind == "bilateral" else None,
                        status,
                        "Mưa lũ" if status == "cancelled" else "",
                        begin if status == "done" else None,
                        end if status == "done" else None,
                        officers[uid],
                    )
                )
                if kind == "joint" and police.get((area or "")[:5]):
                    parts.append(
                        (uuid.UUID(int=rng.getrandbits(128)), begin, begin, pid, rng.choice(police[area[:5]]))
                    )
                route = rng.sample(mids, 2)
                stops.append((uuid.UUID(int=rng.getrandbits(128)), begin, begin, pid, 1, sid, None))
                for j, (mid, mlat, mlon) in enumerate(route, start=2):
                    stops.append((uuid.UUID(int=rng.getrandbits(128)), begin, begin, pid, j, None, mid))
                    if status == "done":
                        at = begin + dt.timedelta(hours=j)
                        checkins.append(
                            (
                                uuid.UUID(int=rng.getrandbits(128)),
                                at,
                                at,
                                pid,
                                mid,
                                at,
                                mlat,
                                mlon,
                                "intact" if rng.random() < 0.98 else "damaged",
                                "",
                                "",
                                "",
                                None,
                                officers[uid],
                                uid,
                            )
                        )
            self.load("patrols_patrol", PATROL_COLS, rows)
            self.load("patrols_patrolunit", ["id", "created_at", "updated_at", "patrol_id", "unit_id"], parts)
            self.load("patrols_routestop", STOP_COLS, stops)
            self.load("patrols_checkin", CHECKIN_COLS, checkins)
            done += batch
            print(f"patrols {done:,}/{n:,} ({time.monotonic() - self.t0:.0f} s)", flush=True)

    @property
    def area_ids(self) -> dict:
        if not hasattr(self, "_area_ids"):
            from liaison.geo.models import Area

            self._area_ids = dict(Area.objects.filter(kind="commune").values_list("code", "id"))
        return self._area_ids

    def load(self, table, cols, rows) -> None:
        _load(self.connection, self.pg, table, cols, rows)


def _corpus_sentences() -> list[str]:
    """The Lao and English sentences of the search corpus (tests/search/corpus.py), mixed into a
    tenth of the generated items so that the corpus queries have something to find at scale."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.search.corpus import ITEMS

    return [f"{title}. {body}" for key, (title, body, _src) in ITEMS.items() if not key.startswith("vi_")]


TYPE_TITLES = {
    "drug_trafficking": "Vận chuyển trái phép chất ma túy",
    "human_trafficking": "Nghi mua bán người qua biên giới",
    "smuggling": "Buôn lậu hàng hóa qua biên giới",
    "illegal_crossing": "Xuất nhập cảnh trái phép",
    "armed_group": "Nhóm đối tượng có vũ khí",
    "public_disorder": "Gây rối trật tự công cộng",
    "search_rescue": "Tìm kiếm cứu nạn",
    "fire": "Cháy rừng khu vực biên giới",
    "flash_flood": "Lũ quét, sạt lở đất",
}
ITEM_COLS = [
    "id",
    "created_at",
    "updated_at",
    "ref",
    "title",
    "body",
    "category_id",
    "lat",
    "lon",
    "area_id",
    "place_id",
    "observed_at",
    "received_at",
    "origin_unit_id",
    "origin_officer_id",
    "reliability",
    "credibility",
    "analyst_reliability",
    "analyst_credibility",
    "tlp",
    "level",
    "status",
    "is_drill",
    "exchanged_at",
    "version",
    "search_title",
    "search_text",
    "search_stems",
]
SHARE_COLS = ["id", "item_id", "unit_id", "force", "shared_by_id", "shared_by_unit_id", "shared_at"]
RECEIPT_COLS = [
    "item_id",
    "unit_id",
    "share_id",
    "delivered_at",
    "read_at",
    "read_by_id",
    "acknowledged_at",
    "acknowledged_by_id",
]
INCIDENT_COLS = [
    "id",
    "created_at",
    "updated_at",
    "ref",
    "incident_type_id",
    "title",
    "description",
    "severity",
    "status",
    "tlp",
    "is_drill",
    "lat",
    "lon",
    "area_id",
    "place_id",
    "area_kind",
    "lead_force",
    "lead_unit_id",
    "plan_id",
    "opened_by_id",
    "opened_by_unit_id",
    "opened_at",
    "ack_due_at",
    "acknowledged_at",
    "escalation_level",
    "escalation_enqueued_at",
    "closed_at",
    "merged_into_id",
    "version",
    "search_title",
    "search_text",
    "search_stems",
]
TASK_COLS = [
    "id",
    "created_at",
    "updated_at",
    "incident_id",
    "step_id",
    "title",
    "unit_id",
    "assignee_id",
    "due_at",
    "state",
    "result",
    "completed_at",
    "escalated_at",
    "escalation_enqueued_at",
]
OUTCOME_COLS = [
    "id",
    "incident_id",
    "arrested",
    "detained",
    "rescued",
    "evacuated",
    "deaths",
    "injured",
    "updated_at",
]


PLACE_COLS = [
    "id",
    "created_at",
    "updated_at",
    "code",
    "kind",
    "name",
    "lat",
    "lon",
    "approximate",
    "source",
    "area_id",
    "unit_id",
    "search_title",
    "search_text",
    "search_stems",
]
SEGMENT_COLS = [
    "id",
    "created_at",
    "updated_at",
    "code",
    "name",
    "post_id",
    "position",
    "start_km",
    "end_km",
    "line",
]
MARKER_COLS = [
    "id",
    "created_at",
    "updated_at",
    "place_id",
    "number",
    "marker_type",
    "segment_id",
    "condition",
    "condition_at",
]
PATROL_COLS = [
    "id",
    "created_at",
    "updated_at",
    "ref",
    "plan_id",
    "kind",
    "purpose",
    "lead_unit_id",
    "starts_at",
    "ends_at",
    "people",
    "partner_unit_id",
    "partner_people",
    "status",
    "cancel_reason",
    "started_at",
    "finished_at",
    "created_by_id",
]
STOP_COLS = ["id", "created_at", "updated_at", "patrol_id", "position", "segment_id", "marker_id"]
CHECKIN_COLS = [
    "id",
    "created_at",
    "updated_at",
    "patrol_id",
    "marker_id",
    "at",
    "lat",
    "lon",
    "condition",
    "note",
    "photo_sha256",
    "photo_type",
    "photo_size",
    "recorded_by_id",
    "recorded_by_unit_id",
]


def _load(connection, pg: bool, table: str, cols: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cur:
        if pg:
            with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            ops = connection.ops

            def conv(v):
                if isinstance(v, uuid.UUID):
                    return v.hex
                if isinstance(v, dt.datetime):
                    return ops.adapt_datetimefield_value(v)
                if isinstance(v, dict):
                    return json.dumps(v)
                return v

            marks = ", ".join(["%s"] * len(cols))
            with (
                connection.cursor() as c2,
                __import__("django.db", fromlist=["transaction"]).transaction.atomic(),
            ):
                c2.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608 (our own table names)
                    [tuple(conv(v) for v in r) for r in rows],
                )


if __name__ == "__main__":
    main()

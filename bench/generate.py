"""Synthetic information items and incidents for benchmarks: deterministic (seeded), streamed in
batches (memory stays flat whatever the size), loaded through the database's bulk path (COPY on
PostgreSQL, executemany on SQLite).

It needs a migrated database holding the reference deployment (`liaison migrate && liaison demo`);
items and incidents are spread over its units and along the border line, over five years.

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
    from django.db import connection
    from django.utils import timezone

    from liaison.core.text import normalise
    from liaison.demo.intel import TEMPLATES
    from liaison.geo import reference
    from liaison.geo.models import Area
    from liaison.incidents.models import IncidentType
    from liaison.intel.models import Category
    from liaison.org.models import Membership, Unit

    rng = random.Random(a.seed)
    n_items = SIZES[a.size]
    n_incidents = n_items // 5
    units = list(Unit.objects.filter(country="VN", is_active=True).values_list("id", "force", "level"))
    officers = {}
    for uid, user_id in Membership.objects.filter(status="active").values_list("unit_id", "user_id"):
        officers.setdefault(uid, user_id)
    units = [u for u in units if u[0] in officers]
    cats = dict(Category.objects.values_list("code", "id"))
    communes = list(Area.objects.filter(kind="commune", country="VN").values_list("id", "name"))
    line = reference.thanh_hoa_border()
    types = list(IncidentType.objects.values_list("id", "code"))
    now = timezone.now()
    start = now - dt.timedelta(days=5 * 365)
    span = int((now - start).total_seconds())
    tlps = ["red"] * 3 + ["amber_strict"] * 10 + ["amber"] * 45 + ["green"] * 35 + ["clear"] * 7
    t0 = time.monotonic()
    pg = connection.vendor == "postgresql"

    def point():
        lon, lat = rng.choice(line)
        return lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(0.0, 0.12)

    item_cols = [
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
        "amber_widened",
        "level",
        "status",
        "is_drill",
        "exchanged_at",
        "version",
        "search_text",
    ]
    share_cols = ["id", "item_id", "unit_id", "force", "shared_by_id", "shared_by_unit_id", "shared_at"]
    receipt_cols = [
        "item_id",
        "unit_id",
        "share_id",
        "delivered_at",
        "read_at",
        "read_by_id",
        "acknowledged_at",
        "acknowledged_by_id",
    ]
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM intel_itemshare")
        next_share = cur.fetchone()[0] + 1
    done = 0
    while done < n_items:
        batch = min(BATCH, n_items - done)
        items, shares, receipts = [], [], []
        for k in range(batch):
            i = done + k
            code = rng.choice(list(TEMPLATES))
            title_t, body_t = rng.choice(TEMPLATES[code])
            area_id, area_name = rng.choice(communes)
            uid, force, level = rng.choice(units)
            fill = {
                "place": area_name.removeprefix("Xã "),
                "unit": "đơn vị",
                "hour": rng.randrange(5, 23),
                "n": rng.randrange(2, 9),
                "km": rng.randrange(1, 6),
                "m": rng.randrange(30, 900),
            }
            title, body = title_t.format(**fill), body_t.format(**fill)
            received = start + dt.timedelta(seconds=rng.randrange(span))
            ref = f"TIN-{received.year}-B{i:07d}"
            lat, lon = point() if rng.random() < 0.7 else (None, None)
            iid = uuid.UUID(int=rng.getrandbits(128))
            tlp = rng.choice(tlps)
            targets = rng.sample(units, k=rng.choice([0, 1, 1, 2, 3]))
            targets = [t for t in targets if t[0] != uid]
            exchanged = None
            for t in targets:
                sid = next_share
                next_share += 1
                at = received + dt.timedelta(minutes=rng.randrange(5, 600))
                shares.append((sid, iid, t[0], "", officers[uid], uid, at))
                ack = at + dt.timedelta(minutes=rng.randrange(5, 600)) if rng.random() < 0.8 else None
                receipts.append(
                    (
                        iid,
                        t[0],
                        sid,
                        at,
                        ack,
                        officers[t[0]] if ack else None,
                        ack,
                        officers[t[0]] if ack else None,
                    )
                )
                if t[1] != force and (exchanged is None or at < exchanged):
                    exchanged = at
            items.append(
                (
                    iid,
                    received,
                    received,
                    ref,
                    title,
                    body,
                    cats[code],
                    lat,
                    lon,
                    area_id,
                    None,
                    received - dt.timedelta(minutes=rng.randrange(10, 600)),
                    received,
                    uid,
                    officers[uid],
                    rng.choice("ABBCCCDF"),
                    rng.choice([2, 3, 3, 4, 6]),
                    "",
                    None,
                    tlp,
                    False,
                    level,
                    rng.choice(["new", "verified", "verified", "closed", "refuted"]),
                    False,
                    exchanged,
                    1,
                    normalise(f"{ref} {title} {body} {code.replace('_', ' ')}"),
                )
            )
        _load(connection, pg, "intel_item", item_cols, items)
        _load(connection, pg, "intel_itemshare", share_cols, shares)
        _load(connection, pg, "intel_itemreceipt", receipt_cols, receipts)
        done += batch
        print(f"items {done:,}/{n_items:,} ({time.monotonic() - t0:.0f} s)", flush=True)
    _incidents(
        connection, pg, rng, n_incidents, units, officers, types, communes, point, start, span, tlps, t0
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"done: {n_items:,} items, {n_incidents:,} incidents in {time.monotonic() - t0:.0f} s")


def _incidents(
    connection, pg, rng, n, units, officers, types, communes, point, start, span, tlps, t0
) -> None:
    cols = [
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
    ]
    pcols = ["incident_id", "unit_id", "role", "active", "added_at"]
    done = 0
    while done < n:
        batch = min(BATCH, n - done)
        rows, parts = [], []
        for k in range(batch):
            i = done + k
            tid, code = rng.choice(types)
            uid, force, _lvl = rng.choice(units)
            opened = start + dt.timedelta(seconds=rng.randrange(span))
            lat, lon = point()
            iid = uuid.UUID(int=rng.getrandbits(128))
            closed = rng.random() < 0.9
            rows.append(
                (
                    iid,
                    opened,
                    opened,
                    f"VV-{opened.year}-B{i:07d}",
                    tid,
                    f"Vụ việc {code} số {i}",
                    "",
                    rng.choice(["low", "medium", "medium", "high", "critical"]),
                    "closed" if closed else rng.choice(["reported", "acknowledged", "responding"]),
                    rng.choice(tlps),
                    False,
                    lat,
                    lon,
                    rng.choice(communes)[0],
                    None,
                    "border",
                    force,
                    uid,
                    None,
                    officers[uid],
                    uid,
                    opened,
                    opened + dt.timedelta(minutes=120),
                    opened + dt.timedelta(minutes=rng.randrange(5, 100)),
                    0,
                    None,
                    opened + dt.timedelta(days=2) if closed else None,
                    None,
                    1,
                )
            )
            parts.append((iid, uid, "lead", True, opened))
            sup = rng.choice(units)
            if sup[0] != uid:
                parts.append((iid, sup[0], "supporting", True, opened))
        _load(connection, pg, "incidents_incident", cols, rows)
        _load(connection, pg, "incidents_participant", pcols, parts)
        done += batch
        print(f"incidents {done:,}/{n:,} ({time.monotonic() - t0:.0f} s)", flush=True)


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

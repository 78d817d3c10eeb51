"""The everyday reads, p50 and p95, each beside the plain SQL that returns the same rows.

Every read goes through the whole stack in process (Django's test client: middleware, API-token
authentication, ninja, policy, JSON), as the API serves it. While serving it once, every SELECT it
sends is recorded with its parameters; the "plain SQL" figure replays exactly those statements on a
bare DB-API cursor of the same connection and fetches every row. The ratio served / plain SQL is our
overhead over the database itself.

Run on a database filled by bench/generate.py:

    DATABASE_URL=... python bench/reads.py --runs 30 --out var/bench/reads-postgresql-100k.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("LIAISON_TESTING", "1")
    os.environ.setdefault("LIAISON_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


# (read, reader, URL). Readers: the Na Mèo post's duty officer and the province police commander.
READS = [
    ("inbox", "post officer", "/api/v1/inbox"),
    ("inbox", "province commander", "/api/v1/inbox"),
    ("item list, filtered", "post officer", "/api/v1/items?category=drug_trafficking&tlp=amber"),
    ("item list, filtered", "province commander", "/api/v1/items?category=drug_trafficking&tlp=amber"),
    ("full-text search", "post officer", "/api/v1/items?q=ma%20tuy%20duong%20mon"),
    ("full-text search", "province commander", "/api/v1/items?q=ma%20tuy%20duong%20mon"),
    ("full-text search, rare term", "province commander", "/api/v1/items?q=B0000042"),
    ("map layer items, 30 days", "post officer", "/api/v1/layers/items?window=30d"),
    ("map layer items, 30 days", "province commander", "/api/v1/layers/items?window=30d"),
    ("map layer incidents, 30 days", "province commander", "/api/v1/layers/incidents?window=30d"),
    ("quarterly statistics", "province commander", "/api/v1/stats/exchange?period=quarter"),
    ("incident board", "province commander", "/api/v1/incidents"),
    # Patrols (issue 16): the list's first page, and coverage (last check-in per marker, gaps).
    ("patrol list", "post officer", "/api/v1/patrols"),
    ("patrol list", "border-guard commander", "/api/v1/patrols"),
    ("patrol list, filtered", "border-guard commander", "/api/v1/patrols?kind=joint&status=done"),
    ("patrol coverage", "post officer", "/api/v1/patrol-coverage/markers"),
    ("patrol coverage", "border-guard commander", "/api/v1/patrol-coverage/markers"),
    ("patrol coverage gaps layer", "border-guard commander", "/api/v1/patrol-coverage/unchecked.geojson"),
]
READERS = {
    "post officer": ("trucban.don.nameo", "BP-DON-NA-MEO"),
    "province commander": ("chihuy.ca", "CA-TH"),
    "border-guard commander": ("chihuy.bp", "BP-TH"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--out", default="")
    ap.add_argument("--size", default="")
    ap.add_argument("--only", default="", help="run the reads whose name contains this text")
    a = ap.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from liaison.accounts.services import api_token_create
    from liaison.incidents.models import Incident
    from liaison.intel.models import Item
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    tokens = {}
    for who, (user, unit) in READERS.items():
        m = Membership.objects.select_related("unit", "user").get(user__username=user, unit__code=unit)
        _token, raw = api_token_create(Actor(m.user, m), name="bench reads", days=1)
        tokens[who] = raw
    client = Client()
    n_items, n_incidents = Item.objects.count(), Incident.objects.count()
    results = []
    for read, who, url in READS:
        if a.only and a.only not in read:
            continue
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}", "HTTP_ACCEPT_ENCODING": "identity"}

        def serve(url=url, headers=headers):
            r = client.get(url, secure=True, **headers)
            if r.status_code != 200:
                raise SystemExit(f"{url}: HTTP {r.status_code} {r.content[:300]!r}")
            return r

        statements: list[tuple[str, object]] = []

        def record(execute, sql, params, many, context, statements=statements):
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                statements.append((sql, params))
            return execute(sql, params, many, context)

        serve()  # warm: caches, prepared plans
        with connection.execute_wrapper(record):
            body = serve().content
        raw = connection.cursor().cursor  # the DB-API cursor, no Django wrapper

        def plain(statements=statements, raw=raw):
            for sql, params in statements:
                raw.execute(sql, params)
                raw.fetchall()

        plain()
        served, bare = [], []
        for _ in range(a.runs):
            t = time.perf_counter()
            serve()
            served.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            plain()
            bare.append((time.perf_counter() - t) * 1000)
        p50, b50 = statistics.median(served), statistics.median(bare)
        results.append(
            {
                "read": read,
                "reader": who,
                "url": url,
                "p50_ms": round(p50, 2),
                "p95_ms": round(pct(served, 0.95), 2),
                "sql_p50_ms": round(b50, 2),
                "sql_p95_ms": round(pct(bare, 0.95), 2),
                "statements": len(statements),
                "ratio": round(p50 / max(b50, 0.001), 2),
                "bytes": len(body),
            }
        )
        r = results[-1]
        print(
            f"{read:<30} {who:<19} p50 {r['p50_ms']:7.1f}  p95 {r['p95_ms']:7.1f}  "
            f"sql {r['sql_p50_ms']:7.1f} ({r['statements']} stmts)  {r['ratio']:.1f}x",
            flush=True,
        )
    out = {
        "database": connection.vendor,
        "size": a.size,
        "items": n_items,
        "incidents": n_incidents,
        "runs": a.runs,
        "at": time.strftime("%Y-%m-%d %H:%M"),
        "reads": results,
    }
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()

"""The everyday reads, p50 and p95, beside the same SQL run bare on the same database, and the
create throughput of the API. Run on a database filled by bench/generate.py.

    DATABASE_URL=... python bench/reads.py --runs 30
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("LIAISON_TESTING", "1")
    os.environ.setdefault("LIAISON_DEBUG", "1")
    os.environ.setdefault("LIAISON_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def bare(qs):
    from django.db import connection

    sql, params = qs.query.sql_with_params()

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--creates", type=int, default=300)
    a = ap.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from liaison.incidents import selectors as incident_selectors
    from liaison.intel import selectors, stats
    from liaison.intel.models import Item
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    def actor(user, unit):
        m = Membership.objects.select_related("unit", "user").get(user__username=user, unit__code=unit)
        return Actor(m.user, m)

    officer = actor("trucban.don.nameo", "BP-DON-NA-MEO")
    commander = actor("chihuy.ca", "CA-TH")
    rows = []

    def measure(label, reader, served, floor):
        s, b = timed(served, a.runs), timed(floor, a.runs)
        rows.append((label, reader, statistics.median(s), pct(s, 0.95), statistics.median(b)))

    f = selectors.ItemFilter()
    measure(
        "inbox",
        "post officer",
        lambda: selectors.inbox(officer),
        bare(
            Item.objects.filter(receipts__unit=officer.unit, receipts__acknowledged_at__isnull=True).values(
                "id"
            )[:200]
        ),
    )
    for who, act in (("post officer", officer), ("province commander", commander)):
        ff = selectors.ItemFilter(category="drug_trafficking", tlp="amber")
        measure(
            "item list, filtered",
            who,
            lambda act=act, ff=ff: selectors.item_list(act, ff),
            bare(
                selectors.filtered_items(act, ff)
                .order_by("-received_at", "-id")
                .values(*selectors.ITEM_COLUMNS)[:50]
            ),
        )
        fs = selectors.ItemFilter(q="ma tuy duong mon")
        measure(
            "full-text search",
            who,
            lambda act=act, fs=fs: selectors.item_list(act, fs),
            bare(
                selectors.filtered_items(act, fs)
                .order_by("-received_at", "-id")
                .values(*selectors.ITEM_COLUMNS)[:50]
            ),
        )
    p = stats.period("quarter", timezone.localdate())
    measure(
        "quarterly statistics",
        "province commander",
        lambda: stats.exchange_stats(commander, p),
        bare(
            selectors.filtered_items(commander, f)
            .filter(exchanged_at__gte=p.start, exchanged_at__lt=p.end)
            .values("level")
            .order_by()
        ),
    )
    measure(
        "incident board",
        "province commander",
        lambda: incident_selectors.incident_board(commander),
        bare(
            incident_selectors.policy.visible(commander, incident_selectors.Incident)
            .exclude(status__in=["closed", "cancelled", "merged"])
            .order_by("-opened_at")
            .values(*incident_selectors.BOARD_COLUMNS)[:300]
        ),
    )

    print(f"database: {connection.vendor}; items {Item.objects.count():,}")
    print("| read | reader | p50 ms | p95 ms | bare SQL p50 ms | ratio |")
    print("|---|---|---|---|---|---|")
    for label, who, p50, p95, b50 in rows:
        print(f"| {label} | {who} | {p50:.1f} | {p95:.1f} | {b50:.1f} | {p50 / max(b50, 0.01):.1f}× |")

    # Creates through the API, in process (one client, one thread): items per second.
    c = Client()
    c.force_login(officer.user)
    body = {
        "title": "Hàng lậu qua đường mòn",
        "body": "Phát hiện 5 kiện hàng.",
        "category": "smuggling",
        "observed_at": timezone.now().isoformat(),
        "reliability": "B",
        "credibility": 2,
        "tlp": "green",
    }
    t = time.perf_counter()
    for i in range(a.creates):
        r = c.post(
            "/api/v1/items",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{time.time_ns()}-{i}",
        )
        assert r.status_code == 201, r.status_code
    dt = time.perf_counter() - t
    print(f"\ncreate through the API (one process, one client): {a.creates / dt:.0f} items/s")


if __name__ == "__main__":
    main()

"""Map layer queries for a 30-day window: p50 and p95 of the layer as served (policy-filtered rows
turned into GeoJSON) beside the same SQL run bare on the same database (the floor).

    DATABASE_URL=... python bench/layers.py --runs 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("LIAISON_TESTING", "1")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    setup_django()
    from django.db import connection

    from liaison import policy
    from liaison.incidents.models import Incident
    from liaison.intel.models import Item
    from liaison.org.actor import Actor
    from liaison.org.models import Membership
    from liaison.situation import selectors

    since, until = selectors.window("30d")
    cast = {
        "province police commander (CA-TH)": ("chihuy.ca", "CA-TH"),
        "border-guard commander (BP-TH)": ("chihuy.bp", "BP-TH"),
        "Na Mèo post duty officer": ("trucban.don.nameo", "BP-DON-NA-MEO"),
    }
    print(
        f"database: {connection.vendor}; items {Item.objects.count():,}, incidents {Incident.objects.count():,}"
    )
    print("| reader | layer | features | p50 ms | p95 ms | bare SQL p50 ms | ratio |")
    print("|---|---|---|---|---|---|---|")
    for label, (user, unit) in cast.items():
        m = Membership.objects.select_related("unit", "user").get(user__username=user, unit__code=unit)
        actor = Actor(m.user, m)
        for name, fn, model, field in (
            ("items", selectors.items_layer, Item, "received_at"),
            ("incidents", selectors.incidents_layer, Incident, "opened_at"),
        ):
            served, bare = [], []
            qs = selectors._positioned(
                policy.visible(actor, model).filter(**{f"{field}__gte": since, f"{field}__lt": until})
            )
            sql, params = qs.values("id", "plat", "plon").query.sql_with_params()
            n = 0
            for _ in range(a.runs):
                t = time.perf_counter()
                n = len(fn(actor, since=since, until=until)["features"])
                served.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    cur.fetchall()
                bare.append((time.perf_counter() - t) * 1000)
            p50, p95, b50 = statistics.median(served), pct(served, 0.95), statistics.median(bare)
            print(f"| {label} | {name} | {n:,} | {p50:.1f} | {p95:.1f} | {b50:.1f} | {p50 / b50:.1f}× |")


if __name__ == "__main__":
    main()

"""A hidden record and a missing one must not be told apart by the time of their 404 (issue 11).

Both take the same path in `policy.get_visible`: the visible lookup misses, the row is looked up
once more, and a refusal is audited (naming the hidden row, or the id that was asked for). This
measures it through the whole stack in process (API-token authentication, ninja, policy, the audit
append in its own transaction), the two kinds interleaved request by request so that drift on the
machine touches both alike, and compares the gap between the medians with the gap between two halves
of the same kind (the noise).

    DATABASE_URL=sqlite:///var/refusal.sqlite3 python bench/refusal.py --runs 400

The database is migrated and the demo loaded if it is empty.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from pathlib import Path

from reads import pct, setup_django

READER = ("trucban.don.batmot", "BP-DON-BAT-MOT")  # the Bát Mọt post's duty officer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    setup_django()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 2 × runs expected 404s
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client

    from liaison import policy
    from liaison.accounts.services import api_token_create
    from liaison.intel.models import Item
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    if not Item.objects.exists():
        from liaison.demo import load

        load.run()
    m = Membership.objects.select_related("unit", "user").get(
        user__username=READER[0], unit__code=READER[1], status="active"
    )
    actor = Actor(m.user, m, via="token")
    _token, raw = api_token_create(Actor(m.user, m), name="bench refusal", days=1)
    hidden = list(
        Item.objects.exclude(pk__in=policy.visible(actor, Item).values("pk")).values_list("pk", flat=True)[
            :50
        ]
    )
    assert hidden, "the reader sees every item: nothing hidden to measure"
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_ENCODING": "identity"}

    def one(pk) -> float:
        t = time.perf_counter()
        r = client.get(f"/api/v1/items/{pk}", **headers)
        took = (time.perf_counter() - t) * 1000
        assert r.status_code == 404, r.status_code
        return took

    for i in range(20):  # warm up both paths
        one(hidden[i % len(hidden)])
        one(uuid.uuid4())
    times: dict[str, list[float]] = {"hidden": [], "missing": []}
    for i in range(a.runs):
        kinds = ("hidden", "missing") if i % 2 == 0 else ("missing", "hidden")
        for kind in kinds:
            pk = hidden[i % len(hidden)] if kind == "hidden" else uuid.uuid4()
            times[kind].append(one(pk))
    med = {k: statistics.median(v) for k, v in times.items()}
    halves = {k: abs(statistics.median(v[::2]) - statistics.median(v[1::2])) for k, v in times.items()}
    result = {
        "database": connection.vendor,
        "runs": a.runs,
        "median_ms": {k: round(v, 2) for k, v in med.items()},
        "p95_ms": {k: round(pct(v, 0.95), 2) for k, v in times.items()},
        "gap_ms": round(med["hidden"] - med["missing"], 2),
        "noise_ms": round(max(halves.values()), 2),
    }
    print(json.dumps(result, indent=2))
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

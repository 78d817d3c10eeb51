"""Search at scale: every query of the search corpus (tests/search/corpus.py) and the frequent-word
and prefix queries officers type, p50/p95 through the whole stack beside the plain SQL, for the
Na Mèo post officer and the province police commander; then the same queries with a prefix on
every word and without the Vietnamese syllable splits, to decide those (decision 0013); mode "wide"
searches without narrowing by the reader's units in the index (the plan before decision 0020).

    DATABASE_URL=... python bench/search.py --runs 20 --out var/bench/search-postgresql-1m.json

Run on a database filled by bench/generate.py (a tenth of its items carry a Lao or English sentence
of the corpus).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reads import READERS, pct, setup_django  # noqa: E402

# Frequent words of the generated text, prefixes as typed, and the old benchmark query.
TYPED = [
    "ma tuy duong mon",
    "ma tuy",
    "van chuyen",
    "Mườ",
    "na m",
    "ma t",
    "v",
    "hàng hóa -gỗ",
    "ma tuy OR go",
    '"duong mon"',
    "B0000042",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", default="")
    ap.add_argument("--modes", default="last,all,nosplit")
    ap.add_argument("--query", action="append", default=[], help="only these queries (repeatable)")
    ap.add_argument("--reader", action="append", default=[], help="only these readers (repeatable)")
    a = ap.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from liaison.accounts.services import api_token_create
    from liaison.core import search
    from liaison.intel.models import Item
    from liaison.org.actor import Actor
    from liaison.org.models import Membership
    from tests.search.corpus import QUERIES

    readers = {k: v for k, v in READERS.items() if not a.reader or k in a.reader}
    tokens = {}
    for who, (user, unit) in readers.items():
        m = Membership.objects.select_related("unit", "user").get(user__username=user, unit__code=unit)
        tokens[who] = api_token_create(Actor(m.user, m), name="bench search", days=1)[1]
    client = Client()
    queries = a.query or TYPED + [q for q, _ in QUERIES]
    n_items = Item.objects.count()
    results = []
    for mode in a.modes.split(","):
        search.PREFIX = "all" if mode == "all" else "last"
        search.SPLIT_VIETNAMESE = mode != "nosplit"
        search.NARROW_BY_UNITS = mode != "wide"  # "wide": the policy's rule alone, as before 0020
        for q in queries if mode in ("last", "wide") or a.query else TYPED:
            for who in readers:
                url = "/api/v1/items?" + urllib.parse.urlencode({"q": q})
                headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}", "HTTP_ACCEPT_ENCODING": "identity"}

                def serve(url=url, headers=headers):
                    r = client.get(url, secure=True, **headers)
                    if r.status_code != 200:
                        raise SystemExit(f"{url}: HTTP {r.status_code} {r.content[:300]!r}")
                    return r

                statements: list = []

                def record(execute, sql, params, many, context, statements=statements):
                    if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        statements.append((sql, params))
                    return execute(sql, params, many, context)

                serve()
                with connection.execute_wrapper(record):
                    body = serve().json()
                raw = connection.cursor().cursor

                def plain(statements=statements, raw=raw):
                    for sql, params in statements:
                        raw.execute(sql, params)
                        raw.fetchall()

                served, bare = [], []
                for _ in range(a.runs):
                    t = time.perf_counter()
                    serve()
                    served.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    plain()
                    bare.append((time.perf_counter() - t) * 1000)
                r = {
                    "mode": mode,
                    "query": q,
                    "reader": who,
                    "hits": body["count"],
                    "capped": body["count_capped"],
                    "p50_ms": round(statistics.median(served), 1),
                    "p95_ms": round(pct(served, 0.95), 1),
                    "sql_p50_ms": round(statistics.median(bare), 1),
                    "sql_p95_ms": round(pct(bare, 0.95), 1),
                }
                results.append(r)
                hits = f"{r['hits']}{'+' if r['capped'] else ''}"
                print(
                    f"{mode:<8} {q[:28]:<28} {who:<19} hits {hits:>6}  p50 {r['p50_ms']:7.1f}  "
                    f"p95 {r['p95_ms']:7.1f}  sql p95 {r['sql_p95_ms']:7.1f}",
                    flush=True,
                )
    worst = max((r for r in results if r["mode"] == "last"), key=lambda r: r["p95_ms"])
    print(f"items: {n_items:,}; worst p95 (last-word prefixes): {worst['p95_ms']} ms for {worst['query']!r}")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(
            json.dumps({"database": connection.vendor, "items": n_items, "results": results}, indent=1)
        )


if __name__ == "__main__":
    main()

"""The tip line under a burst (issue 19): N posts at once from one address, against a running server
with several worker processes; counts the answers and the tips stored.

The limit (LIAISON_TIP_LIMIT_PER_ADDRESS, default 5 an hour) is counted in the database, so it must
hold across the server's processes: exactly `limit` tips stored (201), every other post refused
(429), nothing else stored.

    python bench/field_burst.py --base http://127.0.0.1:8000 --posts 40 --threads 8 --db sqlite:///var/demo.sqlite3
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor


def count_tips(db: str) -> int:
    if db.startswith("sqlite:///"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as c:
            return c.execute("SELECT COUNT(*) FROM field_tip").fetchone()[0]
    import psycopg

    with psycopg.connect(db.replace("postgres://", "postgresql://")) as c:
        return c.execute("SELECT COUNT(*) FROM field_tip").fetchone()[0]


def form(base: str) -> tuple[str, str]:
    with urllib.request.urlopen(base + "/tin-bao/") as r:  # noqa: S310 - the bench's own server
        html = r.read().decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    commune = re.search(r'<option value="(VN-[^"]+)"', html).group(1)
    return token, commune


def post(base: str, token: str, commune: str, i: int) -> int:
    data = urllib.parse.urlencode(
        {"form_token": token, "commune": commune, "text": f"Tin báo thử tải số {i}"}
    ).encode()
    try:
        with urllib.request.urlopen(base + "/tin-bao/", data=data) as r:  # noqa: S310
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8000")
    p.add_argument("--posts", type=int, default=40)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--db", required=True)
    a = p.parse_args()
    token, commune = form(a.base)
    before = count_tips(a.db)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(a.threads) as pool:
        codes = Counter(pool.map(lambda i: post(a.base, token, commune, i), range(a.posts)))
    elapsed = time.perf_counter() - t0
    stored = count_tips(a.db) - before
    print(
        f"{a.posts} posts, {a.threads} at once, {elapsed:.2f} s: answers {dict(sorted(codes.items()))}; tips stored {stored}"
    )
    assert stored == codes.get(201, 0), "a tip was stored that was not acknowledged, or the reverse"


if __name__ == "__main__":
    main()

"""The bare floor of the HTTP benchmark: a plain WSGI function, no Django, that answers the newest
50 information items as JSON from one indexed query (the `item_received_desc` index), with one
database connection per worker (per thread under gthread). Whatever Liaison's item list costs
above this is the price of the framework, authentication, need-to-know filtering and the richer
rows; bench/floor_ninja.py is the second floor, Django + django-ninja without auth or policy.

bench/httpbench.py starts it under gunicorn and measures it; to run it by hand, from the
repository root (the module is imported as `bench.floor`: the bench/ folder itself must never be
on sys.path, see bench/httpbench.py):

    DATABASE_URL=postgres://... .venv/bin/gunicorn bench.floor:app -w 2 -b 127.0.0.1:8101
    curl http://127.0.0.1:8101/
"""

from __future__ import annotations

import json
import os
import threading

SQL = "SELECT id, ref, title, received_at FROM intel_item ORDER BY received_at DESC, id DESC LIMIT 50"

_local = threading.local()


def _connect():
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    # autocommit: each query is its own snapshot, like Django's default.
    return psycopg.connect(url, autocommit=True)


def _rows() -> list[tuple]:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = _connect()
    cur = conn.cursor()
    try:
        cur.execute(SQL)
        return cur.fetchall()
    finally:
        cur.close()


def _iso(v) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def app(environ, start_response):
    """Any path, any method: the newest 50 items."""
    body = json.dumps(
        [
            {"id": str(i), "ref": ref, "title": title, "received_at": _iso(at)}
            for i, ref, title, at in _rows()
        ],
        ensure_ascii=False,
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]

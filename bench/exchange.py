"""Envelope throughput (issue 20): signed, verified, and received (checked and stored with the
partner item it creates, its audit event and its signed receipt, one transaction each) per second.

It makes a database of its own (a temporary SQLite file, or with --pg a fresh PostgreSQL database
on the server of DATABASE_URL, dropped afterwards), migrates it, adds two units (this node's and
the partner's), registers the partner, then times:
  sign     seal N release envelopes (RFC 8785 canonical bytes + Ed25519), no database;
  verify   parse and verify them, no database;
  receive  envelope_receive each: every check, then stored once and applied in sequence;
  again    envelope_receive each a second time (the duplicates: found by id, stored nothing).

    python bench/exchange.py --n 2000                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison python bench/exchange.py --n 2000 --pg
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--out", default="")
    ap.add_argument("--dir", default=None, help="where the SQLite file goes (/dev/shm: no disk wait)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="liaison-bench-exchange-", dir=args.dir))
    pg_name = None
    if args.pg:
        import psycopg

        base = os.environ["DATABASE_URL"]
        pg_name = f"liaison_bench_exch_{secrets.token_hex(3)}"
        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + pg_name
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["LIAISON_DATA_DIR"] = str(tmp)
    os.environ.setdefault("LIAISON_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    try:
        result = run(args.n)
        result["database"] = "postgresql" if args.pg else "sqlite"
        print(json.dumps(result, indent=2))
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(result, indent=2))
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(
                os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def run(n: int) -> dict:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.conf import settings
    from django.core.management import call_command

    from liaison.core import clock
    from liaison.exchange import envelope as envl
    from liaison.exchange import services
    from liaison.exchange.models import InEnvelope, PartnerItem
    from liaison.org import services as org
    from liaison.org.actor import Actor

    call_command("migrate", verbosity=0)
    system = Actor.system()
    here = org.unit_create(
        system,
        code="BP-BENCH",
        name="Đồn Biên phòng (bench)",
        force="border_guard",
        kind="border_post",
        parent=None,
    )
    there = org.unit_create(
        system,
        code="LA-BENCH",
        name="ປ້ອມ (bench)",
        force="border_guard",
        kind="border_post",
        parent=None,
        country="LA",
    )
    key = Ed25519PrivateKey.generate()
    services.peer_register(
        system,
        name="bench-partner",
        country="LA",
        base_url="",
        public_key=envl.public_b64(key.public_key()),
        unit=there,
    )
    now = clock.now().isoformat()

    def body(i: int) -> dict:
        return {
            "release": str(uuid.uuid4()),
            "to_units": [here.code],
            "item": {
                "ref": f"HP-2026-{i:06d}",
                "title": f"ກຸ່ມຄົນແປກໜ້າ ຂົນສິນຄ້າ ຜ່ານທາງດ່ານ {i}",
                "body": "ພົບເຫັນ 4 ຄົນ ຂົນສິນຄ້າ ຜ່ານທາງຍ່າງ ໄປຫາຝັ່ງຫວຽດນາມ ເວລາ 02:00. " * 4,
                "language": "lo",
                "category": {"code": "smuggling", "vi": "Buôn lậu", "en": "Smuggling", "lo": "ລັກລອບ"},
                "tlp": "amber",
                "reliability": "B",
                "credibility": 2,
                "observed_at": "2026-11-27T02:00:00Z",
                "origin_unit": there.code,
                "place": {"area_code": "LA-03-0706", "area_name": "Xamtai"},
            },
        }

    bodies = [body(i) for i in range(n)]
    t = time.perf_counter()
    wires = [
        envl.seal(
            key, sender="bench-partner", to=settings.NODE_NAME, seq=i + 1, kind="release", at=now, body=b
        )
        for i, b in enumerate(bodies)
    ]
    sign = time.perf_counter() - t
    pub = key.public_key()
    t = time.perf_counter()
    for w in wires:
        envl.verify(envl.parse(w), pub)
    verify = time.perf_counter() - t
    t = time.perf_counter()
    for w in wires:
        services.envelope_receive(w)
    receive = time.perf_counter() - t
    t = time.perf_counter()
    for w in wires:
        services.envelope_receive(w)
    again = time.perf_counter() - t
    assert InEnvelope.objects.count() == n and PartnerItem.objects.count() == n
    return {
        "envelopes": n,
        "wire_bytes_mean": round(sum(len(w.encode()) for w in wires) / n),
        "signed_per_s": round(n / sign),
        "verified_per_s": round(n / verify),
        "received_and_stored_per_s": round(n / receive),
        "duplicates_answered_per_s": round(n / again),
    }


if __name__ == "__main__":
    main()

"""The programs' reads at national scale: one program with every border commune of the national data
set that has a commune police unit, and monthly entries for each over two years; the progress
(per commune and overall, month by month), the missing months and the quarterly figures, p50/p95,
each beside the plain SQL it sends (as bench/reads.py measures).

The progress query reads only the programs' own tables (entries, values, communes, targets) and the
units: the items and incidents of the 1M set are never touched, so a national organisation
(bench/generate.py at any size) is the data set that matters.

    DATABASE_URL=... python bench/programs.py --months 24 --runs 30 --out var/bench/programs-postgresql.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from reads import pct, setup_django  # noqa: E402

READERS = {
    "owner commander": ("chihuy.ca", "CA-TH"),
    "commune police": ("trucban.ca.nameo", "CA-XA-NA-MEO"),
}


def build(months: int, seed: int):
    """The national program (once): every commune-police unit placed in a commune takes part."""
    from django.db import transaction

    from liaison.org.actor import Actor
    from liaison.org.models import Unit
    from liaison.programs import services
    from liaison.programs.models import Entry, EntryValue, Indicator, Program, ProgramTemplate

    existing = Program.objects.filter(name_vi="Bench: thu hồi vũ khí toàn tuyến").first()
    if existing is not None:
        return existing
    system = Actor.system()
    units = list(
        Unit.objects.filter(kind="commune_police", area__kind="commune", is_active=True).select_related(
            "area"
        )
    )
    seen, pairs = set(), []
    for u in units:
        if u.area_id not in seen:
            seen.add(u.area_id)
            pairs.append((u.area, u))
    this = services.month_of(services.today())
    first = this
    for _ in range(months):
        first = services.month_of(first - dt.timedelta(days=1))
    program = services.program_create(
        system,
        name_vi="Bench: thu hồi vũ khí toàn tuyến",
        starts_on=first,
        ends_on=this,
        template=ProgramTemplate.objects.get(code="weapons-hand-in"),
        communes=pairs,
        owner_unit=Unit.objects.get(code="CA-TH"),
    )
    services.program_activate(system, program)
    inds = list(Indicator.objects.filter(program=program))
    services.program_targets_set(
        system,
        program,
        targets=[{"indicator": i.code, "commune": None, "number": Decimal(1000)} for i in inds],
    )
    rng = random.Random(seed)
    now = services.clock.now()
    n = 0
    with transaction.atomic():
        parts = list(program.participations.all())
        for m in services.months(first, services.month_of(this - dt.timedelta(days=1))):
            entries = []
            for p in parts:
                if rng.random() < 0.03:
                    continue  # a few months missing
                entries.append(
                    Entry(
                        ref=f"BB-{m.year}-{n:06d}"[:20],
                        program=program,
                        participation=p,
                        month=m,
                        status="approved" if rng.random() < 0.9 else "submitted",
                        submitted_by_unit_id=p.unit_id,
                        submitted_at=now,
                    )
                )
                n += 1
            Entry.objects.bulk_create(entries, batch_size=2000)
            EntryValue.objects.bulk_create(
                [
                    EntryValue(entry=e, indicator=i, number=Decimal(rng.randint(0, 20)))
                    for e in entries
                    for i in inds
                ],
                batch_size=5000,
            )
    print(f"program {program.ref}: {len(pairs)} communes, {n} entries", flush=True)
    return program


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from liaison.accounts.services import api_token_create
    from liaison.org.actor import Actor
    from liaison.org.models import Membership
    from liaison.programs.models import Entry, EntryValue, Participation

    program = build(a.months, a.seed)
    tokens = {}
    for who, (user, unit) in READERS.items():
        m = Membership.objects.select_related("unit", "user").get(user__username=user, unit__code=unit)
        _t, raw = api_token_create(Actor(m.user, m), name="bench programs", days=1)
        tokens[who] = raw
    quarter_end = services_month()
    reads = [
        ("progress", "owner commander", f"/api/v1/programs/{program.pk}/progress"),
        ("progress", "commune police", f"/api/v1/programs/{program.pk}/progress"),
        ("missing months", "owner commander", f"/api/v1/programs/{program.pk}/missing"),
        ("progress export (xlsx)", "owner commander", f"/api/v1/programs/{program.pk}/progress.xlsx"),
        (
            "quarterly figures",
            "owner commander",
            f"/api/v1/program-figures?start={quarter_end - dt.timedelta(days=92)}&end={quarter_end}",
        ),
    ]
    client = Client()
    results = []
    for read, who, url in reads:
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
            body = serve().content
        raw = connection.cursor().cursor

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
                "p50_ms": round(p50, 1),
                "p95_ms": round(pct(served, 0.95), 1),
                "sql_p50_ms": round(b50, 1),
                "statements": len(statements),
                "bytes": len(body),
            }
        )
        r = results[-1]
        print(
            f"{read:<24} {who:<16} p50 {r['p50_ms']:7.1f}  p95 {r['p95_ms']:7.1f}  "
            f"sql {r['sql_p50_ms']:7.1f} ({r['statements']} stmts)  {r['bytes']:,} B",
            flush=True,
        )
    out = {
        "database": connection.vendor,
        "communes": Participation.objects.filter(program=program).count(),
        "entries": Entry.objects.filter(program=program).count(),
        "values": EntryValue.objects.filter(entry__program=program).count(),
        "months": a.months,
        "runs": a.runs,
        "at": time.strftime("%Y-%m-%d %H:%M"),
        "reads": results,
    }
    print({k: v for k, v in out.items() if k != "reads"})
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")


def services_month() -> dt.date:
    from liaison.programs import services

    return services.month_of(services.today())


if __name__ == "__main__":
    main()

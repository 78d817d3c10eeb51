"""A quarter's briefing at scale (issue 18): every figure of the briefing (the quarter, the previous
one and the same quarter a year before: exchange, verification, incidents with outcome totals,
patrols, programs, the timeliness scorecard, the drills, and the node-wide totals that say whether a
count is partial), then the three documents (Word, PDF, Excel), per reader. Goal: under 10 s at 1M.

    DATABASE_URL=postgres://.../liaison_bench_brief python bench/briefings.py --runs 3 --out var/bench/briefings.json

It needs the migrations of issue 18 applied to the data set (a copy: never the shared one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from reads import setup_django  # noqa: E402

READERS = {
    "border-guard commander": ("chihuy.bp", "BP-TH"),
    "province commander": ("chihuy.ca", "CA-TH"),
    "post officer": ("trucban.don.nameo", "BP-DON-NA-MEO"),
    "node-wide (the secretariat's rule)": None,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    setup_django()
    import logging

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # fpdf2's font subsetting talks a lot
    from django.db import connection

    from liaison.briefings import documents, figures
    from liaison.briefings.models import Briefing
    from liaison.intel.models import Item
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    p = figures.last_quarter()
    items = Item.objects.count()
    in_quarter = Item.objects.filter(
        is_drill=False, exchanged_at__gte=p.start, exchanged_at__lt=p.end
    ).count()
    print(f"{connection.vendor}: {items:,} items, {in_quarter:,} exchanged in {p.label}")
    results = {
        "vendor": connection.vendor,
        "items": items,
        "quarter": p.label,
        "exchanged_in_quarter": in_quarter,
        "readers": {},
    }
    for who, key in READERS.items():
        if key is None:
            actor = Actor.system()
        else:
            m = Membership.objects.select_related("unit", "user").get(
                user__username=key[0], unit__code=key[1]
            )
            actor = Actor(user=m.user, membership=m)
        gen, docs = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            figs = figures.generate(actor, p, figures.Scope())
            t1 = time.perf_counter()
            b = Briefing(
                title="Bench", place="Thanh Hóa", owner_unit=actor.unit or Membership.objects.first().unit
            )
            c = documents.content(b, figs, [])
            documents.to_docx(c), documents.to_pdf(c), documents.to_xlsx(c)
            t2 = time.perf_counter()
            gen.append(t1 - t0)
            docs.append(t2 - t1)
        row = {
            "figures_s_median": round(statistics.median(gen), 2),
            "figures_s_max": round(max(gen), 2),
            "documents_s_median": round(statistics.median(docs), 2),
            "exchanged": figs["current"]["exchange"]["total"],
            "incidents": figs["current"]["incidents"]["total"],
            "scorecard_units": len(figs["scorecard"]),
        }
        results["readers"][who] = row
        print(
            f"  {who}: figures {row['figures_s_median']} s (max {row['figures_s_max']}), documents {row['documents_s_median']} s; {row['exchanged']:,} items, {row['incidents']:,} incidents"
        )
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

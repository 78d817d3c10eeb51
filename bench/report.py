"""Markdown tables from the benchmark results under var/bench (written by bench/run): the reads per
database and size, how each read grows with the data, the HTTP floors and create throughput, the
load test, and the goals of the benchmark issue checked against the largest PostgreSQL size.

    python bench/report.py var/bench > var/bench/report.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SIZES = ["10k", "100k", "1m", "10m"]
DBS = ["postgresql", "sqlite"]


def load(folder: Path, kind: str) -> dict[tuple[str, str], dict]:
    out = {}
    for db in DBS:
        for size in SIZES:
            f = folder / f"{kind}-{db}-{size}.json"
            if f.exists():
                out[(db, size)] = json.loads(f.read_text(encoding="utf-8"))
    return out


def fmt(x, digits=1) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def reads_tables(reads) -> list[str]:
    lines = []
    for (db, size), r in reads.items():
        lines += [
            f"### Reads, {db}, {size} ({r['items']:,} items, {r['incidents']:,} incidents; {r['runs']} runs, {r['at']})",
            "",
            "| read | reader | p50 ms | p95 ms | plain SQL p50 ms | statements | ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        for x in r["reads"]:
            lines.append(
                f"| {x['read']} | {x['reader']} | {fmt(x['p50_ms'])} | {fmt(x['p95_ms'])} | "
                f"{fmt(x['sql_p50_ms'])} | {x['statements']} | {x['ratio']:.1f}× |"
            )
        lines.append("")
    return lines


def growth_table(reads) -> list[str]:
    lines = []
    for db in DBS:
        sizes = [s for s in SIZES if (db, s) in reads]
        if len(sizes) < 2:
            continue
        lines += [
            f"### Growth, {db}: p95 ms (plain SQL p50 ms) by data size",
            "",
            "| read | reader | " + " | ".join(sizes) + " |",
            "|---|---|" + "---|" * len(sizes),
        ]
        for i, x in enumerate(reads[(db, sizes[0])]["reads"]):
            cells = []
            for s in sizes:
                rows = reads[(db, s)]["reads"]
                y = rows[i] if i < len(rows) else None
                cells.append(f"{fmt(y['p95_ms'])} ({fmt(y['sql_p50_ms'])})" if y else "–")
            lines.append(f"| {x['read']} | {x['reader']} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def http_tables(http) -> list[str]:
    lines = []
    for (db, size), h in http.items():
        m = h.get("meta", {})
        lines += [
            f"### HTTP, {db}, {size} ({m.get('items', 0):,} items; {m.get('workers')} server processes; "
            f"wrk {m.get('wrk')}; {m.get('date', '')})",
            "",
            "| request | req/s | p50 ms | p95 ms | p99 ms | non-2xx | worker RSS MiB |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in h.get("results", []):
            bad = sum(r.get("unexpected_statuses", {}).values()) + sum(r.get("socket_errors", {}).values())
            rss = " / ".join(f"{x:.0f}" for x in r.get("worker_rss_mib") or [])
            lines.append(
                f"| {r['name']} | {fmt(r['rps'])} | {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | "
                f"{fmt(r.get('p99_ms'))} | {bad} | {rss} |"
            )
        if h.get("create_check"):
            lines += ["", "Creates checked in the database: " + json.dumps(h["create_check"]), ""]
        lines.append("")
    return lines


def load_tables(load) -> list[str]:
    lines = []
    for (db, size), x in load.items():
        m = x.get("meta", {})
        lines += [
            f"### Load test, {db}, {size}: {m.get('users')} officers ({m.get('officers')} accounts in "
            f"{m.get('units')} units), think time {m.get('think_time_s')} s, {m.get('measured_s')} s "
            f"measured, {m.get('workers')} server processes ({m.get('date', '')})",
            "",
            "| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in x.get("results", []):
            lines.append(
                f"| {r['name']} | {r['requests']:,} | {r['failures']:,} | {fmt(r['rps'])} | "
                f"{fmt(r['p50_ms'], 0)} | {fmt(r['p95_ms'], 0)} | {fmt(r.get('p99_ms'), 0)} |"
            )
        mem = x.get("memory", {})
        lines += ["", f"Server worker RSS after the run: {mem.get('worker_rss_mib')} MiB.", ""]
    return lines


def goals(reads, http, load) -> list[str]:
    size = next((s for s in reversed(SIZES) if ("postgresql", s) in reads), None)
    if size is None:
        return []
    r = {(x["read"], x["reader"]): x for x in reads[("postgresql", size)]["reads"]}

    def worst(prefix, key="p95_ms"):
        xs = [x[key] for (read, _w), x in r.items() if read.startswith(prefix)]
        return max(xs) if xs else None

    rows = [
        ("full-text search p95", worst("full-text search"), 100, "ms"),
        ("inbox p95", worst("inbox"), 50, "ms"),
        ("map layer p95", worst("map layer"), 200, "ms"),
        ("quarterly statistics p95", worst("quarterly statistics"), 500, "ms"),
        ("read overhead (worst served / plain SQL, p50)", max(x["ratio"] for x in r.values()), 3, "×"),
    ]
    h = http.get(("postgresql", size)) or {}
    create = next((r["rps"] for r in h.get("results", []) if r.get("name", "").startswith("POST")), None)
    rows.append(("create, two workers", create, 300, "items/s (at least)"))
    ld = load.get(("postgresql", size)) or {}
    total = next((r for r in ld.get("results", []) if r["name"] == "Aggregated"), None)
    rows.append(("load test failures", total["failures"] if total else None, 0, "(exactly)"))
    lines = [
        f"### Goals at {size} on PostgreSQL",
        "",
        "| goal | measured | target | met |",
        "|---|---|---|---|",
    ]
    for name, value, target, unit in rows:
        if value is None:
            met = "not measured"
        elif name.startswith("create"):
            met = "yes" if value >= target else "no"
        elif name.startswith("load"):
            met = "yes" if value == 0 else "no"
        else:
            met = "yes" if value < target or (unit == "×" and value <= target) else "no"
        lines.append(f"| {name} | {fmt(value)} | {target} {unit} | {met} |")
    return [*lines, ""]


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench")
    reads, http, ld = load(folder, "reads"), load(folder, "http"), load(folder, "load")
    out = [
        "# Benchmark results",
        "",
        *goals(reads, http, ld),
        *growth_table(reads),
        *reads_tables(reads),
        *http_tables(http),
    ]
    out += load_tables(ld)
    print("\n".join(out))


if __name__ == "__main__":
    main()

"""Many officers at once: locust (headless) drives `liaison serve --workers 2`, in production mode, with
200 simulated officers for 2 minutes (bench/locustfile.py has the task mix), and reports the error
rate, the requests per second and the p50/p95/p99 overall and per request, and the memory of each
server worker afterwards.

On a migrated database holding the demo (plus bench/generate.py data if wanted), it gives every
active officer of a unit of this country who may log items an API token (one per person, acting for
one membership; they expire after a day and are revoked at the end), writes them to a file that the
locustfile reads (mode 0600, deleted at the end), starts the server on a free port, runs locust and
stops the server, also on an error or Ctrl-C.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/load.py \\
        --out var/load.json [--users 200] [--time 2m] [--wait 2,8] [--spawn-rate 20]

The think time (--wait, seconds, uniform) is 2 to 8 s: about 5 s between one officer's clicks is
already a busy officer, and 200 of them then ask ~35-40 requests/s of the two workers, near what two
cores serve with this mix. Statistics are reset once all users are running (locust
--reset-stats), so the ramp-up is not in the figures. The locust CSV files are written beside
--out (<out>_stats.csv, _failures.csv, _exceptions.csv, _stats_history.csv). Exit status 1 when any
request failed.

It needs locust (`make bench` installs the pinned version from pyproject's bench extra).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from httpbench import (
    BIN,
    REPO,
    BenchFailure,
    Server,
    authors,
    free_port,
    interrupted,
    server_env,
    setup_django,
)

TLPS = ["clear", "green", "amber", "amber_strict", "red"]
QUERIES = ["ma tuy", "hang lau", "duong mon", "vuot bien", "buon ban nguoi"]


def officer_tokens(run: str) -> list[tuple]:
    """(actor, token, raw) for each active officer (one membership each) who may log items."""
    from liaison.accounts.services import api_token_create

    out, users = [], set()
    for m, actor in authors("user__username", "unit__code"):
        if m.user_id in users:
            continue
        users.add(m.user_id)
        token, raw = api_token_create(actor, name=f"load {run}", days=1)
        out.append((actor, token, raw))
    return out


def parse_duration(s: str) -> int:
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", s.strip())
    if not m or not any(m.groups()):
        raise argparse.ArgumentTypeError("a duration like 2m, 90s, 1h30m")
    h, mi, sec = (int(x or 0) for x in m.groups())
    return h * 3600 + mi * 60 + sec


def num(x: str) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return 0.0


def read_stats(prefix: str) -> tuple[list[dict], list[dict]]:
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "method": r["Type"],
                    "name": r["Name"],
                    "requests": int(num(r["Request Count"])),
                    "failures": int(num(r["Failure Count"])),
                    "rps": round(num(r["Requests/s"]), 2),
                    "p50_ms": num(r["50%"]),
                    "p95_ms": num(r["95%"]),
                    "p99_ms": num(r["99%"]),
                    "max_ms": round(num(r["Max Response Time"]), 1),
                    "mean_ms": round(num(r["Average Response Time"]), 1),
                }
            )
    failures = []
    with contextlib.suppress(FileNotFoundError), open(f"{prefix}_failures.csv", newline="") as f:
        for r in csv.DictReader(f):
            failures.append(
                {
                    "method": r["Method"],
                    "name": r["Name"],
                    "error": r["Error"],
                    "occurrences": int(num(r["Occurrences"])),
                }
            )
    return rows, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "var", "load.json"))
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--time", type=parse_duration, default="2m", help="measured duration, e.g. 2m, 90s")
    ap.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    ap.add_argument("--wait", default="2,8", help="think time between one officer's requests: min,max s")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    try:
        wait = [float(x) for x in a.wait.split(",")]
        assert len(wait) == 2 and 0 <= wait[0] <= wait[1]
    except (ValueError, AssertionError):
        ap.error("--wait: min,max seconds, e.g. 2,8")
    locust = os.path.join(BIN, "locust")
    if not os.path.exists(locust):
        print("locust is not installed in this environment: pip install locust==2.47.0", file=sys.stderr)
        return 2

    setup_django()
    from django.db import connection

    from liaison.accounts.services import api_token_revoke
    from liaison.intel.models import Category, Item

    signal.signal(signal.SIGTERM, interrupted)
    run = f"load-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    workdir = tempfile.mkdtemp(prefix="load-")
    prefix = os.path.splitext(os.path.abspath(a.out))[0]
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    ramp = a.users / a.spawn_rate
    meta = {
        "run": run,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "items_before": Item.objects.count(),
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "users": a.users,
        "spawn_rate": a.spawn_rate,
        "measured_s": a.time,
        "ramp_s": round(ramp, 1),
        "think_time_s": wait,
        "workers": a.workers,
    }
    tokens: list[tuple] = []
    server = None
    failures: list[str] = []
    memory = {}
    rc = None
    try:
        tokens = officer_tokens(run)
        if not tokens:
            raise BenchFailure("no active officer who may log items: load the demo first (liaison demo)")
        units = {t[0].membership.unit_id for t in tokens}
        meta["officers"], meta["units"] = len(tokens), len(units)
        config = {
            "officers": [{"user": t[0].user.username, "unit": t[0].unit.code, "token": t[2]} for t in tokens],
            "categories": sorted(Category.objects.filter(state="active").values_list("code", flat=True)),
            "tlps": TLPS,
            "queries": QUERIES,
        }
        fd, tokens_file = tempfile.mkstemp(prefix="officers-", suffix=".json", dir=workdir)  # 0600
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        port = free_port()
        argv = [os.path.join(BIN, "liaison"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = Server("liaison", argv + ["--workers", str(a.workers)], server_env(), port, workdir)
        server.start("/api/v1/items", {"Authorization": f"Bearer {tokens[0][2]}"})
        print(
            f"database: {meta['database']}; items {meta['items_before']:,}; {meta['cpus']} CPUs, load average "
            f"{meta['loadavg_before']}; {a.users} simulated officers on {len(tokens)} tokens of {len(units)} "
            f"units, think time {wait[0]:g}–{wait[1]:g} s, ramp-up {ramp:.0f} s then {a.time} s measured",
            flush=True,
        )
        for suffix in ("_stats.csv", "_failures.csv", "_exceptions.csv", "_stats_history.csv"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(prefix + suffix)  # a previous run's figures must not pass for this one's
        env = {**os.environ, "LIAISON_LOAD_FILE": tokens_file, "LIAISON_LOAD_WAIT": f"{wait[0]},{wait[1]}"}
        cmd = [locust, "-f", os.path.join(REPO, "bench", "locustfile.py"), "--headless"]
        cmd += ["-u", str(a.users), "-r", f"{a.spawn_rate:g}", "-t", f"{int(a.time + ramp + 1)}s"]
        cmd += ["--host", f"http://127.0.0.1:{port}", "--csv", prefix, "--reset-stats", "--only-summary"]
        cmd += ["--loglevel", "WARNING", "--stop-timeout", "10"]
        p = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)  # noqa: S603
        rc = p.returncode
        if not os.path.exists(f"{prefix}_stats.csv"):
            raise BenchFailure(f"locust wrote no statistics ({rc}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        memory = server.memory()
        if server.log_tail().strip():
            meta["server_log_tail"] = server.log_tail(20)
    except BenchFailure as exc:
        failures.append(str(exc))
    except KeyboardInterrupt:
        failures.append("interrupted")
    finally:
        if server is not None:
            server.stop()
        for actor, token, _ in tokens:
            with contextlib.suppress(Exception):
                api_token_revoke(actor, token_id=token.pk)
        shutil.rmtree(workdir, ignore_errors=True)

    rows, errors = ([], [])
    if os.path.exists(f"{prefix}_stats.csv") and not failures:
        rows, errors = read_stats(prefix)
    total = next((r for r in rows if r["name"] == "Aggregated"), None)
    if total and total["failures"]:
        failures.append(f"{total['failures']:,} of {total['requests']:,} requests failed")
    if total and total["requests"] == 0:
        failures.append("no request at all")
    meta["items_after"] = Item.objects.count()
    meta["locust_exit"] = rc
    report(rows, errors, memory, meta, failures, a.out)
    return 1 if failures else 0


def report(rows, errors, memory, meta, failures, out) -> None:
    if rows:
        print()
        print("| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|---|---|---|")
        for r in sorted(rows, key=lambda r: (r["name"] == "Aggregated", -r["requests"])):
            label = "**all**" if r["name"] == "Aggregated" else f"{r['method']} {r['name'].split(' ', 1)[-1]}"
            print(
                f"| {label} | {r['requests']:,} | {r['failures']:,} | {r['rps']:.1f} | {r['p50_ms']:.0f} | "
                f"{r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} |"
            )
        total = next((r for r in rows if r["name"] == "Aggregated"), None)
        if total and total["requests"]:
            print(f"\nerror rate: {100 * total['failures'] / total['requests']:.2f} %")
    if memory:
        rss = " / ".join(f"{x:.0f}" for x in memory["worker_rss_mib"])
        print(f"server worker RSS after the load: {rss} MiB (master {memory['master_rss_mib']:.0f} MiB)")
    if errors:
        print("\n| failed request | error | occurrences |\n|---|---|---|")
        for e in errors:
            print(f"| {e['method']} {e['name']} | {e['error'][:120]} | {e['occurrences']:,} |")
    with open(out, "w") as f:
        json.dump(
            {"meta": meta, "results": rows, "errors": errors, "memory": memory, "failures": failures},
            f,
            indent=2,
        )
    print(f"\nwritten: {out}")
    if failures:
        print("\nFAILED:", file=sys.stderr)
        for x in failures:
            print(f"- {x}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

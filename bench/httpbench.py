"""HTTP throughput of Liaison beside two floors, measured with wrk against real servers.

On a database that is migrated and holds the demo (`liaison migrate && liaison demo`, plus
bench/generate.py data if wanted), it starts, one after the other, on free ports:

- the bare floor: bench/floor.py, a plain WSGI function (no Django) under gunicorn, 2 workers;
- the framework floor: bench/floor_ninja.py, Django + django-ninja without auth, policy or
  middleware, under uvicorn with the flags of `liaison serve`, 2 workers;
- Liaison itself: `liaison serve --workers 2`, in production mode (LIAISON_DEBUG=0, a random
  secret key unless one is set, LIAISON_ALLOWED_HOSTS=127.0.0.1,localhost, LIAISON_SSL_REDIRECT=0:
  TLS would end at the reverse proxy);

and measures with wrk (fixed concurrency: 16 connections, 2 threads, 15 s after a 3 s warm-up):
requests/s and p50/p95/p99 of the newest 50 items from each floor and of GET /api/v1/items (Bearer
token of a post duty officer), then item creation through POST /api/v1/items (a unique
Idempotency-Key per request, tokens of officers of several units). Every response must be 200
(201 for creates) and wrk must see no socket error or timeout, else it fails (exit status 1, after
printing and writing what it measured). After the creates it checks in the database that each
request the server finished made exactly one item, and that the items match the 201 responses
(up to the requests still in flight when wrk stopped: it does not wait for their answers).
The resident memory (VmRSS) of every server worker is read from /proc after its load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/httpbench.py \\
        --out var/httpbench.json [--duration 15] [--connections 16] [--only wsgi,ninja,items,create]

It needs wrk (Debian: `apt-get install wrk`). The servers it starts are always stopped, also on
an error, Ctrl-C or SIGTERM. The tokens it creates expire after a day and are revoked at the end.
BENCH_FLOOR_MIDDLEWARE=liaison gives the ninja floor Liaison's middleware stack.

Named httpbench.py, not http.py: the scripts here run as `python bench/X.py`, which puts bench/
first on sys.path, and a bench/http.py would then shadow the standard library's `http` for every
one of them (Django's `from http import cookies` fails).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.path.dirname(sys.executable)
ITEM_BODY = {
    "title": "Hàng lậu qua đường mòn",
    "body": "Phát hiện 5 kiện hàng.",
    "category": "smuggling",
    "reliability": "B",
    "credibility": 2,
    "tlp": "green",
}
INSTALL_WRK = (
    "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu; as root: "
    "apt-get update && apt-get install -y wrk), or build it from https://github.com/wg/wrk"
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("LIAISON_TESTING", "1")
    sys.path.insert(0, os.path.join(REPO, "src"))
    import django

    django.setup()


class BenchFailure(Exception):
    """A check failed: the figures are not to be trusted."""


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    """A free port: in BENCH_PORTS (e.g. 8700-8799, where several benchmarks share a machine), else any."""
    low, _, high = os.environ.get("BENCH_PORTS", "").partition("-")
    for port in range(int(low), int(high) + 1) if low and high else [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port == 0 or port not in _PORTS_GIVEN:
                _PORTS_GIVEN.add(s.getsockname()[1])
                return s.getsockname()[1]
    raise BenchFailure(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


_PORTS_GIVEN: set[int] = set()


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a production server: the caller's, minus the testing switch."""
    env = dict(os.environ)
    env.pop("LIAISON_TESTING", None)
    env["LIAISON_DEBUG"] = "0"
    if not env.get("LIAISON_SECRET_KEY"):
        env["LIAISON_SECRET_KEY"] = secrets.token_urlsafe(48)
    env.setdefault("LIAISON_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("LIAISON_SSL_REDIRECT", "0")
    env.update(extra)
    return env


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d))
    return sorted(out)


def cpu_seconds_of(pids: list[int]) -> float:
    """User + system CPU time consumed so far by these processes (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (its own, not its reaped children's), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def database_backends() -> list[int]:
    """The PostgreSQL server processes serving this run's database (by their process title)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    name = f" {connection.settings_dict['NAME']} "
    return [
        int(d)
        for d in os.listdir("/proc")
        if d.isdigit() and cmdline(int(d)).startswith("postgres: ") and name in cmdline(int(d))
    ]


class CpuMeter:
    """CPU spent by a server (its whole process tree) and by the database's backends between
    start() and stop(), per answered request: what a request costs, whatever the machine's load."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def snapshot(self) -> dict[str, dict[int, float]]:
        assert self.server.proc is not None
        return {
            "server": {p: cpu_seconds(p) for p in descendants(self.server.proc.pid)},
            "database": {p: cpu_seconds(p) for p in database_backends()},
        }

    def start(self) -> None:
        self.before = self.snapshot()

    def stop(self, requests: int) -> dict:
        after = self.snapshot()
        out = {}
        for part in ("server", "database"):
            spent = sum(v - self.before[part].get(p, 0.0) for p, v in after[part].items())
            out[f"cpu_{part}_ms"] = round(1000 * spent / max(requests, 1), 2)
        out["cpu_ms"] = round(out["cpu_server_ms"] + out["cpu_database_ms"], 2)
        return out


class Server:
    """A server in its own process group, so that stopping it stops its workers too."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, logdir: str):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.log_path = os.path.join(logdir, f"{name}.log")
        self.proc: subprocess.Popen | None = None

    def start(self, probe_path: str, headers: dict[str, str] | None = None, timeout: float = 90) -> None:
        with open(self.log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(  # noqa: S603
                self.argv,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchFailure(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, body = http_get(self.port, probe_path, headers)
                if status == 200:
                    return
                last = f"HTTP {status}: {body[:300]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.3)
        raise BenchFailure(f"{self.name} not ready after {timeout:.0f} s ({last}):\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        # Workers left behind by a master that died first are in the same group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def workers(self) -> list[int]:
        """The request-serving children: uvicorn's spawned workers (not multiprocessing's resource
        tracker), gunicorn's forked workers."""
        assert self.proc is not None
        kids = children(self.proc.pid)
        return [p for p in kids if "resource_tracker" not in cmdline(p)]

    def memory(self) -> dict:
        assert self.proc is not None
        workers = {p: rss_mib(p) for p in self.workers()}
        return {
            "master_rss_mib": round(rss_mib(self.proc.pid) or 0, 1),
            "worker_rss_mib": [round(v, 1) for v in workers.values() if v is not None],
        }

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


# --- wrk ------------------------------------------------------------------------------------

LUA = r"""
-- Written by bench/httpbench.py for one run.
local method, path, create, run = %(method)s, %(path)s, %(create)s, %(run)s
local body = %(body)s
local tokens = {%(tokens)s}
local ids_file = %(ids_file)s
local threads, next_id = {}, 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

counter = 0
statuses = {}
created = {}

function request()
  -- wrk calls this once in its main state too (to check the request), where tid is unset.
  local id = tid or 0
  counter = counter + 1
  local h = {}
  if #tokens > 0 then
    h["Authorization"] = "Bearer " .. tokens[(counter + id) %% #tokens + 1]
  end
  if create then
    h["Content-Type"] = "application/json"
    h["Idempotency-Key"] = run .. "-" .. id .. "-" .. counter
  end
  return wrk.format(method, path, h, body)
end

function response(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
  if create and status == 201 then
    -- ItemOut opens with the item's id: the ids answered, checked against the database.
    created[#created + 1] = string.match(body, '"id"%%s*:%%s*"([0-9a-f-]+)"') or "?"
  end
end

function done(summary, latency, requests)
  local st, sent = {}, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("counter")
    for k, v in pairs(t:get("statuses")) do st[k] = (st[k] or 0) + v end
  end
  if ids_file then
    local f = io.open(ids_file, "w")
    for _, t in ipairs(threads) do
      for _, v in ipairs(t:get("created")) do f:write(v, "\n") end
    end
    f:close()
  end
  local parts = {}
  for k, v in pairs(st) do parts[#parts + 1] = string.format('"%%s": %%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "sent": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}, ' ..
    '"latency_us": {"mean": %%.1f, "max": %%d, "p50": %%d, "p90": %%d, "p95": %%d, "p99": %%d}, ' ..
    '"statuses": {%%s}}\n',
    summary.requests, summary.duration, summary.bytes, sent,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), table.concat(parts, ", ")))
end
"""


def lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string of ASCII is a valid Lua string literal


def wrk_script(
    workdir: str,
    *,
    method="GET",
    path="/",
    tokens=(),
    body: str | None = None,
    run: str = "",
    ids_file: str | None = None,
) -> str:
    if body is not None and "]==]" in body:
        raise ValueError("body")
    src = LUA % {
        "method": lua_str(method),
        "path": lua_str(path),
        "create": "true" if method == "POST" else "false",
        "run": lua_str(run),
        "body": f"[==[{body}]==]" if body is not None else "nil",
        "tokens": ", ".join(lua_str(t) for t in tokens),
        "ids_file": lua_str(ids_file) if ids_file else "nil",
    }
    fd, name = tempfile.mkstemp(prefix="wrk-", suffix=".lua", dir=workdir)  # 0600: tokens inside
    with os.fdopen(fd, "w") as f:
        f.write(src)
    return name


def run_wrk(port: int, path: str, script: str, a, seconds: float) -> dict:
    argv = [
        "wrk",
        "-t",
        str(a.threads),
        "-c",
        str(a.connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        f"{a.timeout:g}s",
        "-s",
        script,
        f"http://127.0.0.1:{port}{path}",
    ]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + a.timeout + 60)  # noqa: S603
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("WRK_JSON ")]
    if p.returncode != 0 or not lines:
        raise BenchFailure(f"wrk failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return json.loads(lines[-1].removeprefix("WRK_JSON "))


def summarise(name: str, server: str, w: dict, ok_status: str) -> dict:
    secs = w["duration_us"] / 1e6
    lat = w["latency_us"]
    bad = {k: v for k, v in w["statuses"].items() if k != ok_status}
    socket_errors = {k: v for k, v in w["errors"].items() if k != "status" and v}
    return {
        "name": name,
        "server": server,
        "requests": w["requests"],
        "seconds": round(secs, 2),
        "rps": round(w["requests"] / secs, 1),
        "p50_ms": round(lat["p50"] / 1000, 2),
        "p95_ms": round(lat["p95"] / 1000, 2),
        "p99_ms": round(lat["p99"] / 1000, 2),
        "max_ms": round(lat["max"] / 1000, 1),
        "statuses": w["statuses"],
        "unexpected_statuses": bad,
        "socket_errors": socket_errors,
        "sent": w["sent"],
    }


def check(row: dict, failures: list[str], server: Server | None = None) -> None:
    before = len(failures)
    if row["unexpected_statuses"]:
        failures.append(f"{row['name']}: unexpected HTTP statuses {row['unexpected_statuses']}")
    if row["socket_errors"]:
        failures.append(f"{row['name']}: socket errors or timeouts {row['socket_errors']}")
    if row["requests"] == 0:
        failures.append(f"{row['name']}: no response at all")
    if server is not None and len(failures) > before:
        failures.append(f"{server.name}: the end of its log:\n{server.log_tail()}")


# --- the benchmark ------------------------------------------------------------------------------


def officer_token(user: str, unit: str, run: str):
    from liaison.accounts.services import api_token_create
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    m = Membership.objects.select_related("user", "unit").get(
        user__username=user, unit__code=unit, status=Membership.Status.ACTIVE
    )
    actor = Actor(m.user, m)
    token, raw = api_token_create(actor, name=f"httpbench {run}", days=1)
    return actor, token, raw


def authors(*order: str):
    """(membership, actor) for each active membership of a Vietnamese unit whose actor may log
    items, in the given order (deterministic)."""
    from liaison import policy
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    qs = (
        Membership.objects.filter(
            status=Membership.Status.ACTIVE,
            unit__country="VN",
            unit__is_active=True,
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by(*order)
    )
    for m in qs:
        actor = Actor(m.user, m)
        if policy.can(actor, "item.create"):
            yield m, actor


def creating_officers(n: int):
    """Up to n officers who may log items, each of another unit (deterministic order)."""
    chosen, units = [], set()
    for m, _actor in authors("unit__code", "user__username"):
        if m.unit_id not in units:
            chosen.append((m.user.username, m.unit.code))
            units.add(m.unit_id)
        if len(chosen) == n:
            break
    return chosen


def wait_quiet(run_prefix: str, timeout: float = 30) -> dict:
    """Wait until the server finished every create of the run (no key in flight, counts stable)."""
    from django.db.models import Count, Q

    from liaison.core.models import IdempotencyRecord

    qs = IdempotencyRecord.objects.filter(route="items.create", key__startswith=run_prefix)
    deadline, last, stable_since = time.monotonic() + timeout, None, time.monotonic()
    while True:
        now = qs.aggregate(
            done=Count("id", filter=Q(state=IdempotencyRecord.State.DONE)),
            in_flight=Count("id", filter=Q(state=IdempotencyRecord.State.IN_FLIGHT)),
        )
        if now != last:
            last, stable_since = now, time.monotonic()
        elif now["in_flight"] == 0 and time.monotonic() - stable_since >= 1.0:
            return now
        if time.monotonic() > deadline:
            return now
        time.sleep(0.25)


def create_check(
    run_prefix: str, row: dict, ids_file: str, authors: list[str], since: dt.datetime, failures: list[str]
) -> dict:
    """Each 201 names a distinct item that is in the database; each finished request made exactly
    one item; the only items beyond the 201s are those of requests still in flight when wrk stopped."""
    from liaison.core.models import IdempotencyRecord
    from liaison.intel.models import Item

    state = wait_quiet(run_prefix)
    keyed = set(
        IdempotencyRecord.objects.filter(
            route="items.create", key__startswith=run_prefix, state=IdempotencyRecord.State.DONE
        ).values_list("result_id", flat=True)
    )
    with open(ids_file) as f:
        answered = [ln.strip() for ln in f if ln.strip()]
    n201 = row["statuses"].get("201", 0)
    stored = Item.objects.filter(pk__in=[x for x in answered if x != "?"]).count()
    # A warm-up create still queued when the measured run began is the warm-up's (a loaded machine
    # answers it seconds later): its item carries the warm-up's key.
    warm = IdempotencyRecord.objects.filter(
        route="items.create", key__startswith=run_prefix[:-1] + "w", state=IdempotencyRecord.State.DONE
    ).values_list("result_id", flat=True)
    new_items = (
        Item.objects.filter(origin_officer__username__in=authors, received_at__gte=since)
        .exclude(pk__in=[x for x in warm if x])
        .count()
    )
    unanswered = max(0, row["sent"] - row["requests"])
    out = {
        "responses_201": n201,
        "distinct_ids_answered": len(set(answered)),
        "answered_items_in_db": stored,
        "new_items_in_db": new_items,
        "keys_done": len(keyed),
        "keys_in_flight": state["in_flight"],
        "unanswered_at_stop": unanswered,
        "items_of_unanswered_requests": len(keyed - set(answered)),
    }
    if len(answered) != n201 or len(set(answered)) != n201 or stored != n201:
        failures.append(
            f"create: {n201} answered 201, {len(set(answered))} distinct ids in them, {stored} of them in the database"
        )
    if not set(answered) <= keyed:
        failures.append("create: an answered item has no idempotency key of the run")
    if new_items != len(keyed):
        failures.append(f"create: {len(keyed)} requests finished but {new_items} new items in the database")
    if state["in_flight"]:
        failures.append(f"create: {state['in_flight']} keys still in flight after the load")
    if len(keyed - set(answered)) > unanswered:
        failures.append(
            f"create: {len(keyed - set(answered))} items beyond the 201s, but only {unanswered} requests "
            "were unanswered when wrk stopped"
        )
    return out


def measure(
    server: Server, name: str, path: str, script: str, a, ok_status: str, failures: list[str]
) -> dict:
    if a.warmup > 0:
        run_wrk(server.port, path, script, a, a.warmup)
    meter = CpuMeter(server)
    meter.start()
    w = run_wrk(server.port, path, script, a, a.duration)
    row = summarise(name, server.name, w, ok_status)
    row.update(meter.stop(w["requests"]))
    row.update(server.memory())
    check(row, failures, server)
    return row


def unlinked_events() -> int | None:
    """Audit events not linked yet (None before decision 0018, where every event is linked at once)."""
    from liaison.audit.models import AuditEvent

    if not hasattr(AuditEvent, "content_hash"):
        return None
    return AuditEvent.objects.filter(seq__isnull=True).count()


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "var", "httpbench.json"))
    ap.add_argument("--duration", type=float, default=15, help="seconds of measured load per endpoint")
    ap.add_argument("--warmup", type=float, default=3, help="seconds of load before each measurement")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--timeout", type=float, default=10, help="wrk: a slower answer is an error")
    ap.add_argument("--workers", type=int, default=2, help="worker processes of every server")
    ap.add_argument(
        "--floor-worker-class",
        default="gthread",
        choices=["sync", "gthread"],
        help="gunicorn worker class of the bare floor (gthread keeps connections alive, as uvicorn does)",
    )
    ap.add_argument("--floor-threads", type=int, default=4, help="threads per gthread worker")
    ap.add_argument(
        "--server",
        default="gunicorn",
        choices=["gunicorn", "uvicorn"],
        help="the server of the django-ninja floor: that of `liaison serve` (uvicorn before decision 0019)",
    )
    ap.add_argument(
        "--liaison-server",
        default="serve",
        choices=["serve", "uvicorn"],
        help="Liaison under `liaison serve`, or everything under uvicorn as before decision 0019 (to compare)",
    )
    ap.add_argument(
        "--serve-args",
        default="",
        help="more arguments of `liaison serve` (e.g. '--worker-class sync'); the floor follows its "
        "--worker-class and --threads",
    )
    ap.add_argument("--officer", default="trucban.don.nameo@BP-DON-NA-MEO", help="reader: user@UNIT")
    ap.add_argument("--create-officers", type=int, default=8, help="authors of the creates, one per unit")
    ap.add_argument("--only", default="wsgi,ninja,items,create")
    ap.add_argument(
        "--with-worker", action="store_true", help="run `liaison worker` beside the server during the creates"
    )
    a = ap.parse_args()
    only = {x.strip() for x in a.only.split(",") if x.strip()}
    unknown = only - {"wsgi", "ninja", "items", "create"}
    if unknown:
        ap.error(f"--only: unknown {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2

    setup_django()
    import django
    import gunicorn
    import ninja
    import uvicorn
    from django.db import connection
    from django.utils import timezone

    from liaison.accounts.services import api_token_revoke
    from liaison.intel.models import Item

    # SIGTERM (e.g. from make or CI) unwinds like Ctrl-C, so that the servers are stopped.
    signal.signal(signal.SIGTERM, interrupted)

    run = f"httpbench-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    workdir = tempfile.mkdtemp(prefix="httpbench-")
    rows: list[dict] = []
    failures: list[str] = []
    created: dict | None = None
    tokens = []  # (actor, token) to revoke at the end
    servers: list[Server] = []
    env = server_env()
    meta = {
        "run": run,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(  # noqa: S603
            ["git", "-C", REPO, "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "database": connection.vendor,
        "items": Item.objects.count(),
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "wrk": {
            "connections": a.connections,
            "threads": a.threads,
            "duration_s": a.duration,
            "warmup_s": a.warmup,
        },
        "workers": a.workers,
        "floor_middleware": env.get("BENCH_FLOOR_MIDDLEWARE", "none"),
        "floor_worker_class": a.floor_worker_class,
        "floor_threads": a.floor_threads if a.floor_worker_class == "gthread" else 1,
        "server": a.server,
        "liaison_server": a.liaison_server,
        "serve_args": a.serve_args,
        "versions": {
            "django": django.__version__,
            "ninja": ninja.__version__,
            "uvicorn": uvicorn.__version__,
            "gunicorn": gunicorn.__version__,
        },
    }
    print(
        f"database: {meta['database']}; items {meta['items']:,}; {meta['cpus']} CPUs, load average "
        f"{meta['loadavg_before']}; wrk {a.connections} connections, {a.threads} threads, {a.duration:g} s",
        flush=True,
    )
    try:
        if "wsgi" in only:
            argv = [os.path.join(BIN, "gunicorn"), "bench.floor:app", "-w", str(a.workers)]
            argv += ["-k", a.floor_worker_class, "-b", f"127.0.0.1:{(port := free_port())}"]
            argv += ["--log-level", "warning"]
            if a.floor_worker_class == "gthread":
                argv += ["--threads", str(a.floor_threads)]
            s = Server("floor-wsgi", argv, env, port, workdir)
            servers.append(s)
            s.start("/")
            print("measuring the bare WSGI floor …", flush=True)
            rows.append(
                measure(s, "newest 50 items, bare WSGI", "/", wrk_script(workdir), a, "200", failures)
            )
            s.stop()
        reader = None
        if only & {"ninja", "items"}:
            user, _, unit = a.officer.partition("@")
            actor, token, reader = officer_token(user, unit, run)
            tokens.append((actor, token))
        serve_args = a.serve_args.split()
        if "ninja" in only:
            port = free_port()
            if a.server == "uvicorn":
                argv = [os.path.join(BIN, "uvicorn"), "bench.floor_ninja:application", "--host", "127.0.0.1"]
                argv += ["--port", str(port), "--workers", str(a.workers), "--no-server-header"]
                argv += ["--timeout-graceful-shutdown", "5", "--log-level", "warning"]
            else:
                kind = (
                    serve_args[serve_args.index("--worker-class") + 1]
                    if "--worker-class" in serve_args
                    else "gthread"
                )
                threads = serve_args[serve_args.index("--threads") + 1] if "--threads" in serve_args else "4"
                argv = [
                    os.path.join(BIN, "gunicorn"),
                    "bench.floor_ninja:wsgi_application",
                    "-w",
                    str(a.workers),
                ]
                argv += [
                    "-k",
                    kind,
                    "-b",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                    "--keep-alive",
                    "75",
                ]
                if kind == "gthread":
                    argv += ["--threads", threads]
            s = Server("floor-ninja", argv, env, port, workdir)
            servers.append(s)
            s.start("/floor/items", {"Authorization": f"Bearer {reader}"})
            print("measuring the django-ninja floor …", flush=True)
            script = wrk_script(workdir, path="/floor/items", tokens=[reader])
            label = "newest 50 items, django-ninja"
            if meta["floor_middleware"] == "liaison":
                label += " + Liaison's middleware"
            rows.append(measure(s, label, "/floor/items", script, a, "200", failures))
            s.stop()
        if only & {"items", "create"}:
            port = free_port()
            if a.liaison_server == "uvicorn":  # decision 0002's server, the same flags
                argv = [os.path.join(BIN, "uvicorn"), "liaison.asgi:application", "--host", "127.0.0.1"]
                argv += ["--port", str(port), "--workers", str(a.workers), "--no-server-header"]
                argv += ["--timeout-graceful-shutdown", "5", "--timeout-keep-alive", "75"]
                argv += ["--log-level", "warning"]
            else:
                argv = [os.path.join(BIN, "liaison"), "serve", "--host", "127.0.0.1", "--port", str(port)]
                argv += ["--workers", str(a.workers), *serve_args]
            s = Server("liaison", argv, env, port, workdir)
            servers.append(s)
            raw = reader
            if raw is None:
                user, _, unit = a.officer.partition("@")
                actor, token, raw = officer_token(user, unit, run)
                tokens.append((actor, token))
            s.start("/api/v1/items", {"Authorization": f"Bearer {raw}"})
            if "items" in only:
                print(f"measuring GET /api/v1/items as {a.officer} …", flush=True)
                script = wrk_script(workdir, path="/api/v1/items", tokens=[raw])
                rows.append(measure(s, "GET /api/v1/items", "/api/v1/items", script, a, "200", failures))
            if "create" in only:
                authors = creating_officers(a.create_officers)
                raws = []
                for user, unit in authors:
                    actor, token, raw = officer_token(user, unit, run)
                    tokens.append((actor, token))
                    raws.append(raw)
                print(f"measuring POST /api/v1/items by {len(authors)} officers of {len(authors)} units …")
                body = {**ITEM_BODY, "observed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
                body_json = json.dumps(body, ensure_ascii=False)
                if a.warmup > 0:
                    warm = wrk_script(
                        workdir,
                        method="POST",
                        path="/api/v1/items",
                        tokens=raws,
                        body=body_json,
                        run=run + "w",
                    )
                    run_wrk(s.port, "/api/v1/items", warm, a, a.warmup)
                    wait_quiet(run + "w")
                ids_file = os.path.join(workdir, "created-ids.txt")
                script = wrk_script(
                    workdir,
                    method="POST",
                    path="/api/v1/items",
                    tokens=raws,
                    body=body_json,
                    run=run + "m",
                    ids_file=ids_file,
                )
                since = timezone.now()
                worker = None
                if a.with_worker:
                    # The background worker runs beside the server, as in production: on this branch
                    # it links the audit events (decision 0018); its CPU is reported apart.
                    worker = subprocess.Popen(  # noqa: S603
                        [os.path.join(BIN, "liaison"), "worker"],
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=open(os.path.join(workdir, "worker.log"), "w"),  # noqa: SIM115
                        text=True,
                    )
                    worker.stdout.readline()  # its first line: started, its jobs registered
                    time.sleep(1)
                wcpu0 = cpu_seconds_of([worker.pid]) if worker else 0.0
                meter = CpuMeter(s)
                meter.start()
                w = run_wrk(s.port, "/api/v1/items", script, a, a.duration)
                row = summarise("POST /api/v1/items", s.name, w, "201")
                row.update(meter.stop(w["requests"]))
                if worker:
                    # How long after the load the chainer has linked every event (None: no chainer).
                    stop, left = time.monotonic(), unlinked_events()
                    while left and time.monotonic() - stop < 30:
                        time.sleep(0.1)
                        left = unlinked_events()
                    row["audit_unlinked_at_end"] = left
                    row["audit_linked_within_s"] = round(time.monotonic() - stop, 2) if left == 0 else None
                    row["worker_cpu_ms_per_request"] = round(
                        (cpu_seconds_of([worker.pid]) - wcpu0) * 1000 / max(1, w["requests"]), 2
                    )
                    worker.send_signal(signal.SIGTERM)
                    worker.wait(timeout=60)
                row.update(s.memory())
                row["authors"] = [f"{u}@{n}" for u, n in authors]
                check(row, failures, s)
                rows.append(row)
                created = create_check(run + "m", row, ids_file, [u for u, _ in authors], since, failures)
            s.stop()
    except BenchFailure as exc:
        failures.append(str(exc))
    except KeyboardInterrupt:
        failures.append("interrupted")
    finally:
        for s in servers:
            s.stop()
        for actor, token in tokens:
            with contextlib.suppress(Exception):
                api_token_revoke(actor, token_id=token.pk)
        shutil.rmtree(workdir, ignore_errors=True)

    report(rows, created, failures, meta, a.out)
    return 1 if failures else 0


def report(rows: list[dict], created: dict | None, failures: list[str], meta: dict, out: str) -> None:
    floor = next((r["rps"] for r in rows if r["server"] == "floor-wsgi"), None)
    ninja_cpu = next((r["cpu_ms"] for r in rows if r["server"] == "floor-ninja"), None)
    print()
    print(
        "| request | server | req/s | of bare floor | p50 ms | p95 ms | p99 ms | CPU ms/request (server + "
        "database) | CPU ÷ ninja floor | statuses | worker RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        share = f"{100 * r['rps'] / floor:.0f} %" if floor else "–"
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(r["statuses"].items()))
        rss = " / ".join(f"{x:.0f}" for x in r["worker_rss_mib"])
        cpu = (
            f"{r['cpu_ms']:.1f} ({r['cpu_server_ms']:.1f} + {r['cpu_database_ms']:.1f})"
            if "cpu_ms" in r
            else "–"
        )
        ratio = f"{r['cpu_ms'] / ninja_cpu:.2f}×" if ninja_cpu and "cpu_ms" in r else "–"
        r["cpu_over_ninja_floor"] = round(r["cpu_ms"] / ninja_cpu, 2) if ninja_cpu and "cpu_ms" in r else None
        print(
            f"| {r['name']} | {r['server']} | {r['rps']:,.0f} | {share} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {cpu} | {ratio} | {statuses} | {rss} |"
        )
    if created:
        print(
            f"\ncreates: {created['responses_201']:,} answered 201, each a distinct item found in the database "
            f"({created['answered_items_in_db']:,}); {created['new_items_in_db']:,} new items in all, "
            f"{created['items_of_unanswered_requests']} of them from the {created['unanswered_at_stop']} "
            "requests in flight when wrk stopped"
        )
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"meta": meta, "results": rows, "create_check": created, "failures": failures}, f, indent=2)
    print(f"\nwritten: {out}")
    if failures:
        print("\nFAILED:", file=sys.stderr)
        for x in failures:
            print(f"- {x}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

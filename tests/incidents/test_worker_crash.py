"""Each escalation happens exactly once, even when the worker is killed in the middle of the job
(issue "Incidents"): real `liaison worker` processes, SIGKILL mid-job, restart.

The worker runs in another process, so it cannot see this test's rolled-back transaction: the test
makes a database of its own (a file under tmp_path on SQLite; a fresh database on the suite's
PostgreSQL server, dropped afterwards), migrates it, seeds the organisation (`liaison.demo.load.run`
without items) and one unacknowledged incident already past its acknowledgement deadline, then
watches the worker through plain SQL.

LIAISON_TEST_JOB_DELAY makes the escalation job sleep inside its transaction (escalation._test_pause),
after taking the incident's row lock and before writing anything: the moment to kill it.
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.incidents.models import Incident, Participant, TimelineEvent

REPO = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds: the bound of every wait
JOB = "liaison.incidents.tasks.escalate_incident"
# Plain SQL on the worker's database; the table names as the models say.
JOBS, INCIDENTS = DBTaskResult._meta.db_table, Incident._meta.db_table
TIMELINE, PARTICIPANTS, AUDIT = (
    TimelineEvent._meta.db_table,
    Participant._meta.db_table,
    AuditEvent._meta.db_table,
)

SEED = """
import datetime as dt
import django
django.setup()
from liaison.core import clock
from liaison.demo import load
from liaison.geo.models import Area
from liaison.incidents.models import Incident, IncidentType, Task
from liaison.incidents.services import incident_open
from liaison.org.actor import Actor

load.run(with_items=False)
inc = incident_open(
    Actor.system(),
    incident_type=IncidentType.objects.get(code="smuggling"),
    title="Buôn lậu qua đường mòn (thử worker bị dừng đột ngột)",
    area=Area.objects.get(code="VN-38-15013"),
)
# Past its acknowledgement deadline; the plan's tasks are due in an hour or more (not in this test).
Incident.objects.filter(pk=inc.pk).update(ack_due_at=clock.now() - dt.timedelta(minutes=1))
assert not Task.objects.filter(incident=inc, due_at__lte=clock.now() + dt.timedelta(minutes=30)).exists()
print("REF=" + inc.ref)
"""


# --- a database of its own -------------------------------------------------------------------------


class SqliteDb:
    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def query(self, sql: str, *params):
        with closing(sqlite3.connect(self.path, timeout=20)) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()

    def drop(self) -> None:
        pass  # under tmp_path


class PostgresDb:
    def __init__(self, server_url: str):
        import psycopg

        self.psycopg = psycopg
        parts = urlsplit(server_url)
        self.name = f"liaison_crash_{secrets.token_hex(4)}"
        self.url = urlunsplit(parts._replace(path="/" + self.name))
        self.admin = dict(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            autocommit=True,
        )
        with closing(psycopg.connect(**self.admin)) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def query(self, sql: str, *params):
        with closing(self.psycopg.connect(**{**self.admin, "dbname": self.name})) as conn:
            return conn.execute(sql, params).fetchall()

    def drop(self) -> None:
        with closing(self.psycopg.connect(**self.admin)) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def crash_db(tmp_path):
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        db = PostgresDb(settings.DATABASE_URL)
    else:
        db = SqliteDb(tmp_path / "crash.sqlite3")
    try:
        yield db
    finally:
        db.drop()


def liaison_env(db, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DATABASE_URL=db.url,
        DJANGO_SETTINGS_MODULE="liaison.settings",
        LIAISON_TESTING="1",
        LIAISON_HTTPS="0",
        LIAISON_DATA_DIR=str(tmp_path),
        LIAISON_CHECKPOINT_DIR=str(tmp_path / "cp"),
        PYTHONPATH=str(REPO / "src"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def liaison(*args: str) -> list[str]:
    return [sys.executable, "-m", "liaison.cli", *args]


class Worker:
    """A `liaison worker` process, its output in a file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self.fh = open(log, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            liaison("worker"), env=env, cwd=REPO, stdout=self.fh, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGKILL) -> int | None:
        if self.alive():
            with suppress(ProcessLookupError):
                self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=WAIT)
        finally:
            self.fh.close()


def wait_for(what: str, check, workers: list[Worker]):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        dead = [w for w in workers if not w.alive()]
        if dead:
            pytest.fail(f"worker exited ({dead[0].proc.returncode}) while waiting for {what}")
        time.sleep(0.2)
    pytest.fail(f"not within {WAIT:.0f} s: {what}")


# --- the test ----------------------------------------------------------------------------------------


def test_a_worker_killed_mid_job_leaves_one_escalation_after_restart(crash_db, tmp_path):
    db = crash_db
    started = time.monotonic()
    env = liaison_env(db, tmp_path)
    for cmd in (liaison("migrate", "--noinput", "-v0"), [sys.executable, "-c", SEED]):
        done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{cmd[1:3]} failed:\n{done.stdout}\n{done.stderr}"
    ref = next(line[4:] for line in done.stdout.splitlines() if line.startswith("REF="))

    def level() -> int:
        return db.query(f"SELECT escalation_level FROM {INCIDENTS} WHERE ref = %s", ref)[0][0]

    def timeline_escalations() -> int:
        return db.query(
            f"SELECT count(*) FROM {TIMELINE} t JOIN {INCIDENTS} i ON i.id = t.incident_id"
            " WHERE i.ref = %s AND t.kind = 'escalated'",
            ref,
        )[0][0]

    def audit_escalations() -> int:
        return db.query(
            f"SELECT count(*) FROM {AUDIT} WHERE verb = %s AND object_ref = %s",
            int(Verb.INCIDENT_ESCALATED),
            ref,
        )[0][0]

    def escalated_participants() -> int:
        return db.query(
            f"SELECT count(*) FROM {PARTICIPANTS} p JOIN {INCIDENTS} i ON i.id = p.incident_id"
            " WHERE i.ref = %s AND p.role = 'escalated'",
            ref,
        )[0][0]

    def jobs() -> list[tuple[str, str]]:
        return db.query(f"SELECT status, worker_ids FROM {JOBS} WHERE task_path = %s", JOB)

    assert (level(), timeline_escalations(), audit_escalations(), jobs()) == (0, 0, 0, [])

    slow = {"LIAISON_SWEEP_SECONDS": "1", "LIAISON_TEST_JOB_DELAY": "30"}
    first = Worker(liaison_env(db, tmp_path, **slow), tmp_path / "worker-1.log")
    second = None
    try:
        # The first worker sweeps, enqueues the escalation and starts it; the job sleeps in its
        # transaction. Killed 1 s into it: the next worker takes it back once the heartbeat is silent.
        wait_for("the job RUNNING", lambda: [s for s, _ in jobs()] == ["RUNNING"], [first])
        time.sleep(1)
        assert [s for s, _ in jobs()] == ["RUNNING"]
        assert first.alive()
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL

        # Nothing of the half-done escalation is left; the job is still marked RUNNING.
        assert level() == 0
        assert timeline_escalations() == 0
        assert audit_escalations() == 0
        assert escalated_participants() == 0
        assert [s for s, _ in jobs()] == ["RUNNING"]

        # A new worker, without the delay, re-queues the job and runs it: one escalation.
        second = Worker(
            liaison_env(db, tmp_path, LIAISON_SWEEP_SECONDS="1", LIAISON_WORKER_DEAD_AFTER_SECONDS="3"),
            tmp_path / "worker-2.log",
        )
        wait_for(
            "the incident at level 1 and no job left to run",
            lambda: level() == 1 and not {s for s, _ in jobs()} & {"READY", "RUNNING"},
            [second],
        )
        time.sleep(3)  # a few more rounds of the new worker: sweeps, reaper, jobs
        assert second.alive()

        assert level() == 1
        assert timeline_escalations() == 1
        assert audit_escalations() == 1
        assert escalated_participants() == 1
        [(status, worker_ids)] = jobs()  # the same job, re-queued: no second one was enqueued
        assert status == "SUCCESSFUL"
        assert len(eval_json(worker_ids)) == 2  # claimed by the killed worker, then by the new one

        assert second.stop(signal.SIGTERM) == 0
        print(f"crash test: {time.monotonic() - started:.1f} s")
    finally:
        for w in (first, second):
            if w is not None:
                w.stop(signal.SIGKILL)
                print(f"--- {w.log.name} ---\n{w.output()}")


def eval_json(value) -> list:
    import json

    return value if isinstance(value, list) else json.loads(value)

"""`liaison worker`: the background loop.

Every round: run the sweeps (they enqueue what is due from the deadline columns, so a worker that
was down catches up), re-queue jobs left RUNNING by a killed worker, run the ready jobs (Django
tasks on the database backend), then the periodic jobs that are due. Jobs are idempotent. Run one
worker on SQLite; several on PostgreSQL.

The kernel knows no context: contexts register their sweeps and periodic jobs here from their
`AppConfig.ready()` (incidents: the escalation sweep; audit: the signed checkpoint, every
`AUDIT_CHECKPOINT_INTERVAL` seconds and at shutdown).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone

from liaison.core.hooks import Hook

log = logging.getLogger("liaison.worker")

sweeps = Hook(
    "worker.sweeps",
    "Every WORKER_SWEEP_SECONDS, before the jobs run: each receiver enqueues what is due and returns "
    "{what: how many it enqueued}.",
)


@dataclass(frozen=True)
class Periodic:
    """A job of the worker itself, run after the ready jobs once `every()` seconds have passed, and
    `at_stop` once more when the worker stops. Each returns a line for the worker's output, or None."""

    name: str
    run: Callable[[], str | None]
    every: Callable[[], float]
    at_stop: Callable[[], str | None] | None = None


_periodic: dict[str, Periodic] = {}


def register_sweep(sweep: Callable[[], dict[str, int]]) -> None:
    sweeps.register(sweep)


def register_periodic(
    name: str,
    run: Callable[[], str | None],
    *,
    every: Callable[[], float],
    at_stop: Callable[[], str | None] | None = None,
) -> None:
    """Register (or replace, by name: `ready()` may run twice) a periodic job of the worker."""
    _periodic[name] = Periodic(name, run, every, at_stop)


def periodic() -> tuple[Periodic, ...]:
    return tuple(_periodic.values())


def reap_stale(worker_id: str, *, startup: bool = False) -> int:
    """Jobs left RUNNING by a worker that died go back to READY. At start-up this worker re-queues
    every job another worker claimed more than a few seconds ago; later, any older than the stale
    limit (a job is short: seconds, not minutes)."""
    from django_tasks_db.models import DBTaskResult

    # One worker on SQLite: at start-up every RUNNING job is a dead worker's. With several workers
    # (PostgreSQL) only jobs older than the stale limit are (a job takes seconds, not minutes).
    single = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    limit = dt.timedelta(
        seconds=0 if (startup and single) else 5 if startup else settings.WORKER_STALE_SECONDS
    )
    cutoff = timezone.now() - limit
    n = 0
    with transaction.atomic():
        for job in DBTaskResult.objects.select_for_update().filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ):
            if job.worker_ids and job.worker_ids[-1] == worker_id:
                continue
            job.status = TaskResultStatus.READY
            job.started_at = None
            job.save(update_fields=["status", "started_at"])
            n += 1
    if n:
        log.warning("re-queued %d job(s) left running by a stopped worker", n)
    return n


def run_ready_jobs(worker_id: str, max_jobs: int = 100) -> int:
    from django_tasks_db.management.commands.db_worker import Worker

    w = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_jobs,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    before = w._run_tasks
    w.run()
    return w._run_tasks - before


class Loop:
    def __init__(self, *, once: bool = False, out=None):
        self.once = once
        self.out = out
        self.stopping = False
        # Host, pid and a random part: a restarted container often reuses both host name and pid.
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"

    def say(self, msg: str) -> None:
        if self.out:
            self.out.write(msg)

    def stop(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        jobs = periodic()
        self.say(
            f"liaison worker {self.worker_id}: sweeps every {settings.WORKER_SWEEP_SECONDS}s"
            + "".join(f", {job.name} every {job.every()}s" for job in jobs)
        )
        reap_stale(self.worker_id, startup=True)
        next_sweep = 0.0
        next_run = {job.name: 0.0 for job in jobs}
        while True:
            close_old_connections()
            now = time.monotonic()
            if now >= next_sweep:
                for counts in sweeps():
                    if any(counts.values()):
                        self.say(f"sweep: {counts}")
                reap_stale(self.worker_id)
                next_sweep = now + settings.WORKER_SWEEP_SECONDS
            ran = run_ready_jobs(self.worker_id)
            if ran:
                self.say(f"ran {ran} job(s)")
            for job in jobs:
                if now >= next_run[job.name]:
                    line = job.run()
                    if line:
                        self.say(line)
                    next_run[job.name] = now + job.every()
            if self.once or self.stopping:
                break
            time.sleep(0.5)
        for job in jobs:
            line = job.at_stop() if job.at_stop else None
            if line:
                self.say(line)

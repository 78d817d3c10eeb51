"""`liaison worker`: the background loop.

Every round: run the sweeps (they enqueue what is due from the deadline columns, so a worker that
was down catches up), re-queue jobs left RUNNING by a killed worker, run the ready jobs (Django
tasks on the database backend), then the periodic jobs that are due. Jobs are idempotent. Run one
worker on SQLite; several on PostgreSQL.

A worker beats (a row in `WorkerHeartbeat`, from its own thread); the jobs of one that stopped
beating are re-queued within `WORKER_DEAD_AFTER_SECONDS`, not after a fixed age.

The kernel knows no context: contexts register their sweeps and periodic jobs here from their
`AppConfig.ready()` (incidents: the escalation sweep; audit: the signed checkpoint, every
`AUDIT_CHECKPOINT_INTERVAL` seconds and at shutdown, and the chainer, a job on a thread of its own).

A job on a thread of its own (`register_thread`) runs every `every()` seconds whatever the loop is
doing (a long job, a slow sweep), and once more when the worker stops, before the periodic jobs'
last acts (so the final checkpoint signs what the chainer linked last).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import signal
import socket
import threading
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


_threaded: dict[str, Periodic] = {}


def register_thread(name: str, run: Callable[[], str | None], *, every: Callable[[], float]) -> None:
    """Register (or replace, by name) a job the worker runs on a thread of its own, every `every()`
    seconds, and once more when it stops."""
    _threaded[name] = Periodic(name, run, every)


def threaded() -> tuple[Periodic, ...]:
    return tuple(_threaded.values())


class JobThread(threading.Thread):
    """Runs one threaded job until told to stop, then once more; its own database connection."""

    def __init__(self, job: Periodic, say: Callable[[str], None]) -> None:
        super().__init__(name=f"liaison-{job.name}", daemon=True)
        self.job = job
        self.say = say
        self.halt = threading.Event()

    def _once(self) -> None:
        try:
            line = self.job.run()
        except Exception:  # a busy database: the next round tries again
            log.exception("%s failed", self.job.name)
            return
        if line:
            self.say(line)

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.halt.is_set():
                self._once()
                self.halt.wait(self.job.every())
            self._once()
        finally:
            connection.close()

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)


def beat(worker_id: str, started_at: dt.datetime) -> None:
    """This worker is alive (its heartbeat row, written by `Heartbeat`'s thread)."""
    from liaison.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"beat_at": timezone.now(), "started_at": started_at}
    )


def live_workers() -> set[str]:
    from liaison.core.models import WorkerHeartbeat

    fresh = timezone.now() - dt.timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    return set(WorkerHeartbeat.objects.filter(beat_at__gte=fresh).values_list("worker_id", flat=True))


def reap_stale(worker_id: str) -> int:
    """Jobs left RUNNING by a dead worker go back to READY, as soon as it is known dead: its
    heartbeat is older than `WORKER_DEAD_AFTER_SECONDS`, or it has none (it stopped, or it ran a
    version without heartbeats). A live worker's job is never taken, however long it runs."""
    from django_tasks_db.models import DBTaskResult

    from liaison.core.models import WorkerHeartbeat

    alive = live_workers() | {worker_id}
    n = 0
    with transaction.atomic():
        for job in DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING):
            owner = job.worker_ids[-1] if job.worker_ids else None
            if owner in alive:
                continue
            job.status = TaskResultStatus.READY
            job.started_at = None
            job.save(update_fields=["status", "started_at"])
            n += 1
        # The dead are forgotten (a row a day old says nothing a missing row does not).
        stale = timezone.now() - dt.timedelta(days=1)
        WorkerHeartbeat.objects.filter(beat_at__lt=stale).delete()
    if n:
        log.warning("re-queued %d job(s) left running by a stopped worker", n)
    return n


class Heartbeat(threading.Thread):
    """Beats for the worker from a thread of its own, so that a long job does not make a live worker
    look dead; it dies with the process (kill -9 included), which is the point."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="liaison-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.halt = threading.Event()

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.halt.is_set():
                try:
                    beat(self.worker_id, self.started_at)
                except Exception:  # a busy database: the next beat tries again
                    log.exception("heartbeat not written")
                self.halt.wait(settings.WORKER_HEARTBEAT_SECONDS)
        finally:
            connection.close()

    def stop(self) -> None:
        from liaison.core.models import WorkerHeartbeat

        self.halt.set()
        self.join(timeout=5)
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


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
            + "".join(f", {job.name} every {job.every()}s" for job in (*jobs, *threaded()))
        )
        heartbeat = Heartbeat(self.worker_id)
        beat(self.worker_id, heartbeat.started_at)  # alive before the first job is claimed
        heartbeat.start()
        reap_stale(self.worker_id)
        threads = [JobThread(job, self.say) for job in threaded()]
        for t in threads:
            t.start()
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
        for t in threads:
            t.stop()
        for job in jobs:
            line = job.at_stop() if job.at_stop else None
            if line:
                self.say(line)
        heartbeat.stop()

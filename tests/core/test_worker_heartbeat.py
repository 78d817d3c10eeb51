"""A job left RUNNING goes back to the queue as soon as its worker is known dead (its heartbeat is
silent for WORKER_DEAD_AFTER_SECONDS, or it has none), and never while its worker beats, however
long the job has run (issue 12, item 5: no fixed 2-minute wait)."""

from __future__ import annotations

import datetime as dt

from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from liaison.core.models import WorkerHeartbeat
from liaison.core.worker import beat, reap_stale


def _running(owner: str, started_seconds_ago: float) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="liaison.tests.job",
        worker_ids=[owner],
        backend_name="default",
        run_after=now,
        started_at=now - dt.timedelta(seconds=started_seconds_ago),
        exception_class_path="",
        traceback="",
    )


def _status(job: DBTaskResult) -> str:
    job.refresh_from_db()
    return job.status


def test_a_dead_workers_job_is_requeued_within_seconds_and_a_live_workers_long_job_is_not(db, settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 10
    now = timezone.now()
    beat("w-alive", now - dt.timedelta(hours=1))  # beating now, its job started 30 minutes ago
    WorkerHeartbeat.objects.create(  # last beat 11 s ago: dead
        worker_id="w-dead", started_at=now - dt.timedelta(minutes=1), beat_at=now - dt.timedelta(seconds=11)
    )
    long_job = _running("w-alive", 30 * 60)
    fresh_dead = _running("w-dead", 2)  # killed 2 s into its job
    no_heartbeat = _running("w-gone", 1)  # a worker that stopped (its row deleted)

    assert reap_stale("w-reaper") == 2

    assert _status(long_job) == TaskResultStatus.RUNNING
    assert _status(fresh_dead) == TaskResultStatus.READY
    assert _status(no_heartbeat) == TaskResultStatus.READY


def test_a_worker_does_not_take_its_own_job(db):
    job = _running("w-self", 600)
    assert reap_stale("w-self") == 0
    assert _status(job) == TaskResultStatus.RUNNING

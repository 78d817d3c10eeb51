"""Background jobs (Django tasks on the database backend) and the worker's sweep that enqueues them.
Each job is idempotent: a job re-run after a killed worker changes nothing twice."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from liaison.incidents.services import escalation
from liaison.org.actor import Actor


@task()
def escalate_incident(incident_id: str, level: int) -> bool:
    return escalation.incident_escalate(Actor.system(), incident_id=incident_id, level=level)


@task()
def escalate_task(task_id: str) -> bool:
    return escalation.task_escalate(Actor.system(), task_id=task_id)


def sweep_due(now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's sweep (registered in `apps.py`): one job per escalation that is due."""
    return escalation.sweep_due(
        now, escalate_incident=escalate_incident.enqueue, escalate_task=escalate_task.enqueue
    )

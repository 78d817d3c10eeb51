"""Background jobs (Django tasks on the database backend). Each is idempotent: a job re-run after a
killed worker changes nothing twice."""

from __future__ import annotations

from django.tasks import task

from liaison.incidents.services import escalation
from liaison.org.actor import Actor


@task()
def escalate_incident(incident_id: str, level: int) -> bool:
    return escalation.incident_escalate(Actor.system(), incident_id=incident_id, level=level)


@task()
def escalate_task(task_id: str) -> bool:
    return escalation.task_escalate(Actor.system(), task_id=task_id)

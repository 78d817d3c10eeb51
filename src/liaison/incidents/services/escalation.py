"""Escalation: an incident not acknowledged in its severity's time, or a task past its deadline,
escalates to the parent unit, and shows on the timeline.

Deadlines live in columns. The sweeper (`tasks.sweep_due`, run by `liaison worker` every few
seconds) finds what is due and enqueues one job per escalation, marking it enqueued in the same
transaction; a worker that was down catches up on its next sweep. The jobs are handed in by the
caller, so that services do not import the jobs that call them. Each job is idempotent: it re-checks, under a row lock, that the
escalation is still due at the expected level, so a job re-run after a killed worker does nothing
twice.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable

from django.db.models import Q

from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.transactions import durable
from liaison.incidents import events as timeline
from liaison.incidents.models import FINAL_STATUSES, Incident, Participant, Status, Task
from liaison.incidents.services.lifecycle import ack_minutes
from liaison.org.actor import Actor

ENQUEUE_RETRY = dt.timedelta(minutes=5)  # a lost job is enqueued again after this


def sweep_due(
    now: dt.datetime | None = None,
    *,
    escalate_incident: Callable[[str, int], object],
    escalate_task: Callable[[str], object],
) -> dict[str, int]:
    """Enqueue the escalations that are due: `escalate_incident(incident_id, level)` and
    `escalate_task(task_id)` enqueue one job each. Returns how many of each were enqueued."""
    now = now or clock.now()
    counts = {"incidents": 0, "tasks": 0}
    stale = now - ENQUEUE_RETRY
    with durable():
        due = (
            Incident.objects.select_for_update(skip_locked=True)
            .filter(acknowledged_at__isnull=True, ack_due_at__lte=now, status=Status.REPORTED)
            .filter(Q(escalation_enqueued_at__isnull=True) | Q(escalation_enqueued_at__lt=stale))[:200]
        )
        for inc in due:
            escalate_incident(str(inc.pk), inc.escalation_level + 1)
            Incident.objects.filter(pk=inc.pk).update(escalation_enqueued_at=now)
            counts["incidents"] += 1
        overdue = (
            Task.objects.select_for_update(skip_locked=True)
            .filter(
                state__in=[Task.State.OPEN, Task.State.IN_PROGRESS],
                due_at__lte=now,
                escalated_at__isnull=True,
            )
            .filter(Q(escalation_enqueued_at__isnull=True) | Q(escalation_enqueued_at__lt=stale))[:500]
        )
        for t in overdue:
            escalate_task(str(t.pk))
            Task.objects.filter(pk=t.pk).update(escalation_enqueued_at=now)
            counts["tasks"] += 1
    return counts


def _test_pause() -> None:
    # Lets the crash test kill a worker in the middle of a job (never set in production).
    delay = float(os.environ.get("LIAISON_TEST_JOB_DELAY", "0") or 0)
    if delay:
        time.sleep(delay)


def incident_escalate(actor: Actor, *, incident_id: str, level: int) -> bool:
    """Escalate one level up, exactly once: returns False when it is no longer due at that level."""
    with durable():
        inc = Incident.objects.select_for_update().filter(pk=incident_id).select_related("lead_unit").first()
        if inc is None or inc.acknowledged_at is not None or inc.status in FINAL_STATUSES:
            return False
        if inc.escalation_level != level - 1 or (inc.ack_due_at and inc.ack_due_at > clock.now()):
            return False
        chain = [inc.lead_unit]
        while chain[-1].parent_id and len(chain) <= level:
            chain.append(chain[-1].parent)
        if len(chain) <= level:
            # The top of the tree was reached at an earlier level: nobody is above to escalate to.
            inc.ack_due_at = None
            inc.escalation_enqueued_at = None
            inc.save(update_fields=["ack_due_at", "escalation_enqueued_at", "updated_at"])
            return False
        target = chain[level]
        _test_pause()
        p, _ = Participant.objects.get_or_create(
            incident=inc, unit=target, role=Participant.Role.ESCALATED, defaults={"added_at": clock.now()}
        )
        inc.escalation_level = level
        inc.escalation_enqueued_at = None
        inc.ack_due_at = clock.now() + dt.timedelta(minutes=ack_minutes(inc.severity))
        inc.save(update_fields=["escalation_level", "escalation_enqueued_at", "ack_due_at", "updated_at"])
        timeline.escalated(inc, to_unit=target, level=level, why="not acknowledged in time")
        events.emit("incident.escalated", inc, units=[target, inc.lead_unit], data={"level": level})
        audit.record(actor, Verb.INCIDENT_ESCALATED, inc, changes={"level": level, "to": str(target.pk)})
    return True


def task_escalate(actor: Actor, *, task_id: str) -> bool:
    with durable():
        t = Task.objects.select_for_update().filter(pk=task_id).select_related("unit", "incident").first()
        if (
            t is None
            or t.escalated_at is not None
            or t.state not in (Task.State.OPEN, Task.State.IN_PROGRESS)
        ):
            return False
        if t.due_at > clock.now():
            return False
        target = t.unit.parent or t.unit
        _test_pause()
        Participant.objects.get_or_create(
            incident=t.incident,
            unit=target,
            role=Participant.Role.ESCALATED,
            defaults={"added_at": clock.now()},
        )
        t.escalated_at = clock.now()
        t.save(update_fields=["escalated_at", "updated_at"])
        timeline.task_escalated(t.incident, task=t, to_unit=target)
        events.emit("task.escalated", t, units=[target, t.unit], data={"incident": t.incident.ref})
        audit.record(actor, Verb.TASK_ESCALATED, t, object_ref=t.incident.ref, changes={"to": str(target.pk)})
    return True

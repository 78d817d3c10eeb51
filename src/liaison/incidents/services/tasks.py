"""Tasks of an incident: from the plan (at opening) or added by hand; worked by their unit."""

from __future__ import annotations

import datetime as dt

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.errors import Conflict, FieldError, Invalid
from liaison.core.transactions import durable
from liaison.incidents import events as timeline
from liaison.incidents.models import FINAL_STATUSES, Incident, Task
from liaison.org.actor import Actor
from liaison.org.models import Membership, Unit

TASK_MOVES = {
    Task.State.OPEN: {Task.State.IN_PROGRESS, Task.State.DONE, Task.State.CANCELLED},
    Task.State.IN_PROGRESS: {Task.State.DONE, Task.State.CANCELLED, Task.State.OPEN},
    Task.State.DONE: set(),
    Task.State.CANCELLED: set(),
}


def task_add(
    actor: Actor, *, incident: Incident, title: str, unit: Unit, due_at: dt.datetime, assignee=None
) -> Task:
    errs = []
    if not (title or "").strip():
        errs.append(FieldError("title", "required", "What is to be done?"))
    elif len(title) > 200:
        errs.append(FieldError("title", "too_long", "At most 200 characters."))
    if not isinstance(due_at, dt.datetime) or due_at <= clock.now():
        errs.append(FieldError("due_at", "in_past", "The deadline must be in the future."))
    if unit.country != incident.lead_unit.country or not unit.is_active:
        errs.append(FieldError("unit", "partner_unit", "Only an active unit of this node."))
    if (
        assignee is not None
        and not Membership.objects.filter(user=assignee, unit=unit, status="active").exists()
    ):
        errs.append(FieldError("assignee", "not_member", "The assignee must be a member of the unit."))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "incident.manage", incident)
    if incident.status in FINAL_STATUSES:
        raise Conflict("incident_final", "The incident is over.")
    with durable():
        task = Task.objects.create(
            incident=incident, title=title.strip(), unit=unit, assignee=assignee, due_at=due_at
        )
        timeline.task_added(incident, actor, task=task)
        events.emit("task.assigned", task, units=[unit], data={"incident": incident.ref})
        audit.record(
            actor,
            Verb.TASK_ADDED,
            task,
            object_ref=incident.ref,
            changes={"title": title, "unit": str(unit.pk), "due_at": due_at.isoformat()},
        )
    return task


def task_update(actor: Actor, *, task: Task, state: str, result: str = "") -> Task:
    if state not in Task.State.values:
        raise Invalid(field="state", code="invalid_choice", message="open, in_progress, done or cancelled.")
    if len(result) > 4000:
        raise Invalid(field="result", code="too_long", message="At most 4,000 characters.")
    policy.require(actor, "task.update", task)
    with durable():
        t = Task.objects.select_for_update().get(pk=task.pk)
        if state != t.state and state not in TASK_MOVES[t.state]:
            raise Conflict("invalid_transition", f"A task that is {t.state} cannot become {state}.")
        old = t.state
        t.state = state
        if result:
            t.result = result
        if state == Task.State.DONE:
            t.completed_at = clock.now()
        t.save()
        timeline.task_changed(t.incident, actor, task=t, old=old, new=state)
        audit.record(
            actor, Verb.TASK_UPDATED, t, object_ref=t.incident.ref, changes={"state": state, "result": result}
        )
    return t

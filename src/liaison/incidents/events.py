"""Typed timeline events: one function per kind. The timeline is not the audit log: it is the
readable story of the incident, under the incident's policy."""

from __future__ import annotations

from liaison.core import clock
from liaison.incidents.models import Incident, TimelineEvent


def _add(incident: Incident, kind: str, actor=None, **data) -> TimelineEvent:
    user = getattr(actor, "user", None)
    unit = getattr(actor, "unit", None)
    clean = {
        k: (str(v) if v is not None and not isinstance(v, int | float | bool | list | dict) else v)
        for k, v in data.items()
    }
    return TimelineEvent.objects.create(
        incident=incident, at=clock.now(), kind=kind, actor=user, unit=unit, data=clean
    )


def opened(incident, actor, *, lead_unit, plan, tasks: int):
    return _add(
        incident, "opened", actor, lead_unit=lead_unit.name, plan=str(plan) if plan else None, tasks=tasks
    )


def handling_raised(incident, *, old: str, new: str, because: str):
    """The incident followed a linked item whose handling level was raised (`because`: its ref)."""
    return _add(incident, "handling", None, old=old, new=new, because=because)


def status_changed(incident, actor, *, old: str, new: str, reason: str = ""):
    return _add(incident, "status", actor, old=old, new=new, reason=reason)


def lead_handed_over(incident, actor, *, old_unit, new_unit, reason: str):
    return _add(incident, "handover", actor, old=old_unit.name, new=new_unit.name, reason=reason)


def notified(incident, actor, *, units: list):
    return _add(incident, "notified", actor, units=[u.name for u in units])


def escalated(incident, *, to_unit, level: int, why: str):
    return _add(incident, "escalated", None, to=to_unit.name, level=level, why=why)


def task_added(incident, actor, *, task):
    return _add(
        incident, "task_added", actor, task=task.title, unit=task.unit.name, due=task.due_at.isoformat()
    )


def task_changed(incident, actor, *, task, old: str, new: str):
    return _add(incident, "task", actor, task=task.title, old=old, new=new)


def task_escalated(incident, *, task, to_unit):
    return _add(incident, "task_escalated", None, task=task.title, to=to_unit.name)


def outcome_recorded(incident, actor):
    return _add(incident, "outcome", actor)


def person_added(incident, actor, *, role: str, label: str):
    return _add(incident, "person", actor, role=role, label=label)


def unit_named(incident, actor, *, unit):
    return _add(incident, "named", actor, unit=unit.name)


def item_linked(incident, actor, *, item):
    return _add(incident, "item_linked", actor, item=item.ref)

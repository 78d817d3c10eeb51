"""Typed timeline events: one function per kind. The timeline is not the audit log: it is the
readable story of the incident, under the incident's policy."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.core import clock
from liaison.core.text import in_language
from liaison.incidents.models import Incident, PersonRole, Status, Task, TimelineEvent
from liaison.intel.models import Tlp


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


def _task(task) -> dict:
    """A task's name as written and, for a plan step's task, the step's translations, so that the
    entry reads in the reader's language."""
    step = task.step if task.step_id else None
    names = {"task": task.title}
    if step is not None:
        names.update(task_en=step.title_en, task_lo=step.title_lo)
    return names


def task_added(incident, actor, *, task):
    return _add(
        incident, "task_added", actor, **_task(task), unit=task.unit.name, due=task.due_at.isoformat()
    )


def task_changed(incident, actor, *, task, old: str, new: str):
    return _add(incident, "task", actor, **_task(task), old=old, new=new)


def task_escalated(incident, *, task, to_unit):
    return _add(incident, "task_escalated", None, **_task(task), to=to_unit.name)


def outcome_recorded(incident, actor):
    return _add(incident, "outcome", actor)


def person_added(incident, actor, *, role: str, label: str):
    return _add(incident, "person", actor, role=role, label=label)


def unit_named(incident, actor, *, unit):
    return _add(incident, "named", actor, unit=unit.name)


def item_linked(incident, actor, *, item):
    return _add(incident, "item_linked", actor, item=item.ref)


# One sentence per kind, in the reader's language (tests/pages/test_sentences.py fails on a kind
# written above without its sentence here).
SENTENCES = {
    "opened": _("Opened: %(lead_unit)s leads; %(tasks)s tasks from the response plan."),
    "handling": _("Handling level raised from %(old)s to %(new)s, following information item %(because)s."),
    "status": _("Status changed from %(old)s to %(new)s."),
    "handover": _("Lead handed over from %(old)s to %(new)s."),
    "notified": _("Units notified: %(units)s."),
    "escalated": _("Not acknowledged in time: escalated to %(to)s (level %(level)s)."),
    "task_added": _("Task “%(task)s” assigned to %(unit)s, due %(due)s."),
    "task": _("Task “%(task)s”: %(old)s → %(new)s."),
    "task_escalated": _("Task “%(task)s” overdue: escalated to %(to)s."),
    "outcome": _("Outcome recorded."),
    "person": _("Person added: %(label)s (%(role)s)."),
    "named": _("%(unit)s may now see protected persons."),
    "item_linked": _("Information item %(item)s linked."),
}


def _when(value) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return str(value or "")


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code or "")


def describe(kind: str, data: dict) -> str:
    """The timeline entry as a sentence in the reader's language; its codes as their labels."""
    data = dict(data or {})
    if kind == "status":
        data["old"], data["new"] = _label(Status, data.get("old")), _label(Status, data.get("new"))
    elif kind == "task":
        data["old"], data["new"] = _label(Task.State, data.get("old")), _label(Task.State, data.get("new"))
    elif kind == "handling":
        data["old"], data["new"] = _label(Tlp, data.get("old")), _label(Tlp, data.get("new"))
    elif kind == "person":
        data["role"] = _label(PersonRole, data.get("role"))
    elif kind == "task_added":
        data["due"] = _when(data.get("due"))
    elif kind == "notified":
        data["units"] = ", ".join(data.get("units") or [])
    if "task" in data:
        data["task"] = in_language(data["task"] or "", data.get("task_en") or "", data.get("task_lo") or "")
    sentence = SENTENCES.get(kind)
    if sentence is None:
        return str(kind)
    return str(sentence) % _Values({k: ("—" if v is None else v) for k, v in data.items()})


class _Values(dict):
    """An entry written before a value was recorded reads "—" in its place, not a broken sentence."""

    def __missing__(self, key):
        return "—"

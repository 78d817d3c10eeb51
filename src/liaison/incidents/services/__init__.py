"""Every write to incidents. `incident_*`, `task_*`, `plan_*`, `outcome_*`, `person_*`."""

from liaison.incidents.services.escalation import incident_escalate, sweep_due, task_escalate
from liaison.incidents.services.lifecycle import (
    incident_handover,
    incident_link_item,
    incident_name_unit,
    incident_open,
    incident_transition,
)
from liaison.incidents.services.outcome import outcome_record, person_add
from liaison.incidents.services.plans import lead_rule_set, plan_approve, plan_draft
from liaison.incidents.services.tasks import task_add, task_update

__all__ = [
    "incident_escalate",
    "incident_handover",
    "incident_link_item",
    "incident_name_unit",
    "incident_open",
    "incident_transition",
    "lead_rule_set",
    "outcome_record",
    "person_add",
    "plan_approve",
    "plan_draft",
    "sweep_due",
    "task_add",
    "task_escalate",
    "task_update",
]

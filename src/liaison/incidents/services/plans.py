"""Response plans (versioned; drafted by an analyst or administrator, approved by a commander) and
the lead-force rules table (administrators)."""

from __future__ import annotations

from django.db.models import Max

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import FieldError, Invalid
from liaison.core.transactions import durable
from liaison.incidents.models import AreaKind, IncidentType, LeadRule, PlanStep, ResponsePlan, Severity
from liaison.org.actor import Actor
from liaison.org.models import Force

TARGETS = {"lead", "supporting", *[f for f in Force.values if f != Force.FOREIGN_PARTNER]}


def _validate_steps(steps: list[dict]) -> list[FieldError]:
    errs = []
    if not steps:
        errs.append(FieldError("steps", "required", "A plan needs at least one step."))
    for i, s in enumerate(steps):
        if not (s.get("title") or "").strip() or len(s.get("title", "")) > 200:
            errs.append(FieldError(f"steps.{i}.title", "invalid", "1–200 characters."))
        if s.get("responsible") not in TARGETS:
            errs.append(
                FieldError(f"steps.{i}.responsible", "invalid_choice", "lead, supporting or a force.")
            )
        m = s.get("deadline_minutes")
        if not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= 60 * 24 * 90:
            errs.append(FieldError(f"steps.{i}.deadline_minutes", "out_of_range", "1 minute to 90 days."))
        for t in s.get("notify", []):
            if t not in TARGETS:
                errs.append(FieldError(f"steps.{i}.notify", "invalid_choice", f"Unknown target {t}."))
    return errs


def plan_draft(
    actor: Actor,
    *,
    incident_type: IncidentType,
    title: str,
    steps: list[dict],
    title_en: str = "",
    title_lo: str = "",
) -> ResponsePlan:
    """A new version of the type's plan, as a draft. Incidents keep the version they opened under.
    Titles are written in Vietnamese; `title_en`/`title_lo` (plan and steps) are their translations,
    shown to readers of those languages (blank: the reader sees the Vietnamese)."""
    policy.require(actor, "plan.draft")
    errs = _validate_steps(steps)
    if not (title or "").strip() or len(title) > 200:
        errs.append(FieldError("title", "invalid", "1–200 characters."))
    for name, value in (("title_en", title_en), ("title_lo", title_lo)):
        if len(value or "") > 200:
            errs.append(FieldError(name, "invalid", "At most 200 characters."))
    if errs:
        raise Invalid(errs)
    with durable():
        last = (
            ResponsePlan.objects.select_for_update()
            .filter(incident_type=incident_type)
            .aggregate(v=Max("version"))["v"]
            or 0
        )
        plan = ResponsePlan.objects.create(
            incident_type=incident_type,
            version=last + 1,
            title=title.strip(),
            title_en=(title_en or "").strip(),
            title_lo=(title_lo or "").strip(),
            drafted_by=actor.user,
        )
        PlanStep.objects.bulk_create(
            [
                PlanStep(
                    plan=plan,
                    position=i + 1,
                    title=s["title"].strip(),
                    title_en=(s.get("title_en") or "").strip(),
                    title_lo=(s.get("title_lo") or "").strip(),
                    responsible=s["responsible"],
                    deadline_minutes=s["deadline_minutes"],
                    notify=list(s.get("notify", [])),
                )
                for i, s in enumerate(steps)
            ]
        )
        audit.record(
            actor,
            Verb.PLAN_DRAFTED,
            plan,
            changes={"type": incident_type.code, "version": plan.version, "steps": len(steps)},
        )
    return plan


def plan_approve(actor: Actor, *, plan: ResponsePlan) -> ResponsePlan:
    policy.require(actor, "plan.approve", plan)
    if plan.state != ResponsePlan.State.DRAFT:
        raise Invalid(field="plan", code="not_draft", message="Only a draft can be approved.")
    with durable():
        ResponsePlan.objects.filter(
            incident_type=plan.incident_type, state=ResponsePlan.State.APPROVED
        ).update(state=ResponsePlan.State.SUPERSEDED)
        plan.state, plan.approved_by, plan.approved_at = ResponsePlan.State.APPROVED, actor.user, clock.now()
        plan.save()
        audit.record(actor, Verb.PLAN_APPROVED, plan, changes={"version": plan.version})
    return plan


def lead_rule_set(
    actor: Actor,
    *,
    incident_type: IncidentType | None,
    area_kind: str,
    severity: str,
    lead_force: str,
    supporting_forces: list[str],
) -> LeadRule:
    policy.require(actor, "leadrule.manage")
    errs = []
    if area_kind and area_kind not in AreaKind.values:
        errs.append(FieldError("area_kind", "invalid_choice", "border, gate or inland (or blank for any)."))
    if severity and severity not in Severity.values:
        errs.append(FieldError("severity", "invalid_choice", "A severity (or blank for any)."))
    if lead_force not in Force.values or lead_force == Force.FOREIGN_PARTNER:
        errs.append(FieldError("lead_force", "invalid_choice", "A force of this node."))
    for f in supporting_forces:
        if f not in Force.values or f in (Force.FOREIGN_PARTNER, lead_force):
            errs.append(FieldError("supporting_forces", "invalid_choice", f"Not a supporting force: {f}."))
    if errs:
        raise Invalid(errs)
    with durable():
        rule, _ = LeadRule.objects.update_or_create(
            incident_type=incident_type,
            area_kind=area_kind,
            severity=severity,
            defaults={"lead_force": lead_force, "supporting_forces": list(supporting_forces)},
        )
        audit.record(
            actor,
            Verb.LEAD_RULE_SET,
            rule,
            changes={"lead_force": lead_force, "supporting": list(supporting_forces)},
        )
    return rule

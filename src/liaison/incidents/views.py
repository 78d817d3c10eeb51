"""Pages for incidents: the board, detail with timeline and actions, opening, my tasks, plans and
the lead-force rules. The same services and selectors as the API."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.core import search
from liaison.core.errors import DomainError, Invalid, NotFound
from liaison.core.forms import parse_query, show_errors
from liaison.incidents import events as timeline_events
from liaison.incidents import forms as f
from liaison.incidents import selectors, services
from liaison.incidents.models import FINAL_STATUSES, Incident, Severity, Status, Task
from liaison.incidents.schemas import BoardFilter, TaskFilter, plan_errors_on_lines, plan_steps_from_text
from liaison.intel.models import Item
from liaison.web.decorators import signed_in

BOARD_ORDER = [Status.REPORTED, Status.ACKNOWLEDGED, Status.RESPONDING, Status.CONTAINED, Status.RESOLVED]


@signed_in
def board(request):
    rows, errors = _filtered(request, BoardFilter, selectors.incident_board)
    # A search with nothing searchable lists nothing and says why (not an error).
    message = next((e.message for e in errors if e.code == "nothing_searchable"), None)
    errors = [e for e in errors if e.code != "nothing_searchable"]
    q = request.GET.get("q", "")
    try:
        query = search.parse(q) if q and not errors and message is None else None
    except Invalid:
        query = None
    columns = [(s, Status(s).label, [r for r in rows if r["status"] == s]) for s in BOARD_ORDER]
    final = [r for r in rows if r["status"] in FINAL_STATUSES]
    return render(
        request,
        "incidents/board.html",
        {
            "columns": columns,
            "final": final,
            "include_final": request.GET.get("include_final") in ("1", "true", "on"),
            "errors": errors,
            "q": q,
            "query": query,
            "search_message": message,
            "severities": Severity.choices,
            "counts": selectors.open_counts(request.actor),
            "may_open": policy.can(request.actor, "incident.open"),
        },
        status=400 if errors else 200,
    )


def _filtered(request, schema, selector):
    """A list read through its filter schema (the API's); a bad query string lists nothing and names
    its fields."""
    try:
        return selector(request.actor, parse_query(schema, request.GET)), []
    except Invalid as exc:
        return [], exc.errors


@signed_in
def incident_new(request):
    policy.require(request.actor, "incident.open")
    form = f.IncidentForm(request.POST or None, initial={"item_ref": request.GET.get("item", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            items = []
            if d["item_ref"]:
                item = policy.visible(request.actor, Item).filter(ref=d["item_ref"].strip().upper()).first()
                if item is None:
                    raise Invalid(field="item_ref", code="unknown", message=_("No such item."))
                items.append(item)
            inc = services.incident_open(
                request.actor,
                incident_type=d["incident_type"],
                title=d["title"],
                description=d["description"],
                severity=d["severity"] or None,
                area=d["area"],
                place=d["place"],
                tlp=d["tlp"],
                is_drill=d["is_drill"],
                items=items,
            )
            messages.success(request, _("Incident %(ref)s opened.") % {"ref": inc.ref})
            return redirect("incidents:detail", incident_id=inc.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            show_errors(form, exc)
    return render(
        request, "incidents/new.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


ACTIONS = {
    "transition": f.TransitionForm,
    "handover": f.HandoverForm,
    "task": f.TaskForm,
    "task_update": f.TaskUpdateForm,
    "outcome": f.OutcomeForm,
    "person": f.PersonForm,
    "name_unit": f.NameUnitForm,
}


def _context(request, inc: Incident, bound: dict | None = None) -> dict:
    actor = request.actor
    offered = policy.choices(actor, "incident.transition", inc)
    forms = {k: cls(prefix=k) for k, cls in ACTIONS.items()}
    forms["transition"] = f.TransitionForm(prefix="transition", offered=offered)
    forms.update(bound or {})
    tasks = list(selectors.incident_tasks(actor, incident=inc))
    for t in tasks:
        t.may_update = t.state in (Task.State.OPEN, Task.State.IN_PROGRESS) and policy.can(
            actor, "task.update", t
        )
        t.form = f.TaskUpdateForm(prefix="task_update", initial={"task_id": t.pk, "state": t.state})
    try:
        outcome = inc.outcome
    except Incident.outcome.RelatedObjectDoesNotExist:
        outcome = None
    final = inc.status in FINAL_STATUSES
    if "outcome" not in (bound or {}) and outcome is not None:
        forms["outcome"] = f.OutcomeForm(
            prefix="outcome", initial={k: getattr(outcome, k) for k in f.OutcomeForm.base_fields}
        )
    rows = (bound or {}).get("seizure_rows") or f.SeizureRows(
        prefix="seizure", initial=f.seizure_rows_initial(outcome.seizures.all()) if outcome else None
    )
    return {
        "seizure_rows": rows,
        "inc": inc,
        "forms": forms,
        "tasks": tasks,
        "timeline": [
            setattr(e, "sentence", timeline_events.describe(e.kind, e.data)) or e
            for e in selectors.incident_timeline(actor, incident=inc)
        ],
        "participants": selectors.incident_participants(actor, incident=inc),
        "people": selectors.incident_people(actor, incident=inc),
        "outcome": outcome,
        "items": policy.visible(actor, Item).filter(incidents=inc),
        "may": {
            "manage": not final and policy.can(actor, "incident.manage", inc),
            "handover": not final and policy.can(actor, "incident.handover", inc),
            "person": policy.can(actor, "incident.add_person", inc),
            "name_unit": not final and policy.can(actor, "incident.name_unit", inc),
            "transition": bool(offered),
            "publish": policy.can(actor, "incident.publish", inc),
            # The cross-border release gate (policy/rules/exchange.py): the summary's preview page.
            "release": policy.can(actor, "release.propose", inc),
        },
    }


@signed_in
def detail(request, incident_id):
    inc = selectors.incident_get(request.actor, incident_id=incident_id, audit_read=True)
    return render(request, "incidents/detail.html", _context(request, inc))


@require_POST
@signed_in
def action(request, incident_id, name):
    actor = request.actor
    inc = selectors.incident_get(actor, incident_id=incident_id)
    cls = ACTIONS.get(name)
    if cls is None:
        raise NotFound("action")
    extra = {"offered": policy.choices(actor, "incident.transition", inc)} if name == "transition" else {}
    form = cls(request.POST, prefix=name, **extra)
    rows = f.SeizureRows(request.POST, prefix="seizure") if name == "outcome" else None
    if form.is_valid() and (rows is None or rows.is_valid()):
        d = form.cleaned_data
        try:
            if name == "transition":
                target = None
                if d.get("merge_into"):
                    target = (
                        policy.visible(actor, Incident).filter(ref=d["merge_into"].strip().upper()).first()
                    )
                    if target is None:
                        raise Invalid(field="merge_into", code="unknown", message=_("No such incident."))
                services.incident_transition(
                    actor, incident=inc, to=d["status"], reason=d["reason"], merge_into=target
                )
            elif name == "handover":
                services.incident_handover(actor, incident=inc, unit=d["unit"], reason=d["reason"])
            elif name == "task":
                services.task_add(actor, incident=inc, title=d["title"], unit=d["unit"], due_at=d["due_at"])
            elif name == "task_update":
                task = selectors.task_get(actor, task_id=d["task_id"])
                services.task_update(actor, task=task, state=d["state"], result=d["result"])
            elif name == "outcome":
                seizures = [s for s in (r.seizure() for r in rows) if s is not None]
                services.outcome_record(actor, incident=inc, seizures=seizures, **d)
            elif name == "person":
                identity = {k: str(d[k]) for k in ("full_name", "birth_year", "id_number") if d.get(k)}
                services.person_add(actor, incident=inc, role=d["role"], label=d["label"], identity=identity)
            elif name == "name_unit":
                services.incident_name_unit(actor, incident=inc, unit=d["unit"])
            messages.success(request, _("Done."))
            return redirect("incidents:detail", incident_id=inc.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            show_errors(form, exc)
    inc = selectors.incident_get(actor, incident_id=incident_id)
    bound = {name: form, **({"seizure_rows": rows} if rows is not None else {})}
    return render(request, "incidents/detail.html", _context(request, inc, bound), status=400)


@signed_in
def my_tasks(request):
    tasks, errors = _filtered(request, TaskFilter, selectors.my_tasks)
    return render(
        request, "incidents/tasks.html", {"tasks": tasks, "errors": errors}, status=400 if errors else 200
    )


@signed_in
def plans(request):
    actor = request.actor
    form = f.PlanForm(request.POST or None)
    if request.method == "POST":
        policy.require(actor, "plan.draft")
        if form.is_valid():
            d = form.cleaned_data
            try:
                steps = [s.model_dump() for s in plan_steps_from_text(d["steps"])]
                services.plan_draft(
                    actor,
                    incident_type=d["incident_type"],
                    title=d["title"],
                    title_en=d["title_en"],
                    title_lo=d["title_lo"],
                    steps=steps,
                )
                messages.success(request, _("Draft saved. A commander approves it."))
                return redirect("incidents:plans")
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                show_errors(form, plan_errors_on_lines(exc, d["steps"]))
    return render(
        request,
        "incidents/plans.html",
        {
            "plans": [
                setattr(p, "may_approve", policy.can(actor, "plan.approve", p)) or p
                for p in selectors.plans(actor)
            ],
            "form": form,
            "may_draft": policy.can(actor, "plan.draft"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@signed_in
def plan_approve(request, plan_id):
    services.plan_approve(request.actor, plan=selectors.plan_get(request.actor, plan_id=plan_id))
    messages.success(request, _("Plan approved."))
    return redirect("incidents:plans")


@signed_in
def lead_rules(request):
    actor = request.actor
    form = f.LeadRuleForm(request.POST or None)
    if request.method == "POST":
        policy.require(actor, "leadrule.manage")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.lead_rule_set(
                    actor,
                    incident_type=d["incident_type"],
                    area_kind=d["area_kind"],
                    severity=d["severity"],
                    lead_force=d["lead_force"],
                    supporting_forces=d["supporting_forces"],
                )
                messages.success(request, _("Rule saved."))
                return redirect("incidents:rules")
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                show_errors(form, exc)
    return render(
        request,
        "incidents/rules.html",
        {
            "rules": selectors.lead_rules(actor),
            "form": form,
            "may_manage": policy.can(actor, "leadrule.manage"),
        },
        status=400 if request.method == "POST" else 200,
    )

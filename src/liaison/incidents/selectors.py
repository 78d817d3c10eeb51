"""Every read of incidents, already filtered by policy."""

from __future__ import annotations

from django.db.models import Count, F, Q

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, crypto, search
from liaison.incidents.models import (
    FINAL_STATUSES,
    Incident,
    IncidentType,
    LeadRule,
    Participant,
    ResponsePlan,
    Seizure,
    SeizureKind,
    Status,
    Task,
)
from liaison.incidents.schemas import BoardFilter, TaskFilter
from liaison.intel.models import Tlp
from liaison.org.models import Unit

BOARD_COLUMNS = (
    "id",
    "ref",
    "title",
    "status",
    "severity",
    "tlp",
    "is_drill",
    "opened_at",
    "ack_due_at",
    "acknowledged_at",
    "escalation_level",
    "lead_unit__name",
    "lead_force",
    "incident_type__code",
    "incident_type__name_vi",
    "incident_type__name_en",
    "incident_type__name_lo",
    "area__name",
    "lat",
    "lon",
)


BOARD_LIMIT = 300


OUTCOME_COUNTS = ("arrested", "detained", "rescued", "evacuated", "deaths", "injured")


def filtered_incidents(actor, f: BoardFilter, *, action: str = "view"):
    """The incidents the filter names among those the actor may `action` ("view", or "count" for a
    statistic: the secretariat counts node-wide). The briefing counts through this very function."""
    qs = policy.visible(actor, Incident, action)
    if not f.include_final:
        qs = qs.exclude(status__in=FINAL_STATUSES)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if not f.drills:
        qs = qs.filter(is_drill=False)
    if f.type:
        qs = qs.filter(incident_type__code=f.type)
    if f.lead_force:
        qs = qs.filter(lead_force=f.lead_force)
    if f.opened_since:
        qs = qs.filter(opened_at__gte=f.opened_since)
    if f.opened_until:
        qs = qs.filter(opened_at__lt=f.opened_until)
    if f.border:
        qs = qs.filter(area__is_border_area=True)
    if f.within:
        qs = qs.filter(Q(area__code=f.within) | Q(area__parent__code=f.within))
    if f.lead_within:
        path = Unit.objects.filter(code=f.lead_within).values_list("path", flat=True).first()
        qs = qs.filter(lead_unit__path__startswith=path) if path else qs.none()
    if f.outcome in OUTCOME_COUNTS:
        qs = qs.filter(**{f"outcome__{f.outcome}__gt": 0})
    elif f.outcome in SeizureKind.values:
        qs = qs.filter(pk__in=Seizure.objects.filter(kind=f.outcome).values("outcome__incident_id"))
    elif f.outcome:
        qs = qs.none()
    if f.lead_unit:
        qs = qs.filter(lead_unit__code=f.lead_unit)
    if f.ack:
        qs = qs.filter(ack_due_at__isnull=False)
    if f.ack == "in_time":
        qs = qs.filter(acknowledged_at__lte=F("ack_due_at"))
    return qs


def incident_board(actor, f: BoardFilter | None = None) -> list[dict]:
    f = f or BoardFilter()
    qs = filtered_incidents(actor, f)
    if f.q:  # by relevance (title above summary and place), ties newest first
        audience = policy.audience(actor, Incident)  # the words meet the reader's units in the index
        qs = search.matching(qs, search.parse(f.q), table="incidents_incident", audience=audience)
        return list(qs.order_by("search_rank", "-opened_at", "-id").values(*BOARD_COLUMNS)[:BOARD_LIMIT])
    return list(qs.order_by("-opened_at", "-id").values(*BOARD_COLUMNS)[:BOARD_LIMIT])


def incident_get(actor, *, incident_id, audit_read: bool = False) -> Incident:
    inc = policy.get_visible(actor, Incident, what="incident", pk=incident_id)
    inc = Incident.objects.select_related(
        "incident_type", "lead_unit", "area", "place", "plan", "opened_by", "opened_by_unit", "merged_into"
    ).get(pk=inc.pk)
    # The incident it was merged into is named only to a reader who may see that one too.
    inc.merged_into_shown = policy.shown(actor, inc.merged_into)
    if audit_read and inc.tlp in (Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED):
        audit.record_separately(actor, Verb.INCIDENT_READ, inc)
    return inc


def incident_timeline(actor, *, incident: Incident):
    """The timeline, less the entries that name a record the reader may not see (policy's rule)."""
    return policy.without_hidden_mentions(
        actor, "incident.timeline", list(incident.timeline.select_related("actor", "unit").order_by("id"))
    )


def incident_tasks(actor, *, incident: Incident):
    return incident.tasks.select_related("unit", "assignee", "step").order_by("due_at", "id")


def incident_participants(actor, *, incident: Incident):
    return incident.participants.select_related("unit").filter(active=True).order_by("role", "unit__name")


def incident_outcome(actor, *, incident: Incident):
    out = getattr(incident, "outcome", None) if hasattr(incident, "outcome") else None
    return out


def incident_people(actor, *, incident: Incident) -> list[dict]:
    """People with their identity where the actor may see it, masked otherwise. Revealing a
    protected person's identity is audited (that it was read, never what)."""
    out = []
    revealed = []
    for p in incident.people.order_by("created_at"):
        may = policy.can(actor, "person.identity", p)
        identity = crypto.unseal(p.identity_sealed) if may and p.identity_sealed else None
        if identity and p.role in ("victim", "informant"):
            revealed.append(str(p.pk))
        out.append(
            {
                "id": p.id,
                "role": p.role,
                "label": p.label,
                "masked": not may,
                "identity": identity if may else None,
            }
        )
    if revealed:
        audit.record_separately(
            actor, Verb.INCIDENT_PERSON_IDENTITY_READ, incident, changes={"people": revealed}
        )
    return out


def my_tasks(actor, f: TaskFilter | None = None):
    f = f or TaskFilter()
    if actor.unit is None:
        return Task.objects.none()
    qs = policy.visible(actor, Task).filter(unit=actor.unit)
    if f.mine_only:
        qs = qs.filter(assignee=actor.user)
    if f.open_only:
        qs = qs.filter(state__in=[Task.State.OPEN, Task.State.IN_PROGRESS])
    return qs.select_related("incident", "unit", "assignee", "step").order_by("due_at")


def task_get(actor, *, task_id) -> Task:
    return policy.get_visible(actor, Task, what="task", pk=task_id)


def plans(actor):
    return (
        policy.visible(actor, ResponsePlan)
        .select_related("incident_type", "drafted_by", "approved_by")
        .prefetch_related("steps")
        .order_by("incident_type__position", "-version")
    )


def plan_get(actor, *, plan_id) -> ResponsePlan:
    return policy.get_visible(actor, ResponsePlan, what="plan", pk=plan_id)


def lead_rules(actor):
    return (
        policy.visible(actor, LeadRule)
        .select_related("incident_type")
        .order_by("incident_type__position", "area_kind", "severity")
    )


def incident_types(actor, *, active_only: bool = True):
    qs = policy.visible(actor, IncidentType)
    return qs.filter(is_active=True) if active_only else qs


def open_counts(actor) -> dict:
    qs = policy.visible(actor, Incident).exclude(status__in=FINAL_STATUSES)
    return {
        "open": qs.count(),
        "unacknowledged": qs.filter(status=Status.REPORTED).count(),
        "escalated": qs.filter(~Q(escalation_level=0)).count(),
    }


__all__ = ["Participant"]


def work_counts(actor) -> dict:
    """The unit's waiting work in incidents, as counts: its open tasks (and how many are overdue),
    the incidents it leads by status; for a commander, the overdue tasks and the incidents not
    acknowledged in time of the units below."""
    now = clock.now()
    out = {
        "tasks": 0,
        "tasks_overdue": 0,
        "led": [],
        "led_open": 0,
        "watched_tasks_overdue": 0,
        "watched_unacknowledged": 0,
    }
    if actor is None or actor.unit is None:
        return out
    open_states = [Task.State.OPEN, Task.State.IN_PROGRESS]
    tasks = policy.visible(actor, Task).filter(unit=actor.unit, state__in=open_states)
    out["tasks"] = tasks.count()
    out["tasks_overdue"] = tasks.filter(due_at__lt=now).count()
    led = dict(
        policy.visible(actor, Incident)
        .filter(lead_unit=actor.unit)
        .exclude(status__in=FINAL_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    out["led"] = [(s, Status(s).label, led[s]) for s in Status.values if led.get(s)]
    out["led_open"] = sum(led.values())
    out["watched_tasks_overdue"] = (
        policy.visible(actor, Task, "watch").filter(state__in=open_states, due_at__lt=now).count()
    )
    out["watched_unacknowledged"] = (
        policy.visible(actor, Incident, "watch").filter(status=Status.REPORTED, ack_due_at__lt=now).count()
    )
    return out

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field, ValidationError

from liaison.core.errors import DomainError, FieldError, Invalid
from liaison.core.inputs import Deadline, Input, Latitude, Line, Longitude, Since, Text, Until
from liaison.incidents.models import PersonRole, SeizureKind, Severity, Status, Task
from liaison.intel.models import Tlp

SeverityCode = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]
TlpCode = Literal[tuple(Tlp.values)]  # type: ignore[valid-type]
TaskState = Literal[tuple(Task.State.values)]  # type: ignore[valid-type]
PersonRoleCode = Literal[tuple(PersonRole.values)]  # type: ignore[valid-type]
SeizureCode = Literal[tuple(SeizureKind.values)]  # type: ignore[valid-type]


# Each list's filters are defined once: the API's query, the page's query string (parsed by
# `core.forms.parse_query`) and the selector take the same schema.
class BoardFilter(Schema):
    """Filters of the incident board (open incidents, newest first)."""

    include_final: bool = Field(False, description="also closed, merged and cancelled incidents")
    severity: Line | None = Field(None, max_length=10)
    drills: bool = Field(True, description="include drills")
    q: Line = Field(
        "",
        max_length=200,
        description='search title, summary and place: words (all), "a phrase", -excluded, a OR b',
    )
    # The briefing's figures link here (issue 18): each filter below narrows as the figure counts.
    type: Line | None = Field(None, max_length=40, description="incident type code")
    lead_force: Line | None = Field(None, max_length=20)
    opened_since: Since | None = Field(None, description="opened at or after")
    opened_until: Until | None = Field(None, description="opened before")
    border: bool = Field(False, description="only incidents in a commune of the border area")
    within: Line | None = Field(
        None, max_length=40, description="area code: the commune or the communes under it"
    )
    lead_within: Line | None = Field(
        None, max_length=40, description="unit code: led by this unit or one below"
    )
    outcome: Line | None = Field(
        None, max_length=20, description="with this outcome: arrested, detained, rescued, … or a seizure kind"
    )
    # The timeliness scorecard's links (issue 18).
    lead_unit: Line | None = Field(None, max_length=40, description="unit code: led by this unit")
    ack: Literal["due", "in_time"] | None = Field(
        None,
        description="with an acknowledgement deadline (due), or acknowledged by it (in_time)",
    )


class TaskFilter(Schema):
    """Filters of the task list: the tasks of the caller's unit."""

    mine_only: bool = Field(False, description="only the tasks assigned to me")
    open_only: bool = Field(True, description="only open and in-progress tasks")


class IncidentIn(Input):
    type: Line = Field(min_length=1, max_length=40, description="incident type code")
    title: Line = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=20_000)
    severity: SeverityCode | None = None
    area: Line | None = Field(None, max_length=40, description="commune code, e.g. VN-38-15013")
    place: Line | None = Field(None, max_length=40, description="place code, e.g. GATE-NA-MEO")
    lat: Latitude | None = None
    lon: Longitude | None = None
    tlp: TlpCode = "amber"
    is_drill: bool = False
    items: list[uuid.UUID] = Field(default_factory=list, max_length=50)


# Outputs are read from the records (or the board's `.values()` rows) by their attributes: no
# hand-written mappers. Fields with a default are still required in the OpenAPI document.
OUT = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


def related(column: str) -> AliasChoices:
    """A related record's column: `lead_unit__name` in a `.values()` row, `lead_unit.name` on a record."""
    return AliasChoices(column, AliasPath(*column.split("__")))


# A plain pydantic model, not a ninja Schema: the board's rows are `.values()` dicts, validated
# once in pydantic's core (ninja's per-field getter would cost a Python call per field and row).
class IncidentRowOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    ref: str
    title: str
    type: str = Field(validation_alias=related("incident_type__code"))
    status: str
    severity: str
    tlp: str
    is_drill: bool
    lead_unit: str = Field(validation_alias=related("lead_unit__name"))
    lead_force: str
    opened_at: dt.datetime
    ack_due_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    escalation_level: int
    lat: float | None
    lon: float | None


class TaskOut(Schema):
    model_config = OUT

    id: uuid.UUID
    incident_id: uuid.UUID
    title: str
    unit_id: uuid.UUID
    unit: str = Field(validation_alias=AliasPath("unit", "name"))
    assignee: str | None = Field(None, validation_alias=AliasPath("assignee", "username"))
    due_at: dt.datetime
    state: str
    result: str
    escalated_at: dt.datetime | None


class TimelineOut(Schema):
    model_config = OUT

    at: dt.datetime
    kind: str
    actor: str | None = Field(None, validation_alias=AliasPath("actor", "username"))
    unit: str | None = Field(None, validation_alias=AliasPath("unit", "name"))
    data: dict


class ParticipantOut(Schema):
    unit_id: uuid.UUID
    unit: str = Field(validation_alias=AliasPath("unit", "name"))
    role: str


class SeizureOut(Schema):
    kind: str
    quantity: Decimal
    note: str


class OutcomeOut(Schema):
    arrested: int
    detained: int
    rescued: int
    evacuated: int
    deaths: int
    injured: int
    seizures: list[SeizureOut]


# An incident with the parts its selectors read: `core.api.WithParts(incident, participants=…,
# tasks=…, timeline=…, outcome=…, items=…)`.
class IncidentOut(Schema, IncidentRowOut):
    model_config = OUT

    description: str
    area_kind: str
    area: str | None = Field(None, validation_alias=AliasPath("area", "code"))
    place: str | None = Field(None, validation_alias=AliasPath("place", "code"))
    plan: str | None = Field(None, validation_alias=AliasPath("plan", "title"))
    plan_version: int | None = Field(None, validation_alias=AliasPath("plan", "version"))
    merged_into: uuid.UUID | None = Field(validation_alias="merged_into_id")
    participants: list[ParticipantOut]
    tasks: list[TaskOut]
    timeline: list[TimelineOut]
    outcome: OutcomeOut | None
    items: list[str]


class TransitionIn(Input):
    status: StatusCode
    reason: Text = Field("", max_length=2000)
    merge_into: uuid.UUID | None = None


class HandoverIn(Input):
    unit_id: uuid.UUID
    reason: Text = Field(min_length=1, max_length=2000)


class TaskIn(Input):
    title: Line = Field(min_length=1, max_length=200)
    unit_id: uuid.UUID
    due_at: Deadline
    assignee: Line | None = Field(None, max_length=150, description="username of a member of the unit")


class TaskUpdateIn(Input):
    state: TaskState
    result: Text = Field("", max_length=4000)


class SeizureIn(BaseModel):
    # Nested input: a plain model (ninja's Schema reads attributes, so a list would pass as empty).
    model_config = ConfigDict(extra="forbid")

    kind: SeizureCode
    quantity: Decimal = Field(gt=0, le=Decimal("1e12"))
    note: Text = Field("", max_length=200)


class OutcomeIn(Input):
    arrested: int = Field(0, ge=0, le=100_000)
    detained: int = Field(0, ge=0, le=100_000)
    rescued: int = Field(0, ge=0, le=100_000)
    evacuated: int = Field(0, ge=0, le=100_000)
    deaths: int = Field(0, ge=0, le=100_000)
    injured: int = Field(0, ge=0, le=100_000)
    seizures: list[SeizureIn] = Field(default_factory=list, max_length=50)


class IdentityIn(BaseModel):
    # Nested input: a plain model (ninja's Schema reads attributes, so a list would pass as empty).
    model_config = ConfigDict(extra="forbid")

    full_name: Line | None = Field(None, max_length=120)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    id_number: Line | None = Field(None, max_length=20)
    address: Line | None = Field(None, max_length=200)
    contact: Line | None = Field(None, max_length=60)


class PersonIn(Input):
    role: PersonRoleCode
    label: Line = Field(min_length=1, max_length=60)
    identity: IdentityIn | None = None


class PersonOut(Schema):
    id: uuid.UUID
    role: str
    label: str
    masked: bool
    identity: dict | None


class UnitRefIn(Input):
    unit_id: uuid.UUID


class ItemRefIn(Input):
    item_id: uuid.UUID


class PlanStepIn(BaseModel):
    # Nested input: a plain model (ninja's Schema reads attributes, so a list would pass as empty).
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(min_length=1, max_length=200)
    responsible: Line = Field(min_length=1, max_length=20)
    deadline_minutes: int = Field(ge=1, le=60 * 24 * 90)
    notify: list[Line] = Field(default_factory=list, max_length=10)
    title_en: Line = Field(default="", max_length=200)
    title_lo: Line = Field(default="", max_length=200)


MAX_STEPS = 50

# The plans page writes steps as lines of text, one step a line: `title | responsible | minutes |
# notify,… | title in English | title in Lao` (the last three optional). They are parsed into the API's own `PlanStepIn` (the same limits), and a bad line is an
# error on the `steps` field that names the line.
STEP_PARTS = {
    "title": gettext_lazy("title"),
    "responsible": gettext_lazy("responsible"),
    "deadline_minutes": gettext_lazy("minutes"),
    "notify": gettext_lazy("notify"),
    "title_en": gettext_lazy("title in English"),
    "title_lo": gettext_lazy("title in Lao"),
}
STEP_MESSAGES = {
    "title": gettext_lazy("1–200 characters."),
    "responsible": gettext_lazy("lead, supporting or a force."),
    "deadline_minutes": gettext_lazy("a whole number of minutes, 1 minute to 90 days."),
    "notify": gettext_lazy("at most 10 targets, separated by commas."),
    "title_en": gettext_lazy("at most 200 characters."),
    "title_lo": gettext_lazy("at most 200 characters."),
}


def _on_line(n: int, part: str, message) -> str:
    return _("Line %(n)d, %(part)s: %(message)s") % {"n": n, "part": STEP_PARTS[part], "message": message}


def _step_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each step: blank lines are no steps."""
    return [(n, line) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]


def plan_steps_from_text(text: str) -> list[PlanStepIn]:
    """The steps of a textarea, one a line, as the API's `PlanStepIn`; every bad line is named."""
    errors: list[FieldError] = []
    steps: list[PlanStepIn] = []
    lines = _step_lines(text)
    if not 1 <= len(lines) <= MAX_STEPS:
        message = _("From 1 to %(max)d steps.") % {"max": MAX_STEPS}
        raise Invalid(field="steps", code="out_of_range", message=message)
    for n, line in lines:
        parts = [p.strip() for p in line.split("|")]
        if not 3 <= len(parts) <= 6:
            message = _(
                "Line %(n)d: title | responsible | minutes | notify | title in English | title in Lao"
            ) % {"n": n}
            errors.append(FieldError("steps", "malformed", message))
            continue
        try:
            steps.append(
                PlanStepIn(
                    title=parts[0],
                    responsible=parts[1],
                    deadline_minutes=parts[2],
                    notify=[x.strip() for x in parts[3].split(",") if x.strip()] if len(parts) > 3 else [],
                    title_en=parts[4] if len(parts) > 4 else "",
                    title_lo=parts[5] if len(parts) > 5 else "",
                )
            )
        except ValidationError as exc:
            for part in dict.fromkeys(str(e["loc"][0]) for e in exc.errors()):
                errors.append(FieldError("steps", "invalid", _on_line(n, part, STEP_MESSAGES[part])))
    if errors:
        raise Invalid(errors)
    return steps


def plan_errors_on_lines(exc: DomainError, text: str) -> DomainError:
    """A service names a step by its position (`steps.2.responsible`); the page's textarea names
    its line. Other fields and errors are left as they are."""
    if not isinstance(exc, Invalid):
        return exc
    lines = [n for n, _line in _step_lines(text)]
    out = []
    for e in exc.errors:
        head, _dot, rest = e.field.partition(".")
        index, _dot, part = rest.partition(".")
        if head == "steps" and index.isdigit() and int(index) < len(lines) and part in STEP_PARTS:
            out.append(FieldError("steps", e.code, _on_line(lines[int(index)], part, e.message)))
        else:
            out.append(e)
    return Invalid(out)


class PlanIn(Input):
    type: Line = Field(min_length=1, max_length=40)
    title: Line = Field(min_length=1, max_length=200)
    title_en: Line = Field(default="", max_length=200)
    title_lo: Line = Field(default="", max_length=200)
    steps: list[PlanStepIn] = Field(min_length=1, max_length=MAX_STEPS)


class PlanStepOut(Schema):
    position: int
    title: str
    title_en: str
    title_lo: str
    responsible: str
    deadline_minutes: int
    notify: list[str]


class PlanOut(Schema):
    id: uuid.UUID
    type: str = Field(validation_alias=AliasPath("incident_type", "code"))
    version: int
    title: str
    title_en: str
    title_lo: str
    state: str
    steps: list[PlanStepOut]


class LeadRuleIn(Input):
    type: Line | None = Field(None, max_length=40)
    area_kind: Literal["", "border", "gate", "inland"] = ""
    severity: Literal["", "low", "medium", "high", "critical"] = ""
    lead_force: Line = Field(min_length=1, max_length=20)
    supporting_forces: list[Line] = Field(default_factory=list, max_length=6)


class LeadRuleOut(Schema):
    model_config = OUT

    id: int
    type: str | None = Field(None, validation_alias=AliasPath("incident_type", "code"))
    area_kind: str
    severity: str
    lead_force: str
    supporting_forces: list[str]

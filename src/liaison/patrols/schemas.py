"""Shapes of patrols' input and output, and the one filter schema per list (API, page, selector)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Schema
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field

from liaison.core.inputs import Deadline, Input, Latitude, Line, Longitude, PeriodDate, Since, Text, Until
from liaison.incidents.models import Severity
from liaison.intel.models import Tlp
from liaison.patrols.models import Condition, Kind, Status

KindCode = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]
ConditionCode = Literal[tuple(Condition.values)]  # type: ignore[valid-type]
TlpCode = Literal[tuple(Tlp.values)]  # type: ignore[valid-type]
SeverityCode = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]{1,200}$"


class PatrolFilter(Schema):
    """Filters of the patrol list, newest start first; every filter narrows (AND)."""

    status: StatusCode | None = None
    kind: KindCode | None = None
    lead_unit: Line | None = Field(None, max_length=40, description="unit code")
    since: Since | None = Field(None, description="starting at or after")
    until: Until | None = Field(None, description="starting before")
    counted: bool = Field(False, description="only patrols the briefing counts (not cancelled)")
    lead_within: Line | None = Field(
        None, max_length=40, description="unit code: led by this unit or one below"
    )
    border: bool = Field(False, description="only patrols led by a unit in a commune of the border area")
    within: Line | None = Field(None, max_length=40, description="area code: led by a unit in it or under it")
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="next_cursor of the previous page"
    )
    limit: int = Field(50, ge=1, le=200)


class PatrolCoverageQuery(Schema):
    months: int = Field(3, ge=1, le=24, description="months of the per-month table, up to this one")
    on: PeriodDate | None = Field(None, description="the day coverage is counted on (default today)")


class PatrolFiguresQuery(Schema):
    since: Since
    until: Until


class PatrolPlanIn(Input):
    post: Line = Field(min_length=1, max_length=40, description="unit code of the post")
    month: PeriodDate = Field(description="any day of the month")
    note: Text = Field("", max_length=2000)


class PatrolStopIn(Input):
    segment: Line | None = Field(None, max_length=40, description="segment code")
    marker: Line | None = Field(None, max_length=20, description="marker number")


class PatrolIn(Input):
    kind: KindCode
    lead_unit: Line | None = Field(None, max_length=40, description="unit code (default: the active unit)")
    starts_at: Deadline
    ends_at: Deadline
    people: int = Field(ge=1, le=500)
    route: list[PatrolStopIn] = Field(min_length=1, max_length=100)
    participants: list[Line] = Field(default_factory=list, max_length=20, description="unit codes")
    partner_unit: Line | None = Field(None, max_length=40, description="unit code across the border")
    partner_people: int | None = Field(None, ge=1, le=500)
    plan: uuid.UUID | None = None
    purpose: Line = Field("", max_length=300)


class PatrolTransitionIn(Input):
    status: StatusCode
    reason: Text = Field("", max_length=500)


class CheckInPhotoIn(Input):
    filename: Line = Field(min_length=1, max_length=200)
    data_base64: str = Field(min_length=1, max_length=1_000_000, description="within the 1 MB body limit")


class CheckInIn(Input):
    at: Deadline
    lat: Latitude
    lon: Longitude
    marker: Line | None = Field(None, max_length=20, description="marker number (none: a waypoint)")
    condition: ConditionCode | Literal[""] = ""
    note: Text = Field("", max_length=4000)
    photo: CheckInPhotoIn | None = None


class PatrolFindingIn(Input):
    as_: Literal["item", "incident"] = Field(alias="as")
    title: Line = Field(min_length=1, max_length=200)
    body: Text = Field("", max_length=20_000, description="defaults to the check-in's note")
    category: Line | None = Field(None, max_length=40, description="item category code (as item)")
    type: Line | None = Field(None, max_length=40, description="incident type code (as incident)")
    severity: SeverityCode | None = None
    tlp: TlpCode = "amber"


class PatrolCoverageIn(Input):
    post: Line = Field(min_length=1, max_length=40)
    days: int = Field(ge=1, le=365)


class MarkerImportIn(Input):
    csv: Text = Field(min_length=1, max_length=500_000, description="number,lat,lon,type")
    source: Line = Field("", max_length=150)


OUT = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


def related(column: str) -> AliasChoices:
    return AliasChoices(column, AliasPath(*column.split("__")))


class PatrolPlanOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    post: str = Field(validation_alias=related("post__code"))
    month: dt.date
    state: str
    note: str
    approved_at: dt.datetime | None


class PatrolRowOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    ref: str
    kind: str
    status: str
    lead_unit: str = Field(validation_alias=related("lead_unit__code"))
    starts_at: dt.datetime
    ends_at: dt.datetime
    people: int


class PatrolPageOut(Schema):
    patrols: list[PatrolRowOut] = Field(validation_alias="rows")
    next_cursor: str | None


class PatrolStopOut(BaseModel):
    model_config = OUT

    position: int
    segment: str | None = Field(None, validation_alias=related("segment__code"))
    marker: str | None = Field(None, validation_alias=related("marker__number"))


class CheckInOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    at: dt.datetime
    lat: float
    lon: float
    marker: str | None = Field(None, validation_alias=related("marker__number"))
    condition: str
    note: str
    has_photo: bool = False
    recorded_by_unit: str | None = Field(None, validation_alias=related("recorded_by_unit__code"))


class PatrolFindingOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    kind: str
    checkin: uuid.UUID = Field(validation_alias=related("checkin_id"))
    ref: str | None = None  # the item's or incident's reference, when the reader may see it
    record_id: uuid.UUID | None = None


class PatrolOut(Schema):
    id: uuid.UUID
    ref: str
    kind: str
    status: str
    purpose: str
    lead_unit: str = Field(validation_alias=AliasPath("lead_unit", "code"))
    starts_at: dt.datetime
    ends_at: dt.datetime
    people: int
    partner_unit: str | None = None
    partner_people: int | None
    cancel_reason: str
    plan: uuid.UUID | None = Field(None, validation_alias="plan_id")
    participants: list[str]
    route: list[PatrolStopOut]
    checkins: list[CheckInOut]
    findings: list[PatrolFindingOut]


class MarkerCoverageOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    number: str
    segment: str | None
    post: str | None
    condition: str
    last_at: dt.datetime | None
    last_condition: str | None
    unchecked: bool
    days: int

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Schema
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field

from liaison.core.inputs import (
    Deadline,
    Input,
    Latitude,
    Line,
    Longitude,
    Past,
    PeriodDate,
    Since,
    Text,
    Until,
)
from liaison.intel.models import Credibility, Reliability, Tlp
from liaison.org.models import Force

TlpCode = Literal[tuple(Tlp.values)]  # type: ignore[valid-type]
ReliabilityCode = Literal[tuple(Reliability.values)]  # type: ignore[valid-type]
CredibilityCode = Literal[tuple(Credibility.values)]  # type: ignore[valid-type]
# The cursor of a list page: URL-safe base64 of "<received_at ISO>|<id>".
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]{1,200}$"
ForceCode = Literal[tuple(v for v in Force.values if v != "foreign_partner")]  # type: ignore[valid-type]


# Defined once: the API's query (`Query[ItemFilter]`), the list page (its query string parsed by
# `core.forms.parse_query`, so an error names the field) and `selectors.item_list` all take it.
class ItemFilter(Schema):
    """Filters of the item list, newest first; every filter narrows (AND)."""

    q: Line = Field(
        "",
        max_length=200,
        description='search: words (all of them; the last also as a prefix), "a phrase", -excluded, '
        "a OR b; results by relevance",
    )
    category: Line | None = Field(None, max_length=40, description="category code")
    status: Line | None = Field(None, max_length=20)
    level: Line | None = Field(None, max_length=10)
    tlp: Line | None = Field(None, max_length=12)
    since: Since | None = None
    until: Until | None = None
    area: Line | None = Field(None, max_length=40, description="commune code")
    origin_unit: Line | None = Field(None, max_length=40, description="unit code")
    origin_force: Line | None = Field(None, max_length=20)
    reliability: Line | None = Field(None, max_length=1)
    credibility: int | None = Field(None, ge=1, le=6, description="this grade or better")
    include_drills: bool = False
    # The exchange statistics' and the briefing's own definition (one for all three): exchanged in
    # the period = first shared to a unit of another force at or after `exchanged_since` and before
    # `exchanged_until`; drills never count.
    exchanged_since: Since | None = Field(None, description="first shared to another force at or after")
    exchanged_until: Until | None = Field(None, description="first shared to another force before")
    recipient_force: Line | None = Field(
        None, max_length=20, description="received by a unit of this force (another than the originator's)"
    )
    border: bool = Field(False, description="only items in a commune of the border area")
    within: Line | None = Field(
        None, max_length=40, description="area code: the commune or the communes under it"
    )
    origin_within: Line | None = Field(
        None, max_length=40, description="unit code: originated by this unit or a unit below it"
    )
    verification: Literal["requested", "in_time", "overdue"] | None = Field(
        None,
        description="items with a verification request asked in [verification_since, verification_until):"
        " any, answered by its deadline, or late (answered late or open past it)",
    )
    verification_since: Since | None = None
    verification_until: Until | None = None
    verification_unit: Line | None = Field(
        None, max_length=40, description="unit code: the verification request (above) was asked of this unit"
    )
    # The timeliness scorecard's links (issue 18): the items delivered to one unit in a period.
    delivered_to: Line | None = Field(None, max_length=40, description="unit code: delivered to this unit")
    delivered_since: Since | None = Field(None, description="delivered to `delivered_to` at or after")
    delivered_until: Until | None = Field(None, description="delivered to `delivered_to` before")
    acknowledged: Literal["yes", "in_time"] | None = Field(
        None,
        description="with `delivered_to`: acknowledged by that unit (yes), or within 24 hours of delivery (in_time)",
    )
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="next_cursor of the previous page"
    )
    limit: int = Field(50, ge=1, le=200)


class StatsQuery(Schema):
    """A statistics period: a kind and a day in it (or the start and end of a custom one)."""

    period: str = Field("quarter", pattern="^(month|quarter|year|custom)$")
    on: PeriodDate | None = None
    end: PeriodDate | None = None


class ItemIn(Input):
    title: Line = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=20_000)
    category: Line = Field(min_length=1, max_length=40, description="category code")
    observed_at: Past
    received_at: Past | None = None
    reliability: ReliabilityCode
    credibility: CredibilityCode
    tlp: TlpCode = "amber"
    lat: Latitude | None = None
    lon: Longitude | None = None
    area: Line | None = Field(None, max_length=40, description="area code, e.g. VN-38-15013")
    place: Line | None = Field(None, max_length=40, description="place code, e.g. POST-NA-MEO")
    is_drill: bool = False


class ItemAmendIn(Input):
    title: Line | None = Field(None, min_length=1, max_length=200)
    body: Text | None = Field(None, min_length=1, max_length=20_000)
    category: Line | None = Field(None, min_length=1, max_length=40)
    observed_at: Past | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    reason: Text = Field("", max_length=2000)


# Outputs are read from the records (or the selectors' `.values()` rows) by their attributes: no
# hand-written mappers. Fields with a default are still required in the OpenAPI document.
OUT = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


def related(column: str) -> AliasChoices:
    """A related record's column: `category__code` in a `.values()` row, `category.code` on a record."""
    return AliasChoices(column, AliasPath(*column.split("__")))


# A plain pydantic model, not a ninja Schema: a list's rows are `.values()` dicts, validated once
# in pydantic's core (ninja's per-field getter would cost a Python call per field and row).
class ItemRowOut(BaseModel):
    model_config = OUT

    id: uuid.UUID
    ref: str
    title: str
    status: str
    tlp: str
    level: str
    category: str = Field(validation_alias=related("category__code"))
    origin_unit: str = Field(validation_alias=related("origin_unit__code"))
    origin_force: str = Field(validation_alias=related("origin_unit__force"))
    reliability: str
    credibility: int
    analyst_reliability: str
    analyst_credibility: int | None
    received_at: dt.datetime
    observed_at: dt.datetime
    exchanged_at: dt.datetime | None
    lat: float | None
    lon: float | None
    area: str | None = Field(None, validation_alias=related("area__code"))
    is_drill: bool


class ItemPageOut(Schema):
    items: list[ItemRowOut] = Field(validation_alias="rows")
    count: int
    count_capped: bool
    next_cursor: str | None


class GradingOut(Schema):
    kind: str
    reliability: str
    credibility: int
    reason: str
    by: str = Field(validation_alias=AliasPath("by", "username"))
    by_unit: str = Field(validation_alias=AliasPath("by_unit", "code"))
    at: dt.datetime


class RevisionOut(Schema):
    version: int
    action: str
    changes: dict
    reason: str
    by: str
    by_unit: str
    at: dt.datetime

    @staticmethod
    def resolve_by(r) -> str:
        return r.by.username if r.by else "system"

    @staticmethod
    def resolve_by_unit(r) -> str:
        return r.by_unit.code if r.by_unit else ""


class ReceiptOut(Schema):
    model_config = OUT

    unit_id: uuid.UUID
    # From a receipt; or from a row that already holds the codes (the access explanation's).
    unit: str = Field(validation_alias=AliasChoices(AliasPath("unit", "code"), "unit"))
    delivered_at: dt.datetime
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None = Field(
        None, validation_alias=AliasChoices(AliasPath("acknowledged_by", "username"), "acknowledged_by")
    )


# An item with its gradings and receipts: `core.api.with_parts(item, gradings=…, receipts=…)`.
class ItemOut(Schema, ItemRowOut):
    model_config = OUT

    body: str
    place: str | None = Field(None, validation_alias=AliasPath("place", "code"))
    version: int
    gradings: list[GradingOut]
    receipts: list[ReceiptOut]


class ShareIn(Input):
    units: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    forces: list[ForceCode] = Field(default_factory=list, max_length=7)


class HandlingIn(Input):
    tlp: TlpCode | None = None
    reason: Text = Field("", max_length=2000)


class VerificationIn(Input):
    unit_id: uuid.UUID
    due_at: Deadline
    question: Text = Field("", max_length=2000)


class VerificationAnswerIn(Input):
    result: Literal["verified", "refuted", "inconclusive"]
    reliability: ReliabilityCode
    credibility: CredibilityCode
    note: Text = Field("", max_length=4000)


class VerificationOut(Schema):
    id: uuid.UUID
    item_id: uuid.UUID
    unit_id: uuid.UUID
    due_at: dt.datetime
    state: str
    result: str
    question: str


class InboxVerificationOut(Schema):
    id: uuid.UUID
    item_id: uuid.UUID
    item_ref: str = Field(validation_alias=AliasPath("item", "ref"))
    due_at: dt.datetime
    overdue: bool
    question: str


class InboxOut(Schema):
    unacknowledged: list[ItemRowOut]
    verifications: list[InboxVerificationOut]
    overdue: int


class RegradeIn(Input):
    reliability: ReliabilityCode
    credibility: CredibilityCode
    reason: Text = Field("", max_length=2000)


class LinkIn(Input):
    other_id: uuid.UUID
    kind: Literal["same_event", "related"] = "related"


class LinkOut(Schema):
    created: bool
    corroboration_offered: bool
    kind: str


class CloseIn(Input):
    reason: Text = Field("", max_length=2000)


class AttachmentOut(Schema):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class AccessStepOut(Schema):
    rule: str = Field(
        description="The rule's code: a relation of the declaration, 'commander subtree', 'role', 'unit'"
    )
    label: str = Field(description="The rule, in the reader's language")
    granted: bool
    detail: str


class AccessRoleOut(Schema):
    role: str
    granted: bool


class AccessMembershipOut(Schema):
    unit_id: uuid.UUID | None
    unit: str
    role: str | None
    granted: bool
    steps: list[AccessStepOut]


class AccessOut(Schema):
    unit_id: uuid.UUID | None = None
    members_see_it: bool | None = Field(None, description="Members of the unit in an operational role")
    commanders_see_it: bool | None = None
    roles: list[AccessRoleOut] = Field(default_factory=list, description="Per role of the unit")
    steps: list[AccessStepOut] = Field(default_factory=list)
    user_id: uuid.UUID | None = None
    memberships: list[AccessMembershipOut] = Field(
        default_factory=list, description="Per active membership of the user"
    )
    receipts: list[ReceiptOut]

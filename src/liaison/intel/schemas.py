from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from liaison.intel.models import Credibility, Reliability, Tlp
from liaison.org.models import Force

TlpCode = Literal[tuple(Tlp.values)]  # type: ignore[valid-type]
ReliabilityCode = Literal[tuple(Reliability.values)]  # type: ignore[valid-type]
CredibilityCode = Literal[tuple(Credibility.values)]  # type: ignore[valid-type]
ForceCode = Literal[tuple(v for v in Force.values if v != "foreign_partner")]  # type: ignore[valid-type]


# Defined once: the API's query (`Query[ItemFilter]`), the list page (its query string parsed by
# `core.forms.parse_query`, so an error names the field) and `selectors.item_list` all take it.
class ItemFilter(Schema):
    """Filters of the item list, newest first; every filter narrows (AND)."""

    q: str = Field("", max_length=200, description="words, all of them (AND)")
    category: str | None = Field(None, max_length=40, description="category code")
    status: str | None = Field(None, max_length=20)
    level: str | None = Field(None, max_length=10)
    tlp: str | None = Field(None, max_length=12)
    since: dt.datetime | None = Field(None, description="received at or after; a date: from its start")
    until: dt.datetime | None = Field(None, description="received before; a date: through its end")
    area: str | None = Field(None, max_length=40, description="commune code")
    origin_unit: str | None = Field(None, max_length=40, description="unit code")
    origin_force: str | None = Field(None, max_length=20)
    reliability: str | None = Field(None, max_length=1)
    credibility: int | None = Field(None, ge=1, le=6, description="this grade or better")
    include_drills: bool = False
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _day(cls, v, info: ValidationInfo):
        """A bare date is a whole local day: `since` from its first moment, `until` through its last."""
        if isinstance(v, str) and len(v.strip()) == 10:
            try:
                v = dt.date.fromisoformat(v.strip())
            except ValueError:
                return v  # the datetime parser names the error
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            if info.field_name == "until":
                v += dt.timedelta(days=1)
            return dt.datetime(v.year, v.month, v.day, tzinfo=timezone.get_current_timezone())
        return v

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, v: dt.datetime | None):
        """A time without an offset is local time."""
        return timezone.make_aware(v) if v is not None and timezone.is_naive(v) else v


class ItemIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    category: str = Field(min_length=1, max_length=40, description="category code")
    observed_at: dt.datetime
    received_at: dt.datetime | None = None
    reliability: ReliabilityCode
    credibility: CredibilityCode
    tlp: TlpCode = "amber"
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    area: str | None = Field(None, max_length=40, description="area code, e.g. VN-38-15013")
    place: str | None = Field(None, max_length=40, description="place code, e.g. POST-NA-MEO")
    is_drill: bool = False


class ItemAmendIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000)
    category: str | None = Field(None, min_length=1, max_length=40)
    observed_at: dt.datetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    reason: str = Field("", max_length=2000)


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


class ShareIn(Schema):
    units: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    forces: list[ForceCode] = Field(default_factory=list, max_length=7)


class HandlingIn(Schema):
    tlp: TlpCode | None = None
    reason: str = Field("", max_length=2000)


class VerificationIn(Schema):
    unit_id: uuid.UUID
    due_at: dt.datetime
    question: str = Field("", max_length=2000)


class VerificationAnswerIn(Schema):
    result: Literal["verified", "refuted", "inconclusive"]
    reliability: ReliabilityCode
    credibility: CredibilityCode
    note: str = Field("", max_length=4000)


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


class RegradeIn(Schema):
    reliability: ReliabilityCode
    credibility: CredibilityCode
    reason: str = Field("", max_length=2000)


class LinkIn(Schema):
    other_id: uuid.UUID
    kind: Literal["same_event", "related"] = "related"


class LinkOut(Schema):
    created: bool
    corroboration_offered: bool
    kind: str


class CloseIn(Schema):
    reason: str = Field("", max_length=2000)


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

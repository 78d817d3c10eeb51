from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from liaison.intel.models import Credibility, Reliability, Tlp
from liaison.org.models import Force

TlpCode = Literal[tuple(Tlp.values)]  # type: ignore[valid-type]
ReliabilityCode = Literal[tuple(Reliability.values)]  # type: ignore[valid-type]
CredibilityCode = Literal[tuple(Credibility.values)]  # type: ignore[valid-type]
ForceCode = Literal[tuple(v for v in Force.values if v != "foreign_partner")]  # type: ignore[valid-type]


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


class ItemRowOut(Schema):
    id: uuid.UUID
    ref: str
    title: str
    status: str
    tlp: str
    level: str
    category: str
    origin_unit: str
    origin_force: str
    reliability: str
    credibility: int
    analyst_reliability: str
    analyst_credibility: int | None
    received_at: dt.datetime
    observed_at: dt.datetime
    exchanged_at: dt.datetime | None
    lat: float | None
    lon: float | None
    area: str | None
    is_drill: bool


class ItemPageOut(Schema):
    items: list[ItemRowOut]
    count: int
    count_capped: bool
    next_cursor: str | None


class GradingOut(Schema):
    kind: str
    reliability: str
    credibility: int
    reason: str
    by: str
    by_unit: str
    at: dt.datetime


class RevisionOut(Schema):
    version: int
    action: str
    changes: dict
    reason: str
    by: str
    by_unit: str
    at: dt.datetime


class ReceiptOut(Schema):
    unit_id: uuid.UUID
    unit: str
    delivered_at: dt.datetime
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None


class ItemOut(ItemRowOut):
    body: str
    amber_widened: bool
    place: str | None
    version: int
    gradings: list[GradingOut]
    receipts: list[ReceiptOut]


class ShareIn(Schema):
    units: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    forces: list[ForceCode] = Field(default_factory=list, max_length=7)


class HandlingIn(Schema):
    tlp: TlpCode | None = None
    amber_widened: bool | None = None
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

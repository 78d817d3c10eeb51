from __future__ import annotations

import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from liaison.core.inputs import Input, Line
from liaison.org.models import Force, Role, UnitKind

ForceCode = Literal[tuple(Force.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(UnitKind.values)]  # type: ignore[valid-type]


class MembershipOut(Schema):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_code: str
    unit_name: str
    role: str
    status: str


class MeOut(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    active: MembershipOut | None
    memberships: list[MembershipOut]
    via: str


class ActiveUnitIn(Input):
    membership_id: uuid.UUID


class UnitOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    short_name: str
    force: str
    kind: str
    level: str
    country: str
    parent_id: uuid.UUID | None
    area_id: uuid.UUID | None
    depth: int
    is_active: bool


class UnitIn(Input):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    name: Line = Field(min_length=1, max_length=200)
    short_name: Line = Field("", max_length=80)
    force: ForceCode
    kind: KindCode
    parent_id: uuid.UUID
    country: str = Field("VN", min_length=2, max_length=2, pattern=r"^[A-Z]{2}$")
    area_id: uuid.UUID | None = None


ROLE_CODES = Role.values

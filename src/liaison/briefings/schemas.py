"""Typed inputs of the briefings' API (every body forbids unknown fields) and the query of a period."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from liaison.briefings.models import ConclusionState, PeriodKind, ScopeKind
from liaison.core.inputs import Input, Line, PeriodDate, Text

PeriodCode = Literal[tuple(PeriodKind.values)]  # type: ignore[valid-type]
ScopeCode = Literal[tuple(ScopeKind.values)]  # type: ignore[valid-type]
ConclusionStateCode = Literal[tuple(ConclusionState.values)]  # type: ignore[valid-type]


class PeriodQuery(Schema):
    """A period (default: last quarter) and a scope (default: the province)."""

    period_kind: PeriodCode = "quarter"
    on: PeriodDate | None = Field(None, description="a day in the period (custom: its first day)")
    ends_on: PeriodDate | None = Field(None, description="custom: the day after its last")
    scope_kind: ScopeCode = "province"
    scope_code: Line = Field(
        "", max_length=40, description="area code (scope area) or unit code (scope unit)"
    )


class BriefingIn(Input):
    period_kind: PeriodCode = "quarter"
    on: PeriodDate | None = None
    ends_on: PeriodDate | None = None
    scope_kind: ScopeCode = "province"
    scope_code: Line = Field("", max_length=40)
    title: Line = Field("", max_length=200)


class BriefingPatch(Input):
    title: Line | None = Field(None, min_length=1, max_length=200)
    situation: Text | None = Field(None, max_length=20_000)
    assessment: Text | None = Field(None, max_length=20_000)
    contributions: Text | None = Field(None, max_length=20_000)
    proposals: Text | None = Field(None, max_length=20_000)
    number: Line | None = Field(None, max_length=40)
    recipients: Text | None = Field(None, max_length=2000)
    signer: Line | None = Field(None, max_length=150)
    place: Line | None = Field(None, min_length=1, max_length=80)


class MeetingIn(Input):
    held_on: PeriodDate
    place: Line = Field(min_length=1, max_length=200)
    chair: Line = Field(min_length=1, max_length=150)
    minutes: Text = Field("", max_length=50_000)
    participants: list[Line] = Field(default_factory=list, max_length=100, description="unit codes")


class ConclusionIn(Input):
    text: Text = Field(min_length=1, max_length=4000)
    unit: Line = Field(min_length=1, max_length=40, description="unit code")
    due_on: PeriodDate
    agreement: Line | None = Field(None, max_length=20, description="agreement reference")


class CitationsIn(Input):
    agreements: list[Line] = Field(
        default_factory=list, max_length=50, description="agreement references (replaces the list)"
    )


class ConclusionPatch(Input):
    state: ConclusionStateCode
    result: Text = Field("", max_length=4000)


class AgreementIn(Input):
    title: Line = Field(min_length=1, max_length=300)
    parties: Text = Field(min_length=1, max_length=2000)
    signed_on: PeriodDate
    valid_until: PeriodDate | None = None
    review_on: PeriodDate
    file_name: Line = Field("", max_length=200)


def as_date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None

"""The shapes of the programs API's input and output."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from liaison.core.inputs import Input, Line, PeriodDate, Text
from liaison.programs.models import EntryStatus, IndicatorKind, ProgramStatus

StatusCode = Literal[tuple(ProgramStatus.values)]  # type: ignore[valid-type]
EntryStatusCode = Literal[tuple(EntryStatus.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(IndicatorKind.values)]  # type: ignore[valid-type]
REF_PATTERN = r"^[A-Z]{2}-[0-9]{4}-[0-9]{6}$"
# A value: a number (count, amount), true/false (criterion) or a status code.
Value = Decimal | bool | str | None


class ProgramFilter(Schema):
    status: StatusCode | None = None
    cursor: str | None = Field(
        None, max_length=20, pattern=REF_PATTERN, description="next_cursor of the previous page"
    )
    limit: int = Field(50, ge=1, le=200)


class EntryFilter(Schema):
    program: str | None = Field(None, max_length=20, pattern=REF_PATTERN, description="program reference")
    month: PeriodDate | None = Field(None, description="any day of the month")
    commune: Line | None = Field(None, max_length=40, description="commune code")
    status: EntryStatusCode | None = None
    all_versions: bool = False
    cursor: str | None = Field(None, max_length=20, pattern=REF_PATTERN)
    limit: int = Field(100, ge=1, le=200)


class CommuneIn(Input):
    commune: Line = Field(min_length=1, max_length=40, description="commune code (VN-38-15013)")
    unit: Line = Field(min_length=1, max_length=40, description="code of the commune-level unit that reports")


class IndicatorIn(Input):
    code: Line = Field(min_length=1, max_length=40)
    name_vi: Line = Field(min_length=1, max_length=200)
    name_en: Line = Field("", max_length=200)
    name_lo: Line = Field("", max_length=200)
    kind: KindCode
    unit: Line = Field("", max_length=20, description="an amount's unit: kg, rounds")
    choices: list[dict[str, Line]] = Field(default_factory=list, max_length=20)
    group: Line = Field("", max_length=80)
    summed: bool = True


class ProgramIn(Input):
    name_vi: Line = Field(min_length=1, max_length=200)
    name_en: Line = Field("", max_length=200)
    name_lo: Line = Field("", max_length=200)
    description: Text = Field("", max_length=20_000)
    starts_on: PeriodDate = Field(description="the first month (any day of it)")
    ends_on: PeriodDate = Field(description="the last month (any day of it)")
    template: Line | None = Field(None, max_length=40, description="code of a default program to start from")
    indicators: list[IndicatorIn] | None = Field(None, max_length=100)
    communes: list[CommuneIn] = Field(default_factory=list, max_length=2000)


class ProgramPatch(Input):
    name_vi: Line | None = Field(None, min_length=1, max_length=200)
    name_en: Line | None = Field(None, max_length=200)
    name_lo: Line | None = Field(None, max_length=200)
    description: Text | None = Field(None, max_length=20_000)
    starts_on: PeriodDate | None = None
    ends_on: PeriodDate | None = None
    communes: list[CommuneIn] | None = Field(None, max_length=2000)


class TargetIn(Input):
    indicator: Line = Field(min_length=1, max_length=40, description="indicator code or id")
    commune: Line | None = Field(None, max_length=40, description="commune code; none: the total")
    number: Decimal | None = Field(None, ge=0, le=Decimal("999999999999"), allow_inf_nan=False)
    choice: Line = Field("", max_length=40)


class TargetsIn(Input):
    targets: list[TargetIn] = Field(max_length=5000)


class ValueIn(Input):
    indicator: Line = Field(min_length=1, max_length=40, description="indicator code or id")
    value: Value = None


class EntryIn(Input):
    commune: Line = Field(min_length=1, max_length=40, description="commune code")
    month: PeriodDate = Field(description="any day of the month reported")
    values: list[ValueIn] = Field(min_length=1, max_length=100)
    note: Text = Field("", max_length=5000)


class ResubmitIn(Input):
    values: list[ValueIn] = Field(min_length=1, max_length=100)
    note: Text = Field("", max_length=5000)


class CorrectionIn(Input):
    values: list[ValueIn] = Field(min_length=1, max_length=100)
    reason: Text = Field(min_length=1, max_length=5000)


class ReturnIn(Input):
    reason: Text = Field(min_length=1, max_length=5000)


class FiguresQuery(Schema):
    start: PeriodDate
    end: PeriodDate = Field(description="the day after the period")


class ProgramRowOut(Schema):
    id: uuid.UUID
    ref: str
    name_vi: str
    name_en: str
    name_lo: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    owner_unit_code: str = Field(validation_alias="owner_unit__code")
    owner_unit_name: str = Field(validation_alias="owner_unit__name")
    template: str | None = Field(None, validation_alias="template__code")


class ProgramPageOut(Schema):
    rows: list[ProgramRowOut]
    next_cursor: str | None


class IndicatorOut(Schema):
    id: uuid.UUID
    code: str
    name_vi: str
    name_en: str
    name_lo: str
    kind: str
    unit: str
    choices: list[dict[str, Any]]
    group: str
    summed: bool


class ParticipationOut(Schema):
    id: uuid.UUID
    commune_code: str = Field(validation_alias="commune.code")
    commune: str = Field(validation_alias="commune.name")
    unit_code: str = Field(validation_alias="unit.code")
    unit: str = Field(validation_alias="unit.name")


class TargetOut(Schema):
    indicator: str
    commune: str | None
    number: Decimal | None
    choice: str


class ProgramOut(Schema):
    id: uuid.UUID
    ref: str
    name_vi: str
    name_en: str
    name_lo: str
    description: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    owner_unit_code: str = Field(validation_alias="owner_unit.code")
    owner_unit: str = Field(validation_alias="owner_unit.name")
    template: str | None
    indicators: list[IndicatorOut]
    communes: list[ParticipationOut]
    targets: list[TargetOut]


class EntryRowOut(Schema):
    id: uuid.UUID
    ref: str
    program: str = Field(validation_alias="program__ref")
    month: dt.date
    version: int
    is_current: bool
    status: str
    commune_code: str = Field(validation_alias="participation__commune__code")
    commune: str = Field(validation_alias="participation__commune__name")
    unit: str = Field(validation_alias="participation__unit__name")
    return_reason: str
    correction_reason: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None


class EntryPageOut(Schema):
    rows: list[EntryRowOut]
    next_cursor: str | None


class ValueOut(Schema):
    indicator: str = Field(validation_alias="indicator.code")
    number: Decimal | None
    choice: str


class EntryOut(Schema):
    id: uuid.UUID
    ref: str
    program: str = Field(validation_alias="program.ref")
    program_id: uuid.UUID
    commune_code: str = Field(validation_alias="participation.commune.code")
    commune: str = Field(validation_alias="participation.commune.name")
    month: dt.date
    version: int
    is_current: bool
    status: str
    note: str
    return_reason: str
    correction_reason: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    values: list[ValueOut]
    versions: list[EntryRowOut]


class MissingOut(Schema):
    commune_code: str
    commune: str
    unit: str
    month: dt.date
    due_on: dt.date
    overdue: bool


class TemplateOut(Schema):
    code: str
    name_vi: str
    name_en: str
    name_lo: str
    description: str
    indicators: list[IndicatorOut]


class TemplateIn(Input):
    name_vi: Line | None = Field(None, min_length=1, max_length=200)
    name_en: Line | None = Field(None, max_length=200)
    name_lo: Line | None = Field(None, max_length=200)
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=100)

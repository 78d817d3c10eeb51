"""/api/v1/audit/events: the audit log, for auditors."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Query, Router, Schema
from pydantic import Field

from liaison.audit import selectors
from liaison.core.api import actor_of
from liaison.core.inputs import Line, Since, Until

router = Router(tags=["audit"])


class AuditFilter(Schema):
    verb: int | None = Field(None, ge=0, le=999)
    actor: Line | None = Field(None, max_length=150)
    object_type: Line | None = Field(None, max_length=60)
    object_id: Line | None = Field(None, max_length=64)
    since: Since | None = None
    until: Until | None = None
    before: int | None = Field(None, ge=1)
    limit: int = Field(100, ge=1, le=500)


class AuditEventOut(Schema):
    id: int
    seq: int | None  # the chain position; None until the chainer has linked the event
    at: dt.datetime
    actor_id: uuid.UUID | None
    actor_name: str
    unit_id: uuid.UUID | None
    unit_name: str
    role: str
    via: str
    verb: int
    verb_name: str
    object_type: str
    object_id: str
    object_ref: str
    changes: dict[str, str]
    request_id: str
    address: str
    prev_hash: str
    hash: str


@router.get("/events", response=list[AuditEventOut])
def list_events(request, filters: Query[AuditFilter]):
    return selectors.audit_events(
        actor_of(request),
        verb=filters.verb,
        actor_name=filters.actor,
        object_type=filters.object_type,
        object_id=filters.object_id,
        since=filters.since,
        until=filters.until,
        before_seq=filters.before,
        limit=filters.limit,
    )

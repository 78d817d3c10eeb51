"""Reading the audit log: auditors only, and every read is itself audited (one event per request)."""

from __future__ import annotations

import datetime as dt

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb

PAGE = 100


def audit_events(
    actor,
    *,
    verb: int | None = None,
    actor_name: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before_seq: int | None = None,
    limit: int = PAGE,
) -> list[AuditEvent]:
    """Newest first (in the order they were appended), keyset-paginated by row id. Raises NotPermitted for anyone but auditors."""
    policy.require(actor, "audit.read")
    qs = policy.visible(actor, AuditEvent)
    filters = {}
    if verb is not None:
        qs = qs.filter(verb=verb)
        filters["verb"] = verb
    if actor_name:
        qs = qs.filter(actor_name=actor_name)
        filters["actor_name"] = actor_name
    if object_type:
        qs = qs.filter(object_type=object_type)
        filters["object_type"] = object_type
    if object_id:
        qs = qs.filter(object_id=object_id)
        filters["object_id"] = object_id
    if since:
        qs = qs.filter(at__gte=since)
        filters["since"] = since.isoformat()
    if until:
        qs = qs.filter(at__lt=until)
        filters["until"] = until.isoformat()
    if before_seq:
        qs = qs.filter(id__lt=before_seq)
    rows = list(qs.order_by("-id")[: max(1, min(limit, 500))])
    audit.record_separately(
        actor,
        Verb.AUDIT_LOG_READ,
        object_type="audit.auditevent",
        object_ref=f"{len(rows)} events",
        changes=filters,
    )
    return rows

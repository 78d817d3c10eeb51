"""Writing the audit log: `record` inside the service's transaction, `record_separately` for reads
and refusals (a transaction of their own, so a refusal never rolls back with the refused write)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from liaison.audit.models import AuditEvent, AuditHead
from liaison.audit.verbs import Verb
from liaison.core import clock, context

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "unit_id",
    "unit_name",
    "role",
    "via",
    "verb",
    "verb_name",
    "object_type",
    "object_id",
    "object_ref",
    "changes",
    "request_id",
    "address",
    "prev_hash",
)


def _value_key() -> bytes:
    return hashlib.sha256(b"liaison-audit-values:" + settings.SECRET_KEY.encode()).digest()


def value_hash(value: Any) -> str:
    """Keyed hash of a changed value: comparable later by who holds the record, unreadable in the log
    (a plain hash of a low-entropy value such as a role could be reversed by guessing)."""
    raw = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hmac.new(_value_key(), raw, hashlib.sha256).hexdigest()


def _canonical_at(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict[str, Any]) -> str:
    doc = {k: fields[k] for k in HASHED_FIELDS}
    doc["at"] = _canonical_at(doc["at"])
    doc["actor_id"] = str(doc["actor_id"]) if doc["actor_id"] else ""
    doc["unit_id"] = str(doc["unit_id"]) if doc["unit_id"] else ""
    raw = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()


def hash_of_event(ev: AuditEvent) -> str:
    return event_hash({k: getattr(ev, k) for k in HASHED_FIELDS})


def _describe(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    otype = f"{meta.app_label}.{meta.model_name}" if meta else type(obj).__name__
    ref = getattr(obj, "code", "") or getattr(obj, "ref", "") or getattr(obj, "username", "") or ""
    return otype, str(getattr(obj, "pk", "")), str(ref)[:120]


def record(
    actor,
    verb: Verb,
    obj: Any = None,
    *,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_ref: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (the change and its event commit
    together). Call it last: it takes the chain-head lock, held only until commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the service's transaction")
    otype, oid, oref = _describe(obj)
    user = getattr(actor, "user", None)
    membership = getattr(actor, "membership", None)
    unit = membership.unit if membership else None
    head = AuditHead.objects.select_for_update().get(pk=1)
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": clock.now().astimezone(dt.UTC),
        "actor_id": user.pk if user else None,
        "actor_name": (user.username if user else actor_name or "system")[:150],
        "unit_id": unit.pk if unit else None,
        "unit_name": (unit.name if unit else "")[:200],
        "role": membership.role if membership else "",
        "via": getattr(actor, "via", "") or "",
        "verb": int(verb),
        "verb_name": verb.name.lower(),
        "object_type": object_type or otype,
        "object_id": object_id or oid,
        "object_ref": (object_ref or oref)[:120],
        "changes": {name: value_hash(value) for name, value in sorted((changes or {}).items())},
        "request_id": context.request_id.get(),
        "address": context.client_address.get()[:64],
        "prev_hash": head.hash,
    }
    fields["hash"] = event_hash(fields)
    event = AuditEvent.objects.create(**fields)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


def record_separately(actor, verb: Verb, obj: Any = None, **kwargs: Any) -> AuditEvent:
    """Append one event in a transaction of its own: reads, sign-ins and refusals.

    Refusals are recorded at the interface boundary, after the refused work has unwound: inside a
    caller's transaction the event would roll back with it, so the transaction is durable (Django
    raises RuntimeError inside another one; the test case's own transactions excepted). It never
    joins an interface's boundary (`core/transactions.py`): a refusal outlives the refused write."""
    with transaction.atomic(durable=True):
        return record(actor, verb, obj, **kwargs)


def record_refusal(actor, action: str, obj: Any = None) -> AuditEvent:
    """A refused action, recorded at the interface boundary (the kernel calls it through
    `LIAISON_RECORD_REFUSAL`, for the API and the pages alike)."""
    return record_separately(actor, Verb.ACCESS_REFUSED, obj, changes={"action": action})

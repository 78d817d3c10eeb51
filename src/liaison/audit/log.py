"""Writing the audit log: `record` inside the service's transaction, `record_separately` for reads
and refusals (a transaction of their own, so a refusal never rolls back with the refused write).

Both append the event unlinked, with no lock on the chain head (decision 0018): its row id, its
content and the keyed hash of both (`content_hash`). The chainer (`liaison.audit.chainer`) links it
later; it refuses an event whose content no longer matches that hash.

Each event's hash is keyed: HMAC-SHA256 with the chain key, a file kept outside the database
(`AUDIT_KEY_FILE`), over a canonical JSON of the event and the previous hash. Someone with access to
the database alone can delete or cut, which the chain and the checkpoints show, but cannot append
or rewrite an event that verifies (decision 0008).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core import clock, context

log = logging.getLogger("liaison.audit")

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


class ChainKeyMissing(Exception):
    """The chain key file is absent where events exist: they cannot be verified (never silently
    replaced by a new key, which would make every event look forged)."""


@cache
def _read_or_create_key(path: str, create: bool) -> bytes:
    p = Path(path)
    if not p.exists():
        if not create:
            raise ChainKeyMissing(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name, then linked into place: a web process and the
        # worker starting together never read a half-written key, and the loser reads the winner's.
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, p)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    raw = p.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise ChainKeyMissing(f"{path} (not a key of 64 hex digits)")
    return key


def chain_key(*, create: bool = True) -> bytes:
    """The chain key, read from `AUDIT_KEY_FILE` (created on first use unless `create` is false)."""
    return _read_or_create_key(str(settings.AUDIT_KEY_FILE), create)


def key_id(key: bytes | None = None) -> str:
    """A name for the chain key that reveals nothing of it: checkpoints carry it, so that verify can
    tell a replaced or lost key file from forged events."""
    return hmac.new(key or chain_key(), b"liaison-audit-key-id", hashlib.sha256).hexdigest()[:16]


def _canonical(fields: dict[str, Any]) -> bytes:
    doc = {k: fields[k] for k in HASHED_FIELDS}
    doc["at"] = _canonical_at(doc["at"])
    doc["actor_id"] = str(doc["actor_id"]) if doc["actor_id"] else ""
    doc["unit_id"] = str(doc["unit_id"]) if doc["unit_id"] else ""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event's canonical form (previous hash included) under the chain key."""
    return hmac.new(key or chain_key(), _canonical(fields), hashlib.sha256).hexdigest()


def unkeyed_hash(fields: dict[str, Any]) -> str:
    """The plain SHA-256 the chain used before it was keyed: what someone without the key computes.
    Verify uses it only to name a forgery as such."""
    return hashlib.sha256(_canonical(fields)).hexdigest()


# What the request writes and the content hash covers: everything but the chain position and link,
# and the row id (so that a copy of an event, made by someone with database access, is a forgery).
CONTENT_FIELDS = ("id", *(f for f in HASHED_FIELDS if f not in ("seq", "prev_hash")))


def content_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event's content and row id under the chain key, written at insert."""
    doc = {k: fields[k] for k in CONTENT_FIELDS}
    doc["at"] = _canonical_at(doc["at"])
    doc["actor_id"] = str(doc["actor_id"]) if doc["actor_id"] else ""
    doc["unit_id"] = str(doc["unit_id"]) if doc["unit_id"] else ""
    raw = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key or chain_key(), b"content:" + raw, hashlib.sha256).hexdigest()


def content_hash_of_event(ev: AuditEvent, key: bytes | None = None) -> str:
    return content_hash({k: getattr(ev, k) for k in CONTENT_FIELDS}, key)


def _fields(ev: AuditEvent) -> dict[str, Any]:
    return {k: getattr(ev, k) for k in HASHED_FIELDS}


def hash_of_event(ev: AuditEvent, key: bytes | None = None) -> str:
    return event_hash(_fields(ev), key)


def unkeyed_hash_of_event(ev: AuditEvent) -> str:
    return unkeyed_hash(_fields(ev))


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
    """Append one event, unlinked. Must run inside the caller's transaction (the change and its event
    commit together). It takes no lock: the chainer links the event once it has committed."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the service's transaction")
    otype, oid, oref = _describe(obj)
    user = getattr(actor, "user", None)
    membership = getattr(actor, "membership", None)
    unit = membership.unit if membership else None
    fields: dict[str, Any] = {
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
    }
    return append(fields)


def append(fields: dict[str, Any], key: bytes | None = None) -> AuditEvent:
    """Insert an unlinked event: its row id taken first (unless given: one taken earlier), so that its
    content hash covers it."""
    fields = {**fields, "id": fields.get("id") or _next_id()}
    fields["content_hash"] = content_hash(fields, key)
    return AuditEvent.objects.create(**fields, seq=None, prev_hash="", hash="")


def _next_id() -> int:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id'))")
        else:
            # SQLite: transactions begin IMMEDIATE (settings), so this writer alone takes the next id.
            cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_auditevent")
        return cur.fetchone()[0]


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

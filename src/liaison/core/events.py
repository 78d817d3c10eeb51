"""Events: one row per thing that happened, written in the service's transaction, with the units
that should hear of it. The live feed, notifications and (later) the partner outbox read them.

Ids come from a sequence; a reader that resumes from an id must not trust ids that could still be
overtaken by a transaction committing later (see ARCHITECTURE.md, "Events and outbox").
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from liaison.core import clock
from liaison.core.models import Event, EventAudience


def emit(kind: str, obj: Any = None, *, units=(), data: dict | None = None) -> Event:
    """Record an event inside the caller's transaction; `units` are the audience (unit ids or units)."""
    if not connection.in_atomic_block:
        raise RuntimeError("events are emitted inside the service's transaction")
    meta = getattr(obj, "_meta", None)
    ev = Event.objects.create(
        kind=kind,
        at=clock.now(),
        object_type=f"{meta.app_label}.{meta.model_name}" if meta else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        object_ref=str(getattr(obj, "ref", "") or "")[:40],
        data=data or {},
    )
    ids = {getattr(u, "pk", u) for u in units if u is not None}
    EventAudience.objects.bulk_create([EventAudience(event=ev, unit_id=uid) for uid in ids])
    if connection.vendor == "postgresql" and not any(
        entry[1] is _notify for entry in connection.run_on_commit
    ):
        # A payload-free wake-up for the live streams, after commit, once per transaction. It is only a
        # hint: the streams read the table, and poll as well.
        transaction.on_commit(_notify, robust=True)
    return ev


CHANNEL = "liaison_events"


def _notify() -> None:
    with connection.cursor() as cur:
        cur.execute(f"NOTIFY {CHANNEL}")

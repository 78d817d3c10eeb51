"""The chainer: the one sequencer that links appended events into the audit chain (decision 0018).

Requests append events unlinked (`log.record`), holding no lock. A link pass reads the unlinked
events that have committed — whatever its statement sees: under READ COMMITTED on PostgreSQL, and
inside SQLite's single writer, that is every committed event and nothing else — and gives them the
next chain positions in the order it sees them (row id order within a pass). The chain position is
the chainer's own sequence: an event whose transaction commits late, after events appended after
it were linked, is simply found, and linked, by a later pass. No commit horizon is needed, so no
long transaction anywhere on the server delays linking; nothing is skipped, since an event leaves
the unlinked set only by being linked (or refused, below).

Before linking an event the chainer recomputes the keyed hash of its content and row id: an event
changed since its insert (or one inserted by someone without the chain key) no longer matches
`content_hash`. The chainer refuses it — it stays unlinked, `audit verify` names it — and appends
an event of its own (`AUDIT_LINK_REFUSED`, linked in the same pass) so that the refusal is itself
in the signed chain even if the altered row is later deleted.

Only one chainer links at a time: a transaction-level advisory lock on PostgreSQL (a second worker's
chainer skips its turn), SQLite's single writer otherwise. The worker runs a pass every
`AUDIT_LINK_POLL` seconds (0.25) from a thread of its own; `liaison audit link` runs passes until
nothing is left; the demo runs them at its end. After a pass that crosses a multiple of
`AUDIT_CHECKPOINT_EVERY`, the chainer signs a checkpoint: checkpoints sign the head, and only the
chainer moves it, so a checkpoint covers linked events only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from liaison.audit.log import append, chain_key, content_hash_of_event, hash_of_event, value_hash
from liaison.audit.models import AuditEvent, AuditHead
from liaison.audit.verbs import Verb
from liaison.core import clock

log = logging.getLogger("liaison.audit")

# Any constant of its own: the key of the chainer's advisory lock on PostgreSQL.
_CHAINER_LOCK = int.from_bytes(b"lia-link", "big")
BATCH = 2000


@dataclass
class Pass:
    linked: int = 0
    refused: list[int] = field(default_factory=list)  # row ids refused in this pass
    head: int = 0
    busy: bool = False  # another chainer holds the lock: nothing done


def refused_ids() -> set[int]:
    """Row ids of the events the chainer refused (named by its own refusal events)."""
    return {
        int(oid)
        for oid in AuditEvent.objects.filter(
            verb=int(Verb.AUDIT_LINK_REFUSED), object_type="audit.auditevent"
        ).values_list("object_id", flat=True)
        if oid.isdigit()
    }


def _one_chainer(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: transactions begin IMMEDIATE (settings), one writer at a time
    with connection.cursor() as cur:
        if wait:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAINER_LOCK])
            return True
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [_CHAINER_LOCK])
        return bool(cur.fetchone()[0])


def link_pass(*, wait: bool = False, batch: int = BATCH) -> Pass:
    """Link up to `batch` committed unlinked events, in one transaction. -> what it did."""
    done = Pass()
    if not AuditEvent.objects.filter(seq__isnull=True).exists():
        return done
    with transaction.atomic():
        if not _one_chainer(wait):
            done.busy = True
            return done
        head = AuditHead.objects.select_for_update().get(pk=1)
        start = head.seq
        refused = refused_ids()
        rows = list(
            AuditEvent.objects.filter(seq__isnull=True).exclude(id__in=refused).order_by("id")[:batch]
        )
        if not rows:
            return done
        key = chain_key()
        linked: list[AuditEvent] = []

        def link(ev: AuditEvent) -> None:
            ev.seq, ev.prev_hash = head.seq + 1, head.hash
            ev.hash = hash_of_event(ev, key)
            head.seq, head.hash = ev.seq, ev.hash
            linked.append(ev)

        for ev in rows:
            if ev.content_hash and content_hash_of_event(ev, key) == ev.content_hash:
                link(ev)
                continue
            done.refused.append(ev.id)
            log.error(
                "audit event id %d was altered after it was appended (its content no longer matches "
                "its content hash): not linked",
                ev.id,
            )
            link(_refusal(ev, key))
        AuditEvent.objects.bulk_update(linked, ["seq", "prev_hash", "hash"], batch_size=500)
        head.save(update_fields=["seq", "hash"])
        done.linked, done.head = len(linked), head.seq
        every = settings.AUDIT_CHECKPOINT_EVERY
        if head.seq // every > start // every:
            # A checkpoint once this pass has committed (never of links that might roll back).
            transaction.on_commit(_checkpoint_after_events)
    return done


def _refusal(ev: AuditEvent, key: bytes) -> AuditEvent:
    return append(
        {
            "at": clock.now().astimezone(dt.UTC),
            "actor_id": None,
            "actor_name": "chainer",
            "unit_id": None,
            "unit_name": "",
            "role": "",
            "via": "",
            "verb": int(Verb.AUDIT_LINK_REFUSED),
            "verb_name": Verb.AUDIT_LINK_REFUSED.name.lower(),
            "object_type": "audit.auditevent",
            "object_id": str(ev.id),
            "object_ref": f"id {ev.id}",
            "changes": {"content_hash": value_hash(ev.content_hash)},
            "request_id": "",
            "address": "",
        },
        key,
    )


def link_all(*, wait: bool = True) -> int:
    """Passes until no committed event is left unlinked (the CLI, the demo, tests). -> events linked."""
    total = 0
    while True:
        done = link_pass(wait=wait)
        total += done.linked
        if done.busy or done.linked < BATCH:
            return total


def _checkpoint_after_events() -> None:
    from liaison.audit import checkpoints

    try:
        checkpoints.write_checkpoint()
    except Exception:
        log.exception("audit checkpoint after %d events failed", settings.AUDIT_CHECKPOINT_EVERY)


def worker_link() -> str | None:
    """The worker's chainer (its own thread, every AUDIT_LINK_POLL seconds)."""
    done = link_pass()
    if done.refused:
        return f"chainer: REFUSED altered event(s) id {', '.join(map(str, done.refused))}"
    return None

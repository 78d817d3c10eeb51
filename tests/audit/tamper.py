"""What someone with write access to the database can do to the audit log, for the tamper tests.

Everything here runs inside the test's transaction (trigger DDL included) and is rolled back with it.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

from django.db import connection

from liaison.audit import log
from liaison.audit.chainer import link_all
from liaison.audit.log import content_hash_of_event, hash_of_event, unkeyed_hash_of_event
from liaison.audit.models import GENESIS_HASH, AuditEvent, AuditHead

_append_only = importlib.import_module("liaison.audit.migrations.0004_link_off_the_request")
_head_forward = importlib.import_module("liaison.audit.migrations.0003_head_forward")

EVENTS = "audit_auditevent"
HEAD = "audit_audithead"


def run_sql(sql: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


@contextlib.contextmanager
def triggers_bypassed() -> Iterator[None]:
    """Switch the append-only triggers (events) and the forward-only triggers (head) off, as a
    database superuser could.

    Only inside the test's transaction: the DDL is transactional on both databases and is rolled
    back with the test. The triggers are restored on the way out so later statements in the same
    test meet them again (after an error the rollback restores them anyway)."""
    assert connection.in_atomic_block, "tamper only inside the test's transaction"
    if connection.vendor == "postgresql":
        run_sql(f"ALTER TABLE {EVENTS} DISABLE TRIGGER USER")
        run_sql(f"ALTER TABLE {HEAD} DISABLE TRIGGER USER")
    else:
        for sql in _append_only.SQLITE_BACKWARD + _head_forward.SQLITE_BACKWARD:
            run_sql(sql)
    yield
    if connection.vendor == "postgresql":
        run_sql(f"ALTER TABLE {EVENTS} ENABLE TRIGGER USER")
        run_sql(f"ALTER TABLE {HEAD} ENABLE TRIGGER USER")
    else:
        for sql in _append_only.SQLITE_FORWARD + _head_forward.SQLITE_FORWARD:
            run_sql(sql)


def record(*args, **kwargs) -> AuditEvent:
    """`log.record`, then a link pass: what the worker's chainer does within a second of the commit
    (the tests of the chain itself; test_link.py checks the event unlinked before the pass)."""
    ev = log.record(*args, **kwargs)
    link_all()
    ev.refresh_from_db()
    return ev


def next_id() -> int:
    return (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def chain() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "actor_name", "prev_hash", "hash"))


def head_seq() -> int:
    return AuditHead.objects.get(pk=1).seq


def event(seq: int) -> AuditEvent:
    return AuditEvent.objects.get(seq=seq)


def set_head(seq: int) -> None:
    """Point the head at event `seq`: forward needs no bypass, backward does."""
    run_sql(f"UPDATE {HEAD} SET seq = %s, hash = %s WHERE id = 1", [seq, event(seq).hash])


def make_room_after(seq: int) -> None:
    """Shift every event after `seq` up by one (two steps: the primary key is checked per row)."""
    run_sql(f"UPDATE {EVENTS} SET seq = -seq WHERE seq > %s", [seq])
    run_sql(f"UPDATE {EVENTS} SET seq = 1 - seq WHERE seq < 0")


def insert_forged(seq: int, *, prev_hash: str, hash: str | None = None, keyed: bool = True) -> AuditEvent:
    """Insert an event at `seq` copied from its predecessor with another actor. `hash=None` gives it a
    hash consistent with its own content: keyed (someone who also holds the chain key) or, with
    `keyed=False`, the plain SHA-256 that is all database access alone can compute."""
    fields = AuditEvent.objects.filter(seq=seq - 1).values()[0]
    fields.update(id=next_id(), seq=seq, actor_name="forger", prev_hash=prev_hash, hash="", content_hash="")
    forged = AuditEvent(**fields)
    if keyed:
        forged.content_hash = content_hash_of_event(forged)
    if hash is None:
        hash = hash_of_event(forged) if keyed else unkeyed_hash_of_event(forged)
    forged.hash = hash
    forged.save(force_insert=True)
    return forged


def rechain_from(seq: int) -> None:
    """Recompute every link and hash from `seq` to the end with the chain key and move the head: a
    chain that is consistent in itself (someone holding the database and the key)."""
    prev = event(seq - 1).hash if seq > 1 else GENESIS_HASH
    last = seq - 1
    for ev in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        ev.prev_hash = prev
        ev.hash = hash_of_event(ev)
        if ev.content_hash:  # written at insert since decision 0018: the key holder recomputes it too
            ev.content_hash = content_hash_of_event(ev)
        run_sql(
            f"UPDATE {EVENTS} SET prev_hash = %s, hash = %s, content_hash = %s WHERE seq = %s",
            [ev.prev_hash, ev.hash, ev.content_hash, ev.seq],
        )
        prev, last = ev.hash, ev.seq
    set_head(last)


def delete_lines(path, numbers: set[int]) -> None:
    """Delete checkpoint lines (1-based) from a checkpoint file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "".join(ln + "\n" for i, ln in enumerate(lines, start=1) if i not in numbers), encoding="utf-8"
    )

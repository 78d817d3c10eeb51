"""`liaison audit verify`: walk the chain and the checkpoints and name every fault found.

The events: an edited event (its content no longer matches its keyed hash), an event forged without
the chain key (a plain SHA-256 where the keyed hash belongs), an event deleted from the middle (a gap
in the sequence), reordered or replaced events (the link to the previous hash breaks), a chain
recomputed after tampering (it no longer matches a signed checkpoint), a tail cut back (the head, or
a checkpoint, records more events than remain).

The checkpoints: a line without a valid signature, numbers missing or out of order, a broken chain
(a checkpoint that does not sign the one before), a second copy that differs from the first, and
checkpoints that stop too early: events older than two intervals that no checkpoint covers (the
file deleted, its last lines deleted, or the worker not signing). Events younger than that, after
the last checkpoint, cannot be proven yet (see docs/threat-model.md).

Events not yet linked (decision 0018): one still unlinked `AUDIT_LINK_LIMIT` seconds after it was
written (`event-not-linked`: the chainer is not running, or cannot link it), one whose content no
longer matches the content hash written at its insert (`event-altered`), and every refusal the
chainer recorded (`link-refused`: it stays a fault, for the altered row may since have been deleted).

Each fault carries a code (tests assert codes) and a sentence naming what was found.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from liaison.audit.checkpoints import Checkpoint, checkpoint_file, copy_file, parse, public_key, read_lines
from liaison.audit.log import (
    ChainKeyMissing,
    chain_key,
    content_hash_of_event,
    hash_of_event,
    key_id,
    unkeyed_hash_of_event,
)
from liaison.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from liaison.audit.verbs import Verb
from liaison.core import clock


@dataclass(frozen=True)
class Fault:
    code: str
    message: str
    seq: int | None = None  # the first event it concerns, when it concerns one


@dataclass
class VerifyResult:
    events: int = 0
    checkpoints: int = 0
    faults: list[Fault] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.faults]

    @property
    def broken_seq(self) -> int | None:
        return self.faults[0].seq if self.faults else None

    @property
    def reason(self) -> str:
        return self.faults[0].message if self.faults else ""

    def fault(self, code: str) -> Fault | None:
        return next((f for f in self.faults if f.code == code), None)

    def summary(self) -> str:
        if self.ok:
            return (
                f"audit log OK: {self.events} events, chain intact, {self.checkpoints} signed "
                f"checkpoints match" + ("; " + "; ".join(self.notes) if self.notes else "")
            )
        lines = []
        for f in self.faults:
            where = f" at event #{f.seq}" if f.seq is not None else ""
            lines.append(f"audit log BROKEN{where}: {f.message} [{f.code}]")
        return "\n".join(lines)


def _when(at: dt.datetime | str) -> str:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(a: int, b: int) -> str:
    return f"#{a}" if a == b else f"#{a}–#{b}"


# --- the checkpoint files ----------------------------------------------------------------------


def _structure(cps: list[Checkpoint], where: str) -> list[Fault]:
    """Signatures, numbering, order and chain of one checkpoint file; one fault of each kind."""
    found: dict[str, Fault] = {}

    def add(code: str, message: str) -> None:
        found.setdefault(code, Fault(code, message))

    for cp in cps:
        if not cp.signature_ok:
            add(
                "checkpoint-signature",
                f"checkpoint on line {cp.line} of {where} has no valid signature (forged or damaged checkpoint)",
            )
    valid = [cp for cp in cps if cp.signature_ok]
    for a, b in zip(valid, valid[1:], strict=False):
        if b.n <= a.n:
            add(
                "checkpoint-order",
                f"checkpoint #{b.n} on line {b.line} of {where} comes after #{a.n}: "
                + ("repeated" if b.n == a.n else "out of order"),
            )
        elif b.seq < a.seq:
            add(
                "checkpoint-order",
                f"checkpoint #{b.n} of {where} signs event #{b.seq}, before checkpoint #{a.n}'s event "
                f"#{a.seq}: out of order",
            )
    numbers = sorted({cp.n for cp in valid})
    expected = 1
    for n in numbers:
        if n > expected:
            if expected == 1:
                add(
                    "checkpoint-missing", f"checkpoints {_span(1, n - 1)} are missing: {where} begins at #{n}"
                )
            else:
                add(
                    "checkpoint-missing",
                    f"checkpoint{'s' if n - expected > 1 else ''} {_span(expected, n - 1)} "
                    f"{'are' if n - expected > 1 else 'is'} missing from {where} "
                    f"(#{expected - 1} is followed by #{n}): deleted",
                )
        expected = n + 1
    before: Checkpoint | None = None
    for cp in valid:
        if cp.n == 1 and cp.prev != GENESIS_HASH:
            add(
                "checkpoint-chain",
                f"checkpoint #1 of {where} signs a previous checkpoint: its chain is broken",
            )
        elif before is not None and cp.n == before.n + 1 and cp.prev != before.digest:
            add(
                "checkpoint-chain",
                f"checkpoint #{cp.n} of {where} does not sign checkpoint #{before.n} before it: "
                "the chain of checkpoints is broken (a checkpoint was replaced)",
            )
        before = cp
    return list(found.values())


def _number(raw: str) -> str:
    try:
        return f"#{int(json.loads(raw)['n'])}"
    except (ValueError, KeyError, TypeError):
        return "an unreadable line"


def _numbers(lines: list[str]) -> str:
    a, b = _number(lines[0]), _number(lines[-1])
    return f"checkpoint {a}" if len(lines) == 1 else f"checkpoints {a}–{b}"


def _compare(first: list[str], second: list[str] | None, first_path: Path, second_path: Path) -> Fault | None:
    if second is None:
        return (
            Fault("checkpoint-copy", f"the second copy of the checkpoints ({second_path}) is missing")
            if first
            else None
        )
    if first == second:
        return None
    same = 0
    while same < min(len(first), len(second)) and first[same] == second[same]:
        same += 1
    if same == len(first):
        extra = second[same:]
        return Fault(
            "checkpoint-copy",
            f"the second copy ({second_path}) holds {_numbers(extra)} that {first_path} lacks: "
            "deleted from the checkpoint file",
        )
    if same == len(second):
        extra = first[same:]
        return Fault(
            "checkpoint-copy",
            f"the second copy ({second_path}) lacks {_numbers(extra)} of {first_path}: "
            "never copied, or deleted there",
        )
    return Fault(
        "checkpoint-copy",
        f"line {same + 1} differs between {first_path} ({_number(first[same])}) and the second copy "
        f"({second_path}, {_number(second[same])})",
    )


# --- the whole --------------------------------------------------------------------------------


def verify() -> VerifyResult:
    """Check the events against their keys and links, and against every signed checkpoint of both
    copies; check the checkpoints' numbering, chain, copies and freshness (at the clock's now)."""
    result = VerifyResult()
    first_path, second_path = checkpoint_file(), copy_file()
    first = read_lines(first_path)
    second = read_lines(second_path) if second_path else None
    pub = public_key()
    cps = [parse(raw, n, pub) for n, raw in enumerate(first or [], start=1)]
    result.faults += _structure(cps, str(first_path))
    signed = [cp for cp in cps if cp.signature_ok]
    if second_path is None:
        result.notes.append("no second copy of the checkpoints is configured (LIAISON_CHECKPOINT_COPY_DIR)")
    else:
        copy_cps = [parse(raw, n, pub) for n, raw in enumerate(second or [], start=1)]
        result.faults += _structure(copy_cps, f"the second copy ({second_path})")
        difference = _compare(first or [], second, first_path, second_path)
        if difference:
            result.faults.append(difference)
        seen = {cp.digest for cp in signed}
        signed += [cp for cp in copy_cps if cp.signature_ok and cp.digest not in seen]
    result.checkpoints = len(signed)
    _events(result, signed, first_path if first is not None else None, first_path)
    return result


def _events(result: VerifyResult, cps: list[Checkpoint], present: Path | None, first_path: Path) -> None:
    # Read the head before walking: every event up to it must be there (a cut tail that left the head
    # in place is found even without a checkpoint). Events appended meanwhile are simply walked too.
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if not AuditEvent.objects.exists():
        if head_seq:
            result.faults.append(
                Fault("tail-cut", f"the log is empty but the chain head records event #{head_seq}", 1)
            )
        return
    try:
        key = chain_key(create=False)
    except ChainKeyMissing as missing:
        result.faults.append(
            Fault("audit-key", f"the chain key {missing} is missing: no event can be verified without it")
        )
        return
    mine = key_id(key)
    for cp in cps:
        if cp.key != mine:
            result.faults.append(
                Fault(
                    "audit-key",
                    f"checkpoint #{cp.n} was signed for chain key {cp.key}, and this node's key is {mine}: "
                    "the key file (LIAISON_AUDIT_KEY_FILE) was replaced",
                )
            )
            break
    by_seq: dict[int, list[Checkpoint]] = {}
    for cp in cps:
        by_seq.setdefault(cp.seq, []).append(cp)
    covered = max((cp.seq for cp in cps), default=0)
    expected, prev, count = 1, GENESIS_HASH, 0
    first_unproven: AuditEvent | None = None
    last: AuditEvent | None = None
    _unlinked(result, key)
    for ev in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        fault = _event_fault(ev, expected, prev, key, by_seq)
        if fault:
            result.events = count
            result.faults.append(fault)
            return
        if ev.seq == covered + 1:
            first_unproven = ev
        if ev.seq == head_seq and ev.hash != head_hash:
            result.faults.append(
                Fault(
                    "head-moved",
                    f"the chain head records another hash for event #{ev.seq} than the event's own: "
                    "the head was moved",
                    ev.seq,
                )
            )
        prev, expected, count, last = ev.hash, expected + 1, count + 1, ev
    result.events = count
    if head_seq > count:
        result.faults.append(
            Fault(
                "tail-cut",
                f"the log ends at event #{count} but the chain head records event #{head_seq}: the tail was cut",
                count + 1,
            )
        )
    beyond = [cp for cp in cps if cp.seq > count]
    if beyond:
        top = max(beyond, key=lambda c: c.seq)
        result.faults.append(
            Fault(
                "tail-cut",
                f"the log ends at event #{count} but checkpoint #{top.n} signed at {_when(top.at)} "
                f"covers event #{top.seq}: the tail was cut"
                + (" and the head moved back" if head_seq == count else ""),
                count + 1,
            )
        )
    if beyond or first_unproven is None or last is None:
        return
    _freshness(result, cps, first_unproven, last, present, first_path)


def _unlinked(result: VerifyResult, key: bytes) -> None:
    """Events the chainer has not linked: altered ones, overdue ones; and the chainer's refusals."""
    limit = settings.AUDIT_LINK_LIMIT
    now = clock.now()
    young = 0
    for ev in AuditEvent.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=2000):
        if not ev.content_hash or content_hash_of_event(ev, key) != ev.content_hash:
            result.faults.append(
                Fault(
                    "event-altered",
                    f"unlinked event id {ev.id} was altered after it was written (or written without the "
                    "chain key): its content does not match its content hash, and the chainer refuses it",
                )
            )
        elif now - ev.at > dt.timedelta(seconds=limit):
            result.faults.append(
                Fault(
                    "event-not-linked",
                    f"event id {ev.id}, written at {_when(ev.at)}, is still unlinked more than {limit} s "
                    "later (LIAISON_AUDIT_LINK_LIMIT): the chainer is not running",
                )
            )
        else:
            young += 1
    if young:
        result.notes.append(f"{young} event(s) written in the last {limit} s are not linked yet")
    for ev in AuditEvent.objects.filter(verb=int(Verb.AUDIT_LINK_REFUSED)).order_by("id"):
        result.faults.append(
            Fault(
                "link-refused",
                f"the chainer refused to link event id {ev.object_id} at {_when(ev.at)}: its content had "
                "been altered after it was written",
                ev.seq,
            )
        )


def _event_fault(
    ev: AuditEvent, expected: int, prev: str, key: bytes, by_seq: dict[int, list[Checkpoint]]
) -> Fault | None:
    if ev.seq != expected:
        return Fault(
            "event-missing",
            f"event #{expected} is missing (next present is #{ev.seq}): deleted from the chain",
            expected,
        )
    if ev.prev_hash != prev:
        return Fault(
            "event-unlinked",
            f"event #{ev.seq} does not link to event #{ev.seq - 1} "
            "(previous-hash mismatch: reordered, replaced or forged)",
            ev.seq,
        )
    if hash_of_event(ev, key) != ev.hash or (
        ev.content_hash and content_hash_of_event(ev, key) != ev.content_hash
    ):
        if unkeyed_hash_of_event(ev) == ev.hash:
            return Fault(
                "event-forged",
                f"event #{ev.seq} was forged: its hash is a plain SHA-256 made without the chain key "
                "(written by someone with database access alone)",
                ev.seq,
            )
        return Fault(
            "event-altered", f"event #{ev.seq} was altered: its content does not match its hash", ev.seq
        )
    for cp in by_seq.get(ev.seq, ()):
        if cp.hash != ev.hash:
            return Fault(
                "chain-rewritten",
                f"event #{ev.seq} does not match checkpoint #{cp.n} signed at {_when(cp.at)} "
                "(the chain was rewritten)",
                ev.seq,
            )
    return None


def _freshness(
    result: VerifyResult,
    cps: list[Checkpoint],
    oldest: AuditEvent,
    head: AuditEvent,
    present: Path | None,
    first_path: Path,
) -> None:
    """Events past the last checkpoint: unproven for now while young, a fault once older than two
    intervals (the worker signs every interval; the second absorbs a slow round)."""
    interval = settings.AUDIT_CHECKPOINT_INTERVAL
    grace = dt.timedelta(seconds=2 * interval)
    now = clock.now()
    span = _span(oldest.seq, head.seq)
    if now - oldest.at <= grace:
        result.notes.append(f"events {span} come after the last checkpoint and cannot be proven yet")
        return
    limit = f"more than two intervals ({2 * interval} s) ago"
    if not cps:
        state = (
            "there is no checkpoint file" if present is None else "the checkpoint file holds no checkpoint"
        )
        result.faults.append(
            Fault(
                "checkpoints-absent",
                f"{state} ({first_path}), yet events {span} exist, the oldest written at "
                f"{_when(oldest.at)}, {limit}: the checkpoints were deleted or never written",
                oldest.seq,
            )
        )
        return
    top = max(cps, key=lambda c: (c.seq, c.n))
    if now - head.at > grace:
        result.faults.append(
            Fault(
                "checkpoints-end-early",
                f"the checkpoints end at #{top.n} (event #{top.seq}, signed at {_when(top.at)}) but the head, "
                f"event #{head.seq}, was written at {_when(head.at)}, {limit}: later checkpoints are "
                "missing (deleted), or the worker stopped signing",
                oldest.seq,
            )
        )
        return
    result.faults.append(
        Fault(
            "events-unproven",
            f"events {span} lie past the last checkpoint (#{top.n}, event #{top.seq}) and the oldest was "
            f"written at {_when(oldest.at)}, {limit}: checkpoints are missing (deleted), or the worker "
            "stopped signing",
            oldest.seq,
        )
    )

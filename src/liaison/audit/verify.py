"""`liaison audit verify`: walk the chain and name the first broken link.

Detects an edited event (its content no longer matches its hash), an event deleted from the middle
(a gap in the sequence), reordered or forged events (the chain link to the previous hash breaks),
a chain recomputed after tampering (it no longer matches a signed checkpoint), and a tail cut back
past the last checkpoint. Events after the last checkpoint cannot be proven (see docs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison.audit.checkpoints import Checkpoint, read_checkpoints
from liaison.audit.log import hash_of_event
from liaison.audit.models import GENESIS_HASH, AuditEvent, AuditHead


@dataclass
class VerifyResult:
    ok: bool
    events: int = 0
    checkpoints: int = 0
    broken_seq: int | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            return (
                f"audit log OK: {self.events} events, chain intact, {self.checkpoints} signed "
                f"checkpoints match" + ("; " + "; ".join(self.notes) if self.notes else "")
            )
        if self.broken_seq is None:
            return f"audit log BROKEN: {self.reason}"
        return f"audit log BROKEN at event #{self.broken_seq}: {self.reason}"


def verify(checkpoints: list[Checkpoint] | None = None) -> VerifyResult:
    cps = read_checkpoints() if checkpoints is None else checkpoints
    for cp in cps:
        if not cp.signature_ok:
            return VerifyResult(
                False,
                broken_seq=None,
                reason=f"checkpoint on line {cp.line} has no valid signature (forged or damaged checkpoint)",
            )
    # Every signed checkpoint counts: a later one signed over a rewritten head at the same sequence
    # number does not hide an earlier one.
    by_seq: dict[int, list[Checkpoint]] = {}
    for cp in cps:
        by_seq.setdefault(cp.seq, []).append(cp)
    # Read the head before walking: every event up to it must be there (a cut tail that left the head
    # in place is found even without a checkpoint). Events appended meanwhile are simply walked too.
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    expected = 1
    prev = GENESIS_HASH
    count = 0
    qs = AuditEvent.objects.order_by("seq")
    for ev in qs.iterator(chunk_size=2000):
        if ev.seq != expected:
            return VerifyResult(
                False,
                count,
                len(cps),
                expected,
                f"event #{expected} is missing (next present is #{ev.seq}): deleted from the chain",
            )
        if ev.prev_hash != prev:
            return VerifyResult(
                False,
                count,
                len(cps),
                ev.seq,
                f"event #{ev.seq} does not link to event #{ev.seq - 1} "
                "(previous-hash mismatch: reordered, replaced or forged)",
            )
        if hash_of_event(ev) != ev.hash:
            return VerifyResult(
                False,
                count,
                len(cps),
                ev.seq,
                f"event #{ev.seq} was altered: its content does not match its hash",
            )
        for cp in by_seq.get(ev.seq, ()):
            if cp.hash != ev.hash:
                return VerifyResult(
                    False,
                    count,
                    len(cps),
                    ev.seq,
                    f"event #{ev.seq} does not match the checkpoint signed at {cp.at} "
                    "(the chain was rewritten)",
                )
        prev = ev.hash
        expected += 1
        count += 1
    last = count
    if head_seq > last:
        return VerifyResult(
            False,
            count,
            len(cps),
            last + 1,
            f"the log ends at event #{last} but the chain head records event #{head_seq}: the tail was cut",
        )
    beyond = [cp for cp in cps if cp.seq > last]
    if beyond:
        top = max(beyond, key=lambda c: c.seq)
        return VerifyResult(
            False,
            count,
            len(cps),
            last + 1,
            f"the log ends at event #{last} but a checkpoint signed at {top.at} "
            f"covers event #{top.seq}: the tail was cut",
        )
    result = VerifyResult(True, count, len(cps))
    covered = max((cp.seq for cp in cps), default=0)
    if count > covered:
        result.notes.append(
            f"events #{covered + 1}–#{count} come after the last checkpoint and cannot be proven yet"
        )
    return result

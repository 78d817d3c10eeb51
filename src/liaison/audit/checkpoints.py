"""Signed checkpoints of the chain head (Ed25519, the node's key), written outside the database.

A chain alone cannot show a cut tail or a chain recomputed by someone with write access to the
database: a checkpoint (sequence, head hash) signed every minute, after every
`AUDIT_CHECKPOINT_EVERY` events and at shutdown, kept off the database host, can. Checkpoints are
numbered from 1 and chained: each one's signed payload carries the digest of the one before, so a
checkpoint removed, replaced or moved breaks the numbering or the chain. Each line is appended to
the checkpoint file (fsynced), then to the same file in the second location
(`AUDIT_CHECKPOINT_COPY_DIR`: another host's disk; later the partner node), which verify compares
with the first. What came after the last checkpoint cannot be proven.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction

from liaison.audit.log import key_id
from liaison.audit.models import GENESIS_HASH, AuditHead
from liaison.core import clock

log = logging.getLogger("liaison.audit")


def load_or_create_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = Path(path or settings.NODE_KEY_FILE)
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SystemExit(f"{path} is not an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path.with_suffix(".pub").write_bytes(pub)
    return key


def public_key() -> Ed25519PublicKey:
    return load_or_create_key().public_key()


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"{settings.NODE_NAME}.jsonl"


def copy_file() -> Path | None:
    """The second copy of the checkpoint file, or None when no second location is configured."""
    if not settings.AUDIT_CHECKPOINT_COPY_DIR:
        return None
    return Path(settings.AUDIT_CHECKPOINT_COPY_DIR) / f"{settings.NODE_NAME}.jsonl"


class CheckpointFileDamaged(Exception):
    pass


SIGNED = ("n", "prev", "node", "seq", "hash", "at", "key")


def payload(doc: dict) -> bytes:
    """The signed bytes of a checkpoint: its number, the digest of the one before, the node, the
    chain head (sequence and hash), the time and the chain key's id."""
    return json.dumps({k: doc[k] for k in SIGNED}, sort_keys=True, separators=(",", ":")).encode()


def digest(doc: dict) -> str:
    """What the next checkpoint signs as `prev`."""
    return hashlib.sha256(payload(doc)).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    line: int
    n: int
    prev: str
    node: str
    seq: int
    hash: str
    at: str
    key: str
    digest: str
    signature_ok: bool


def parse(raw: str, line: int, pub: Ed25519PublicKey) -> Checkpoint:
    try:
        doc = json.loads(raw)
        doc["n"], doc["seq"] = int(doc["n"]), int(doc["seq"])
        signed = payload(doc)
        sig = base64.b64decode(doc["sig"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Checkpoint(line, -1, "", "", -1, "", "", "", "", False)
    try:
        pub.verify(sig, signed)
        ok = True
    except InvalidSignature:
        ok = False
    return Checkpoint(
        line,
        doc["n"],
        doc["prev"],
        doc["node"],
        doc["seq"],
        doc["hash"],
        doc["at"],
        doc["key"],
        hashlib.sha256(signed).hexdigest(),
        ok,
    )


def read_lines(path: Path) -> list[str] | None:
    """The lines of a checkpoint file (blank ones dropped), or None when there is no file."""
    if not path.exists():
        return None
    return [raw for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()]


def read_checkpoints(path: Path | None = None, key: Ed25519PublicKey | None = None) -> list[Checkpoint]:
    path = path or checkpoint_file()
    lines = read_lines(path)
    if not lines:
        return []
    pub = key or public_key()
    return [parse(raw, n, pub) for n, raw in enumerate(lines, start=1)]


def _last_line(path: Path) -> str | None:
    """The file's last non-blank line, read from its end (the file grows by a line a minute)."""
    if not path.exists():
        return None
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        end = fh.tell()
        block, data = 4096, b""
        while end > 0:
            start = max(0, end - block)
            fh.seek(start)
            data = fh.read(end - start) + data
            end = start
            lines = [ln for ln in data.splitlines() if ln.strip()]
            if len(lines) > 1 or (lines and start == 0):
                return lines[-1].decode("utf-8")
    return None


def _append(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
        fh.flush()
        os.fsync(fh.fileno())


def _copy(primary: Path, before: str | None, line: str) -> None:
    """Append `line` to the second copy, catching up first if the copy fell behind (its host was
    down). A copy that is not a prefix of the first is evidence: left as it is, for verify."""
    copy = copy_file()
    if copy is None:
        return
    try:
        if _last_line(copy) == before:
            _append(copy, [line])
            return
        first = read_lines(primary) or []
        theirs = read_lines(copy) or []
        if first[: len(theirs)] == theirs:
            _append(copy, first[len(theirs) :])
            return
        log.error("the checkpoint copy %s differs from %s: left as it is for `audit verify`", copy, primary)
    except OSError:
        log.exception("could not write the checkpoint copy %s", copy)


# Any constant of its own: the key of the checkpoint writers' advisory lock on PostgreSQL.
_WRITER_LOCK = int.from_bytes(b"lia-ckpt", "big")


def _one_writer() -> None:
    """Hold, until the transaction ends, the lock that makes checkpoint writers take turns. On
    PostgreSQL a transaction-level advisory lock; on SQLite every transaction begins IMMEDIATE
    (settings), which already holds the database's only write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITER_LOCK])


def write_checkpoint(force: bool = False) -> Checkpoint | None:
    """Sign the current chain head as the next numbered checkpoint, chained to the last one, append
    it to the checkpoint file (fsynced), then to the second copy. Skips when the head has not moved
    since the last checkpoint, unless `force`.

    Callers: the worker (every interval and at shutdown), `record` after every N events (after its
    commit), `liaison audit checkpoint`. Concurrent writers (web processes, several workers) take
    numbers one after the other (`_one_writer`)."""
    path = checkpoint_file()
    with transaction.atomic():
        _one_writer()
        head = AuditHead.objects.get(pk=1)
        before = _last_line(path)
        try:
            last = json.loads(before) if before else None
            if last is not None:
                last["n"] = int(last["n"])
                prev = digest(last)
        except (ValueError, KeyError, TypeError, AttributeError):
            # Nothing can be chained to a damaged last line: refuse, and let verify name it.
            raise CheckpointFileDamaged(
                f"the last line of {path} is unreadable: no checkpoint can follow it"
            ) from None
        if not force and (head.seq == 0 or (last is not None and last.get("seq") == head.seq)):
            return None
        doc = {
            "n": last["n"] + 1 if last else 1,
            "prev": prev if last else GENESIS_HASH,
            "node": settings.NODE_NAME,
            "seq": head.seq,
            "hash": head.hash,
            "at": clock.now().astimezone(dt.UTC).isoformat(),
            "key": key_id(),
        }
        sig = load_or_create_key().sign(payload(doc))
        line = json.dumps({**doc, "sig": base64.b64encode(sig).decode()}, sort_keys=True)
        _append(path, [line])
        _copy(path, before, line)
    return parse(line, doc["n"], load_or_create_key().public_key())


def _for_worker(what: str) -> str | None:
    # A checkpoint that cannot be written must not stop the worker (escalations run there too):
    # it says so every round, and verify fails once events wait too long.
    try:
        cp = write_checkpoint()
    except (CheckpointFileDamaged, OSError) as exc:
        log.error("audit checkpoint failed: %s", exc)
        return f"{what} FAILED: {exc}"
    return f"{what} #{cp.n} at event #{cp.seq}" if cp else None


def worker_checkpoint() -> str | None:
    """The worker's periodic job (registered in `apps.py`): sign the head if it moved."""
    return _for_worker("checkpoint")


def worker_final_checkpoint() -> str | None:
    """The worker's last act when it stops."""
    return _for_worker("final checkpoint")

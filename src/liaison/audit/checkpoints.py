"""Signed checkpoints of the chain head (Ed25519, the node's key), written outside the database.

A chain alone cannot show a cut tail or a chain recomputed by someone with write access to the
database: a checkpoint (sequence, head hash) signed every minute and at shutdown, kept in a
directory off the database host, can. What came after the last checkpoint cannot be proven.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from liaison.audit.models import AuditHead
from liaison.core import clock


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


def _checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"{settings.NODE_NAME}.jsonl"


def _payload(node: str, seq: int, head: str, at: str) -> bytes:
    return json.dumps(
        {"node": node, "seq": seq, "hash": head, "at": at}, sort_keys=True, separators=(",", ":")
    ).encode()


@dataclass(frozen=True)
class Checkpoint:
    line: int
    node: str
    seq: int
    hash: str
    at: str
    signature_ok: bool


def write_checkpoint(force: bool = False) -> Checkpoint | None:
    """Sign the current chain head and append it to the checkpoint file (fsynced). Skips when the head
    has not moved since the last checkpoint unless `force`."""
    head = AuditHead.objects.get(pk=1)
    existing = read_checkpoints()
    if existing and existing[-1].seq == head.seq and not force:
        return None
    if head.seq == 0 and not force:
        return None
    at = clock.now().astimezone(dt.UTC).isoformat()
    key = load_or_create_key()
    sig = key.sign(_payload(settings.NODE_NAME, head.seq, head.hash, at))
    line = json.dumps(
        {
            "node": settings.NODE_NAME,
            "seq": head.seq,
            "hash": head.hash,
            "at": at,
            "sig": base64.b64encode(sig).decode(),
        },
        sort_keys=True,
    )
    path = _checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return Checkpoint(len(existing) + 1, settings.NODE_NAME, head.seq, head.hash, at, True)


def read_checkpoints(path: Path | None = None, key: Ed25519PublicKey | None = None) -> list[Checkpoint]:
    path = path or _checkpoint_file()
    if not path.exists():
        return []
    pub = key or public_key()
    result: list[Checkpoint] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            doc = json.loads(raw)
            sig = base64.b64decode(doc["sig"])
            payload = _payload(doc["node"], int(doc["seq"]), doc["hash"], doc["at"])
        except (ValueError, KeyError, TypeError):
            result.append(Checkpoint(n, "", -1, "", "", False))
            continue
        try:
            pub.verify(sig, payload)
            ok = True
        except InvalidSignature:
            ok = False
        result.append(Checkpoint(n, doc["node"], int(doc["seq"]), doc["hash"], doc["at"], ok))
    return result


def worker_checkpoint() -> str | None:
    """The worker's periodic job (registered in `apps.py`): sign the head if it moved."""
    cp = write_checkpoint()
    return f"checkpoint at event #{cp.seq}" if cp else None


def worker_final_checkpoint() -> str | None:
    """The worker's last act when it stops."""
    cp = write_checkpoint()
    return f"final checkpoint at event #{cp.seq}" if cp else None

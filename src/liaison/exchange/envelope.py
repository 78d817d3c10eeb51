"""Envelopes: RFC 8785 canonical JSON (the `rfc8785` library), signed with Ed25519.

On the wire (HTTP body, or one line of an exported file) an envelope is
`{"envelope": {...}, "sig": "<base64>"}`; the signature covers the canonical bytes of "envelope",
so re-encoding (a USB stick, a proxy, another JSON library) never breaks it while a changed value
always does. The header: `v`, `id`, `from`, `to`, `seq`, `kind`, `at`, `key` (the signing key's
fingerprint) and `body`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
KINDS = ("release", "update", "receipt", "checkpoint")
HEADER = ("v", "id", "from", "to", "seq", "kind", "at", "key", "body")
MAX_WIRE_BYTES = 256 * 1024

# 256 short words (one per byte): a fingerprint read over the phone as words, not only hex.
WORDS = (
    "acid acorn actor adobe agent alarm album alert alpha amber angle apple april arena argon arrow "
    "atlas audio award axis bacon badge baker bamboo banjo barn basil basin beach beacon beard berry "
    "bison blade blaze bloom board bonus boot brave bread brick bridge brook brush cabin cable camel "
    "canal candy canoe canyon cargo carpet castle cedar cello chalk charm chess chief cider "
    "circle citrus clay cliff clock cloud cobra cocoa comet coral cotton crane crown cubic "
    "cycle dance delta denim desert diesel dolphin domino dragon dream drum eagle echo "
    "eclipse elbow ember emerald engine epoch equal falcon fable ferry fiber field flame flute focus "
    "forest fossil fox frost galaxy garden gecko giant ginger glacier globe gold granite "
    "grape gravel guitar habit hammer harbor hazel helmet hero honey horizon hotel iceberg igloo "
    "index indigo island ivory jacket jaguar jasmine jungle kayak kernel kettle kiwi koala "
    "ladder lagoon lantern laser lemon lily linen lion lotus lunar magnet mango maple marble meadow "
    "melon metal meteor mint mirror monkey motor mountain mural nectar needle nickel "
    "novel oasis ocean olive onion opera orbit orchid otter oxygen paddle palace panda paper parrot "
    "pepper piano pilot pixel planet plaza pocket polar pony poppy prism pulse puzzle quartz quill "
    "rabbit radar radio rainbow raven reef ribbon river robin rocket ruby saddle salmon "
    "satin scarf shadow shell silver sketch slate snow solar spice spiral spruce squid stone "
    "storm sugar summit sunset swan tango tiger timber tonic topaz torch tulip tundra turtle "
    "unicorn urban valley velvet violin vortex walnut whale willow window winter wizard yacht zebra"
).split()
assert len(WORDS) == 256 and len(set(WORDS)) == 256


class EnvelopeError(Exception):
    """A received envelope that must be refused; `reason` is a stable code (audited)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def canonical(doc: dict) -> bytes:
    return rfc8785.dumps(doc)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(raw_public(key)).decode()


def fingerprint(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def fingerprint_groups(fp: str) -> str:
    """The first 128 bits in groups of four hex digits: `3f2a 91c0 …`."""
    return " ".join(fp[i : i + 4] for i in range(0, 32, 4))


def fingerprint_words(fp: str) -> str:
    """The first 64 bits as eight words, to read over the phone."""
    return " ".join(WORDS[b] for b in bytes.fromhex(fp[:16]))


def load_public(b64: str) -> Ed25519PublicKey:
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def seal(
    key: Ed25519PrivateKey, *, sender: str, to: str, seq: int, kind: str, at: str, body: dict, id=None
) -> str:
    """The wire text of a new signed envelope."""
    env = {
        "v": VERSION,
        "id": str(id or uuid.uuid4()),
        "from": sender,
        "to": to,
        "seq": seq,
        "kind": kind,
        "at": at,
        "key": fingerprint(raw_public(key.public_key())),
        "body": body,
    }
    sig = key.sign(canonical(env))
    return json.dumps({"envelope": env, "sig": base64.b64encode(sig).decode()}, ensure_ascii=False)


@dataclass(frozen=True)
class Opened:
    """A parsed envelope whose header has the right shape (its signature not yet checked)."""

    env: dict
    sig: bytes

    @property
    def id(self) -> uuid.UUID:
        return uuid.UUID(self.env["id"])


def parse(wire: str | bytes) -> Opened:
    """The header's shape, before any lookup: refuses what is not an envelope at all."""
    if len(wire) > MAX_WIRE_BYTES:
        raise EnvelopeError("schema", "too large")
    try:
        doc = json.loads(wire)
    except (ValueError, UnicodeDecodeError) as e:
        raise EnvelopeError("schema", "not JSON") from e
    if not isinstance(doc, dict) or set(doc) != {"envelope", "sig"}:
        raise EnvelopeError("schema", "not an envelope")
    env, sig = doc["envelope"], doc["sig"]
    if not isinstance(env, dict) or set(env) != set(HEADER) or not isinstance(sig, str):
        raise EnvelopeError("schema", "header")
    try:
        sig_bytes = base64.b64decode(sig, validate=True)
        uuid.UUID(env["id"])
    except (ValueError, TypeError, AttributeError) as e:
        raise EnvelopeError("schema", "id or signature encoding") from e
    ok = (
        env["v"] == VERSION
        and isinstance(env["from"], str)
        and isinstance(env["to"], str)
        and isinstance(env["seq"], int)
        and not isinstance(env["seq"], bool)
        and env["seq"] >= 1
        and env["kind"] in KINDS
        and isinstance(env["at"], str)
        and isinstance(env["key"], str)
        and isinstance(env["body"], dict)
    )
    if not ok:
        raise EnvelopeError("schema", "header values")
    return Opened(env, sig_bytes)


def verify(opened: Opened, public: Ed25519PublicKey) -> None:
    try:
        public.verify(opened.sig, canonical(opened.env))
    except (InvalidSignature, rfc8785.CanonicalizationError) as e:
        raise EnvelopeError("signature") from e

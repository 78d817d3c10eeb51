"""Every write of the exchange: peers, the release gate, the outbox, and receiving.

A service takes the acting user first, asks `policy`, writes, audits, in one transaction. Receiving
is the exception that proves the rule: its actor is the signed envelope. `envelope_receive` checks
everything (shape, addressee, peer, key, signature, sequence, replay) before it stores anything; a
refusal is audited in a transaction of its own, with its reason; a stored envelope and the records
it creates commit together, keyed by the envelope's id: delivered twice, stored once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.checkpoints import load_or_create_key
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.core.refs import next_ref
from liaison.core.transactions import durable
from liaison.exchange import envelope as envl
from liaison.exchange.models import (
    InEnvelope,
    OutEnvelope,
    PartnerIncident,
    PartnerIncidentUnit,
    PartnerItem,
    PartnerItemUnit,
    Peer,
    PeerKey,
    Release,
    WitnessedCheckpoint,
)
from liaison.incidents.models import Incident, Outcome, Seizure
from liaison.intel.models import Item, Tlp
from liaison.org.actor import Actor
from liaison.org.models import Unit

LAO = re.compile(r"[\u0e80-\u0eff]")
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
LANGUAGES = ("vi", "lo", "en")


def language_of(text: str) -> str:
    """The language a text is written in, as the envelope carries it (vi, lo or en)."""
    if LAO.search(text or ""):
        return "lo"
    if VIETNAMESE.search(text or ""):
        return "vi"
    return "en" if (text or "").isascii() and text else "vi"


def _now_iso() -> str:
    return clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the node and its peers ------------------------------------------------------------------------


def node_identity() -> dict:
    """This node's name, public key and fingerprint (as hex groups and words to read aloud)."""
    pub = load_or_create_key().public_key()
    fp = envl.fingerprint(envl.raw_public(pub))
    return {
        "name": settings.NODE_NAME,
        "public_key": envl.public_b64(pub),
        "fingerprint": fp,
        "fingerprint_hex": envl.fingerprint_groups(fp),
        "fingerprint_words": envl.fingerprint_words(fp),
    }


def _key_row(peer: Peer, public_key: str) -> PeerKey:
    try:
        raw = envl.raw_public(envl.load_public(public_key.strip()))
    except ValueError as e:
        raise Invalid(field="public_key", message="not an Ed25519 public key (32 bytes, base64)") from e
    return PeerKey(peer=peer, public_key=public_key.strip(), fingerprint=envl.fingerprint(raw))


def peer_register(actor, *, name: str, country: str, base_url: str, public_key: str, unit: Unit) -> Peer:
    """An administrator registers a partner node, after reading its fingerprint back over the phone."""
    policy.require(actor, "exchange.peer.manage")
    if unit is None or unit.country != country:
        raise Invalid(field="unit", message="the partner's own unit, in the partner's country")
    with durable():
        peer = Peer.objects.create(
            name=name, country=country, base_url=base_url, unit=unit, created_by=getattr(actor, "user", None)
        )
        key = _key_row(peer, public_key)
        key.save()
        audit.record(actor, Verb.PEER_REGISTERED, peer, changes={"public_key": key.fingerprint})
    return peer


def peer_key_rotate(actor, *, peer: Peer, public_key: str, overlap_days: int | None = None) -> PeerKey:
    """A new current key; the old one stays accepted for the overlap, then ends."""
    policy.require(actor, "exchange.peer.manage")
    days = settings.EXCHANGE_KEY_OVERLAP_DAYS if overlap_days is None else overlap_days
    with durable():
        key = _key_row(peer, public_key)
        PeerKey.objects.filter(peer=peer, valid_until__isnull=True).update(
            valid_until=clock.now() + dt.timedelta(days=days)
        )
        key.save()
        audit.record(actor, Verb.PEER_KEY_ROTATED, peer, changes={"public_key": key.fingerprint})
    return key


def peer_revoke(actor, *, peer: Peer) -> Peer:
    """Nothing more is accepted from the peer, nor sent to it."""
    policy.require(actor, "exchange.peer.manage")
    with durable():
        Peer.objects.filter(pk=peer.pk).update(state=Peer.State.REVOKED, revoked_at=clock.now())
        PeerKey.objects.filter(peer=peer, revoked_at__isnull=True).update(revoked_at=clock.now())
        audit.record(actor, Verb.PEER_REVOKED, peer, changes={"state": Peer.State.REVOKED})
    peer.refresh_from_db()
    return peer


# --- the outbox ------------------------------------------------------------------------------------


def _enqueue(peer: Peer, kind: str, body: dict, *, release: Release | None = None) -> OutEnvelope:
    """Sign an envelope for `peer` with the next number of its sequence; inside the caller's
    transaction (the peer's row is locked until commit, so numbers never repeat nor cross)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_enqueue runs inside the service's transaction")
    locked = Peer.objects.select_for_update().get(pk=peer.pk)
    if locked.state != Peer.State.ACTIVE:
        raise Invalid(field="peer", message="this partner node is revoked")
    locked.out_seq += 1
    locked.save(update_fields=["out_seq"])
    eid = uuid.uuid4()
    wire = envl.seal(
        load_or_create_key(),
        sender=settings.NODE_NAME,
        to=peer.name,
        seq=locked.out_seq,
        kind=kind,
        at=_now_iso(),
        body=body,
        id=eid,
    )
    return OutEnvelope.objects.create(
        id=eid,
        peer=peer,
        seq=locked.out_seq,
        kind=kind,
        release=release,
        wire=wire,
        next_attempt_at=clock.now(),
    )


# --- the release gate ------------------------------------------------------------------------------


def release_payload(item: Item) -> dict:
    """Exactly what leaves: the item's own text as written (with its language), its grading, its
    handling level and its place, generalised to the commune for AMBER and stricter. Never a
    protected person, a source, an attachment, a recipient list or a history."""
    place: dict = {}
    if item.area_id:
        place = {"area_code": item.area.code, "area_name": item.area.name}
    if item.tlp in (Tlp.GREEN, Tlp.CLEAR) and item.lat is not None:
        place |= {"lat": round(item.lat, 5), "lon": round(item.lon, 5)}
    return {
        "ref": item.ref,
        "title": item.title,
        "body": item.body,
        "language": language_of(f"{item.title} {item.body}"),
        "category": {
            "code": item.category.code,
            "vi": item.category.name_vi,
            "en": item.category.name_en,
            "lo": item.category.name_lo,
        },
        "tlp": item.tlp,
        "reliability": item.reliability,
        "credibility": item.credibility,
        "observed_at": item.observed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "origin_unit": item.origin_unit.code,
        "place": place,
    }


def _commune(incident: Incident):
    """The incident's commune: its area, or the area of its named place."""
    if incident.area_id:
        return incident.area
    if incident.place_id and incident.place.area_id:
        return incident.place.area
    return None


def _iso(when: dt.datetime | None) -> str | None:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def _outcome_totals(incident: Incident) -> dict:
    """The outcome's totals (counts of people by what happened to them, quantities seized by
    kind): never a name, a label or a note."""
    outcome = Outcome.objects.filter(incident=incident).first()
    if outcome is None:
        return {}
    totals = {
        f: getattr(outcome, f) for f in ("arrested", "detained", "rescued", "evacuated", "deaths", "injured")
    }
    seized: dict[str, float] = {}
    for kind, qty in Seizure.objects.filter(outcome=outcome).values_list("kind", "quantity"):
        seized[kind] = seized.get(kind, 0) + float(qty)
    totals["seizures"] = {k: int(v) if float(v).is_integer() else v for k, v in sorted(seized.items())}
    return totals


def _summary_state(incident: Incident) -> dict:
    """What changes in an incident summary after it left: sent again by `release_regrade`."""
    return {
        "status": incident.status,
        "severity": incident.severity,
        "tlp": incident.tlp,
        "closed_at": _iso(incident.closed_at),
        "outcome": _outcome_totals(incident),
    }


def incident_summary_payload(incident: Incident) -> dict:
    """Exactly what leaves of an incident: its title as written (with its language), type,
    severity, status, handling level, dates, place and outcome totals. The place is the commune
    (its code and name) for AMBER and stricter; GREEN and CLEAR add the position. Never the
    description, a person (protected or not), a source, an informant, a task, a participant, an
    attachment or the timeline."""
    place: dict = {}
    commune = _commune(incident)
    if commune is not None:
        place = {"area_code": commune.code, "area_name": commune.name}
    if incident.tlp in (Tlp.GREEN, Tlp.CLEAR) and incident.lat is not None:
        place |= {"lat": round(incident.lat, 5), "lon": round(incident.lon, 5)}
    t = incident.incident_type
    return {
        "ref": incident.ref,
        "title": incident.title,
        "language": language_of(incident.title),
        "type": {"code": t.code, "vi": t.name_vi, "en": t.name_en, "lo": t.name_lo},
        "opened_at": _iso(incident.opened_at),
        "origin_unit": incident.lead_unit.code,
        "place": place,
        **_summary_state(incident),
    }


def release_preview(actor, *, item: Item | None = None, incident: Incident | None = None) -> dict:
    """The payload that would leave now (for the preview page), refused as the proposal would be."""
    subject = item if item is not None else incident
    policy.require(actor, "release.propose", subject)
    return release_payload(item) if item is not None else incident_summary_payload(incident)


def release_propose(
    actor, *, item: Item | None = None, incident: Incident | None = None, peer: Peer, to_units: list[str]
) -> Release:
    """A liaison officer proposes an item, or an incident's summary, for release to `peer`'s units
    (their codes). GREEN and CLEAR leave at once; AMBER and AMBER+STRICT wait for a commander's
    approval; RED never leaves."""
    if (item is None) == (incident is None):
        raise Invalid(field="item", message="an item or an incident")
    policy.require(actor, "release.propose", item if item is not None else incident)
    if peer.state != Peer.State.ACTIVE or not policy.visible(actor, Peer).filter(pk=peer.pk).exists():
        raise Invalid(field="peer", message="not a partner node you may release to")
    codes = sorted({c.strip() for c in to_units if c and c.strip()})
    if not codes:
        raise Invalid(field="to_units", message="name at least one of the partner's units")
    from liaison.policy.rules.exchange import needs_approval

    with durable():
        if item is not None:
            item = (
                Item.objects.select_for_update(of=("self",))
                .select_related("area", "category", "origin_unit")
                .get(pk=item.pk)
            )
            if Release.objects.filter(item=item, peer=peer).exists():
                raise Invalid(field="item", message="already released or proposed to this partner")
            subject, payload = item, release_payload(item)
        else:
            incident = (
                Incident.objects.select_for_update(of=("self",))
                .select_related("area", "place__area", "incident_type", "lead_unit")
                .get(pk=incident.pk)
            )
            if Release.objects.filter(incident=incident, peer=peer).exists():
                raise Invalid(field="incident", message="already released or proposed to this partner")
            subject, payload = incident, incident_summary_payload(incident)
        release = Release.objects.create(
            ref=next_ref("REL"),
            item=item,
            incident=incident,
            peer=peer,
            to_units=codes,
            payload=payload,
            proposed_by=actor.user,
            proposed_by_unit=actor.unit,
        )
        audit.record(actor, Verb.RELEASE_PROPOSED, release, changes={"payload": release.payload})
        if not needs_approval(subject.tlp):
            _send(actor, release)
    return release


def release_approve(actor, *, release: Release) -> Release:
    """A commander approves what the preview showed: the frozen payload leaves as it is."""
    with durable():
        release = _locked(release)
        policy.require(actor, "release.approve", release)
        release.approved_by, release.approved_at = actor.user, clock.now()
        release.save(update_fields=["approved_by", "approved_at"])
        audit.record(actor, Verb.RELEASE_APPROVED, release)
        _send(actor, release)
    return release


def _locked(release: Release) -> Release:
    return (
        Release.objects.select_for_update(of=("self",))
        .select_related("item", "incident", "peer")
        .get(pk=release.pk)
    )


def _current_tlp(release: Release) -> str:
    if release.item_id:
        return Item.objects.values_list("tlp", flat=True).get(pk=release.item_id)
    return Incident.objects.values_list("tlp", flat=True).get(pk=release.incident_id)


def _send(actor, release: Release) -> None:
    if _current_tlp(release) == Tlp.RED:  # raised to RED since the proposal: it never leaves
        field = "item" if release.item_id else "incident"
        raise Invalid(field=field, message="a TLP:RED record never leaves this node")
    key = "item" if release.item_id else "incident"
    body = {"release": str(release.pk), "to_units": release.to_units, key: release.payload}
    _enqueue(release.peer, "release", body, release=release)
    release.state = Release.State.SENT
    release.save(update_fields=["state"])
    audit.record(actor, Verb.RELEASE_SENT, release)


def _withdraw(actor, release: Release) -> Release:
    _enqueue(release.peer, "update", {"release": str(release.pk), "action": "withdraw"}, release=release)
    release.state = Release.State.WITHDRAWN
    release.save(update_fields=["state"])
    audit.record(actor, Verb.RELEASE_WITHDRAWN, release)
    return release


def release_withdraw(actor, *, release: Release) -> Release:
    """The partner is told, in sequence, that the item (or incident summary) is withdrawn."""
    with durable():
        release = _locked(release)
        policy.require(actor, "release.withdraw", release)
        _withdraw(actor, release)
    return release


def release_regrade(actor, *, release: Release) -> Release:
    """The partner is sent, in sequence, the item's current handling level and grading, or the
    incident's current status, severity, handling level, closing date and outcome totals. Raised
    to RED, it is withdrawn instead. The title and text are never sent again: what the approver
    approved stays what was released."""
    with durable():
        release = _locked(release)
        policy.require(actor, "release.withdraw", release)
        subject = release.subject
        if subject.tlp == Tlp.RED:
            return _withdraw(actor, release)
        if release.item_id:
            body = {
                "release": str(release.pk),
                "action": "regrade",
                "tlp": subject.tlp,
                "reliability": subject.analyst_reliability or subject.reliability,
                "credibility": subject.analyst_credibility or subject.credibility,
            }
        else:
            body = {"release": str(release.pk), "action": "summary", **_summary_state(subject)}
        _enqueue(release.peer, "update", body, release=release)
        audit.record(actor, Verb.RELEASE_UPDATED, release, changes={"tlp": subject.tlp})
    return release


# --- receiving -------------------------------------------------------------------------------------


def _refuse(reason: str, opened: envl.Opened | None, detail: str = "") -> None:
    env = opened.env if opened else {}
    ref = f"{reason} {env.get('from', '?')}#{env.get('seq', '?')}"[:120]
    audit.record_separately(
        Actor.system(),
        Verb.ENVELOPE_REFUSED,
        object_type="exchange.inenvelope",
        object_id=str(env.get("id", ""))[:64],
        object_ref=ref,
        changes={"reason": reason, "detail": detail},
    )
    raise envl.EnvelopeError(reason, detail)


def _key_for(peer: Peer, fp: str, at: dt.datetime) -> PeerKey | None:
    for key in PeerKey.objects.filter(peer=peer, fingerprint=fp):
        if key.revoked_at is None and (key.valid_until is None or key.valid_until > at):
            return key
    return None


def envelope_receive(wire: str | bytes, *, via: str = "push") -> dict:
    """Check a received envelope, then store it once and apply what it says, in sequence.

    Returns {"status": "stored" | "duplicate", "id": ...}; raises `EnvelopeError` (already
    audited, with its reason) for a refusal. Checks, all before anything is stored: the shape; the
    addressee is this node; the peer is known and not revoked; the signing key is the peer's,
    neither revoked nor past its overlap; the signature over the canonical bytes; the sequence
    number is not held by another envelope (a replay); the body's schema for its kind."""
    if isinstance(wire, bytes):
        try:
            wire = wire.decode()
        except UnicodeDecodeError:
            _refuse("schema", None, "not UTF-8")
    try:
        opened = envl.parse(wire)
    except envl.EnvelopeError as e:
        _refuse(e.reason, None, e.detail)
    env = opened.env
    if env["to"] != settings.NODE_NAME:
        _refuse("addressee", opened)
    peer = Peer.objects.filter(name=env["from"]).first()
    if peer is None:
        _refuse("unknown_peer", opened)
    if peer.state != Peer.State.ACTIVE:
        _refuse("revoked_peer", opened)
    if _key_for(peer, env["key"], clock.now()) is None:
        _refuse("unknown_key", opened)
    key = _key_for(peer, env["key"], clock.now())
    try:
        envl.verify(opened, envl.load_public(key.public_key))
    except envl.EnvelopeError:
        _refuse("signature", opened)
    problem = _body_problem(env)
    if problem:
        _refuse("schema", opened, problem)
    try:
        with durable():
            # One receiver at a time per peer: a concurrent duplicate waits here, then sees the first.
            peer = Peer.objects.select_for_update().get(pk=peer.pk)
            existing = InEnvelope.objects.filter(pk=opened.id).first()
            if existing is not None:
                if existing.peer_id != peer.pk or existing.seq != env["seq"]:
                    raise envl.EnvelopeError("replay", "the id of another envelope")
                audit.record(
                    Actor.system(), Verb.ENVELOPE_DUPLICATE, existing, object_ref=f"{peer.name}#{env['seq']}"
                )
                return {"status": "duplicate", "id": str(opened.id), "seq": env["seq"]}
            if InEnvelope.objects.filter(peer=peer, seq=env["seq"]).exists() or env["seq"] <= peer.in_applied:
                raise envl.EnvelopeError("replay", "sequence number already taken")
            stored = InEnvelope.objects.create(
                id=opened.id,
                peer=peer,
                seq=env["seq"],
                kind=env["kind"],
                wire=wire,
                received_at=clock.now(),
                via=via[:10],
            )
            audit.record(Actor.system(), Verb.ENVELOPE_STORED, stored, object_ref=f"{peer.name}#{env['seq']}")
            _apply_in_sequence(peer)
    except envl.EnvelopeError as e:
        _refuse(e.reason, opened, e.detail)
    return {"status": "stored", "id": str(opened.id), "seq": env["seq"]}


def _body_problem(env: dict) -> str:
    b, kind = env["body"], env["kind"]
    try:
        if kind == "release" and "incident" in b:
            uuid.UUID(b["release"])
            return _summary_problem(b)
        if kind == "release":
            uuid.UUID(b["release"])
            item = b["item"]
            ok = (
                isinstance(b["to_units"], list)
                and all(isinstance(u, str) for u in b["to_units"])
                and isinstance(item["title"], str)
                and 0 < len(item["title"]) <= 200
                and isinstance(item["body"], str)
                and len(item["body"]) <= 20_000
                and item["language"] in LANGUAGES
                and item["tlp"] in (Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.GREEN, Tlp.CLEAR)
                and isinstance(item["ref"], str)
                and isinstance(item["place"], dict)
                and parse_datetime(item["observed_at"]) is not None
            )
            return "" if ok else "release body"
        if kind == "update":
            uuid.UUID(b["release"])
            if b["action"] == "regrade":
                return (
                    "" if b["tlp"] in (Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.GREEN, Tlp.CLEAR) else "update body"
                )
            if b["action"] == "summary":
                return "" if _state_ok(b) else "update body"
            return "" if b["action"] == "withdraw" else "update body"
        if kind == "receipt":
            uuid.UUID(b["release"])
            return "" if b["event"] in ("delivered", "read", "acknowledged") else "receipt body"
        if kind == "checkpoint":
            return "" if isinstance(b["line"], str) and isinstance(b["n"], int) else "checkpoint body"
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"{kind} body"
    return "kind"


OUTCOME_COUNTS = ("arrested", "detained", "rescued", "evacuated", "deaths", "injured")


def _state_ok(s: dict) -> bool:
    """The changing part of an incident summary: status, severity, handling level, closing date,
    outcome totals (numbers only)."""
    outcome = s["outcome"]
    return (
        isinstance(s["status"], str)
        and 0 < len(s["status"]) <= 12
        and isinstance(s["severity"], str)
        and 0 < len(s["severity"]) <= 10
        and s["tlp"] in (Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.GREEN, Tlp.CLEAR)
        and (s["closed_at"] is None or parse_datetime(s["closed_at"]) is not None)
        and isinstance(outcome, dict)
        and all(
            (k in OUTCOME_COUNTS and isinstance(v, int) and not isinstance(v, bool) and v >= 0)
            or (
                k == "seizures"
                and isinstance(v, dict)
                and all(
                    isinstance(kk, str) and isinstance(vv, int | float) and not isinstance(vv, bool)
                    for kk, vv in v.items()
                )
            )
            for k, v in outcome.items()
        )
    )


def _summary_problem(b: dict) -> str:
    inc = b["incident"]
    ok = (
        isinstance(b["to_units"], list)
        and all(isinstance(u, str) for u in b["to_units"])
        and isinstance(inc["title"], str)
        and 0 < len(inc["title"]) <= 200
        and inc["language"] in LANGUAGES
        and isinstance(inc["ref"], str)
        and isinstance(inc["type"], dict)
        and all(isinstance(v, str) for v in inc["type"].values())
        and isinstance(inc["place"], dict)
        and parse_datetime(inc["opened_at"]) is not None
        and _state_ok(inc)
    )
    return "" if ok else "release body"


def _apply_in_sequence(peer: Peer) -> None:
    """Apply every stored envelope that no gap holds back, in sequence order (inside the receiving
    transaction, the peer's row locked)."""
    while True:
        nxt = InEnvelope.objects.filter(peer=peer, seq=peer.in_applied + 1, applied_at__isnull=True).first()
        if nxt is None:
            return
        _apply(peer, nxt, json.loads(nxt.wire)["envelope"])
        nxt.applied_at = clock.now()
        nxt.save(update_fields=["applied_at"])
        peer.in_applied = nxt.seq
        peer.save(update_fields=["in_applied"])


def _apply(peer: Peer, stored: InEnvelope, env: dict) -> None:
    b = env["body"]
    if env["kind"] == "release" and "incident" in b:
        _apply_incident_summary(peer, b)
    elif env["kind"] == "release":
        item = b["item"]
        if PartnerItem.objects.filter(peer=peer, release_id=b["release"]).exists():
            return  # the same release in a second envelope: the first one stands
        owner = Unit.objects.filter(code=item.get("origin_unit"), country=peer.country).first() or peer.unit
        place = item.get("place") or {}
        pi = PartnerItem.objects.create(
            peer=peer,
            release_id=b["release"],
            owner_unit=owner,
            ref=item["ref"][:40],
            title=item["title"],
            body=item["body"],
            language=item["language"],
            category=str((item.get("category") or {}).get("code", ""))[:120],
            tlp=item["tlp"],
            reliability=str(item.get("reliability") or "")[:1],
            credibility=item.get("credibility"),
            area_code=str(place.get("area_code", ""))[:40],
            area_name=str(place.get("area_name", ""))[:200],
            lat=place.get("lat"),
            lon=place.get("lon"),
            observed_at=parse_datetime(item["observed_at"]),
        )
        units = policy.visible(Actor.system(), Unit, "exchange.recipient").filter(code__in=b["to_units"])
        PartnerItemUnit.objects.bulk_create([PartnerItemUnit(item=pi, unit=u) for u in units])
        _enqueue(peer, "receipt", {"release": b["release"], "event": "delivered", "at": _now_iso()})
    elif env["kind"] == "update":
        pinc = PartnerIncident.objects.filter(peer=peer, release_id=b["release"]).first()
        if pinc is not None:
            _update_incident_summary(pinc, b)
            return
        pi = PartnerItem.objects.filter(peer=peer, release_id=b["release"]).first()
        if pi is None or b["action"] == "summary":
            return
        if b["action"] == "withdraw":
            pi.state = PartnerItem.State.WITHDRAWN
        else:
            pi.tlp = b["tlp"]
            pi.reliability = str(b.get("reliability") or pi.reliability)[:1]
            pi.credibility = b.get("credibility") or pi.credibility
        pi.version += 1
        pi.save()
    elif env["kind"] == "receipt":
        field = {"delivered": "delivered_at", "read": "read_at", "acknowledged": "acknowledged_at"}[
            b["event"]
        ]
        at = parse_datetime(str(b.get("at", ""))) or clock.now()
        Release.objects.filter(pk=b["release"], peer=peer, **{f"{field}__isnull": True}).update(**{field: at})
        audit.record(
            Actor.system(), Verb.RECEIPT_STORED, object_type="exchange.release", object_id=b["release"]
        )
    elif env["kind"] == "checkpoint":
        WitnessedCheckpoint.objects.get_or_create(
            peer=peer, n=b["n"], defaults={"line": b["line"], "received_at": clock.now()}
        )


def _summary_fields(s: dict) -> dict:
    return {
        "status": s["status"][:12],
        "severity": s["severity"][:10],
        "tlp": s["tlp"],
        "closed_at": parse_datetime(s["closed_at"]) if s["closed_at"] else None,
        "outcome": s["outcome"],
    }


def _apply_incident_summary(peer: Peer, b: dict) -> None:
    inc = b["incident"]
    if PartnerIncident.objects.filter(peer=peer, release_id=b["release"]).exists():
        return  # the same release in a second envelope: the first one stands
    owner = Unit.objects.filter(code=inc.get("origin_unit"), country=peer.country).first() or peer.unit
    place = inc.get("place") or {}
    pinc = PartnerIncident.objects.create(
        peer=peer,
        release_id=b["release"],
        owner_unit=owner,
        ref=inc["ref"][:40],
        title=inc["title"],
        language=inc["language"],
        type_code=str(inc["type"].get("code", ""))[:40],
        type_names={k: str(v)[:120] for k, v in inc["type"].items() if k in LANGUAGES},
        area_code=str(place.get("area_code", ""))[:40],
        area_name=str(place.get("area_name", ""))[:200],
        lat=place.get("lat"),
        lon=place.get("lon"),
        opened_at=parse_datetime(inc["opened_at"]),
        **_summary_fields(inc),
    )
    units = policy.visible(Actor.system(), Unit, "exchange.recipient").filter(code__in=b["to_units"])
    PartnerIncidentUnit.objects.bulk_create([PartnerIncidentUnit(incident=pinc, unit=u) for u in units])
    _enqueue(peer, "receipt", {"release": b["release"], "event": "delivered", "at": _now_iso()})


def _update_incident_summary(pinc: PartnerIncident, b: dict) -> None:
    if b["action"] == "withdraw":
        pinc.state = PartnerIncident.State.WITHDRAWN
    elif b["action"] == "summary":
        for field, value in _summary_fields(b).items():
            setattr(pinc, field, value)
    else:
        return
    pinc.version += 1
    pinc.save()


# --- what the receiving officers do ----------------------------------------------------------------


def partner_item_open(actor, *, item: PartnerItem) -> PartnerItem:
    """The first reading on this node sends the partner a signed "read" receipt; every reading is
    audited (one event per request)."""
    with durable():
        first = PartnerItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=clock.now())
        if first:
            _enqueue(
                item.peer, "receipt", {"release": str(item.release_id), "event": "read", "at": _now_iso()}
            )
        audit.record(actor, Verb.PARTNER_ITEM_READ, item)
    item.refresh_from_db()
    return item


def partner_item_acknowledge(actor, *, item: PartnerItem) -> PartnerItem:
    policy.require(actor, "partneritem.acknowledge", item)
    with durable():
        if PartnerItem.objects.filter(pk=item.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=clock.now()
        ):
            body = {"release": str(item.release_id), "event": "acknowledged", "at": _now_iso()}
            _enqueue(item.peer, "receipt", body)
        audit.record(actor, Verb.PARTNER_ITEM_ACKNOWLEDGED, item)
    item.refresh_from_db()
    return item


def partner_incident_open(actor, *, incident: PartnerIncident) -> PartnerIncident:
    """As for a partner item: the first reading sends a signed "read" receipt; each is audited."""
    with durable():
        first = PartnerIncident.objects.filter(pk=incident.pk, read_at__isnull=True).update(
            read_at=clock.now()
        )
        if first:
            body = {"release": str(incident.release_id), "event": "read", "at": _now_iso()}
            _enqueue(incident.peer, "receipt", body)
        audit.record(actor, Verb.PARTNER_INCIDENT_READ, incident)
    incident.refresh_from_db()
    return incident


def partner_incident_acknowledge(actor, *, incident: PartnerIncident) -> PartnerIncident:
    policy.require(actor, "partneritem.acknowledge", incident)
    with durable():
        if PartnerIncident.objects.filter(pk=incident.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=clock.now()
        ):
            body = {"release": str(incident.release_id), "event": "acknowledged", "at": _now_iso()}
            _enqueue(incident.peer, "receipt", body)
        audit.record(actor, Verb.PARTNER_INCIDENT_ACKNOWLEDGED, incident)
    incident.refresh_from_db()
    return incident


def partner_item_translate(actor, *, item: PartnerItem, title: str, body: str, language: str) -> PartnerItem:
    """A translation beside the original (which is never changed)."""
    policy.require(actor, "partneritem.translate", item)
    if language not in LANGUAGES:
        raise Invalid(field="language", message="vi, lo or en")
    if not title.strip() or len(title) > 200:
        raise Invalid(field="title", message="a title of 1 to 200 characters")
    if len(body) > 20_000:
        raise Invalid(field="body", message="at most 20,000 characters")
    with durable():
        item = PartnerItem.objects.select_for_update().get(pk=item.pk)
        item.translated_title, item.translated_body = title.strip(), body
        item.translation_language, item.translated_by = language, actor.user
        item.save(
            update_fields=["translated_title", "translated_body", "translation_language", "translated_by"]
        )
        audit.record(actor, Verb.PARTNER_ITEM_TRANSLATED, item, changes={"title": title, "body": body})
    return item


# --- witnessing, files -----------------------------------------------------------------------------


def checkpoints_send(peer: Peer) -> int:
    """Send the peer every signed audit checkpoint it does not hold yet (the worker does it)."""
    from liaison.audit import checkpoints

    path = checkpoints.checkpoint_file()
    if not path.exists():
        return 0
    sent = 0
    with durable():
        done = {
            json.loads(w)["envelope"]["body"]["n"]
            for w in OutEnvelope.objects.filter(peer=peer, kind="checkpoint").values_list("wire", flat=True)
        }
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                n = int(json.loads(line)["n"])
            except (ValueError, KeyError, TypeError):
                continue
            if n not in done:
                _enqueue(peer, "checkpoint", {"n": n, "line": line})
                sent += 1
    return sent


def envelopes_export(actor, *, peer: Peer, undelivered_only: bool = True) -> list[str]:
    """The wire lines for a file carried to the peer (USB stick); the same bytes as pushed."""
    policy.require(actor, "exchange.peer.manage")
    qs = OutEnvelope.objects.filter(peer=peer).order_by("seq")
    if undelivered_only:
        qs = qs.filter(delivered_at__isnull=True)
    lines = list(qs.values_list("wire", flat=True))
    with durable():
        audit.record(actor, Verb.ENVELOPES_EXPORTED, peer, changes={"count": len(lines)})
    return lines

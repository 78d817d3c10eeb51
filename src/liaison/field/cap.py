"""CAP 1.2 (issue 19, item 6): the lead unit marks an incident public with texts written for the
public (vi, lo, en); each publication is a CAP message (`Alert`, then `Update`), a withdrawal a
`Cancel` referencing the earlier ones. The XML holds those texts and the incident's place (a circle),
never the incident's own description, people or restricted fields. OASIS CAP 1.2:
http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from lxml import etree

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.core.transactions import durable
from liaison.field.models import CapMessage
from liaison.org.actor import Actor

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
CATEGORIES = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "Other",
)
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
SEVERITY = {"low": "Minor", "medium": "Moderate", "high": "Severe", "critical": "Extreme"}
LANGUAGES = ("vi", "lo", "en")
TEXT_FIELDS = {"event": 120, "headline": 160, "description": 2000, "instruction": 1000}
RADIUS_KM = 5.0


def sender() -> str:
    return f"liaison@{settings.NODE_NAME}"


def identifier(message: CapMessage) -> str:
    """Stable and unique per node: the node, the incident and the message's sequence."""
    return f"liaison.{settings.NODE_NAME}.{message.incident_id}.{message.sequence}"


def sent_text(dt) -> str:
    """`2026-11-27T21:05:00+07:00`: the node's offset, no fractional seconds (CAP 1.2, 3.3.2)."""
    return timezone.localtime(dt).replace(microsecond=0).isoformat()


def _circle(incident) -> tuple[str, str]:
    place = incident.place
    area = incident.area
    lat, lon = incident.lat, incident.lon
    if lat is None and place is not None:
        lat, lon = place.lat, place.lon
    if lat is None and area is not None:
        lat, lon = area.lat, area.lon
    desc = (area.name if area is not None and hasattr(area, "name") else "") or (
        getattr(place, "name", "") if place is not None else ""
    )
    circle = f"{lat:.4f},{lon:.4f} {RADIUS_KM:.1f}" if lat is not None else ""
    return (str(desc) or settings.NODE_NAME)[:200], circle


def _clean_texts(texts: dict) -> dict:
    out = {}
    for lang in LANGUAGES:
        given = texts.get(lang) or {}
        entry = {}
        for name, limit in TEXT_FIELDS.items():
            value = str(given.get(name) or "").strip()
            if len(value) > limit:
                raise Invalid(field=f"{lang}.{name}", code="too_long", message=f"At most {limit} characters.")
            entry[name] = value
        if lang in ("vi", "lo") and not (entry["event"] and entry["headline"]):
            field = f"{lang}.event" if not entry["event"] else f"{lang}.headline"
            raise Invalid(field=field, code="required", message="Vietnamese and Lao texts are required.")
        if entry["event"]:
            out[lang] = entry
    return out


def publish(
    actor: Actor,
    incident,
    *,
    reason: str,
    texts: dict,
    category: str = "Safety",
    urgency: str = "Immediate",
    certainty: str = "Observed",
) -> CapMessage:
    """Mark the incident public (or publish an update): a policy-decided action of its lead unit
    (`incident.publish`), audited with the reason."""
    policy.require(actor, "incident.publish", incident)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(field="reason", code="required", message="Say why this incident is made public.")
    if category not in CATEGORIES:
        raise Invalid(field="category", code="invalid", message="A CAP category.")
    if urgency not in URGENCIES:
        raise Invalid(field="urgency", code="invalid", message="A CAP urgency.")
    if certainty not in CERTAINTIES:
        raise Invalid(field="certainty", code="invalid", message="A CAP certainty.")
    cleaned = _clean_texts(texts)
    area_desc, circle = _circle(incident)
    with durable():
        last = _last(incident)
        msg_type = CapMessage.MsgType.ALERT if last is None or last.msg_type == "Cancel" else "Update"
        message = CapMessage.objects.create(
            incident=incident,
            sequence=_next_sequence(incident),
            msg_type=msg_type,
            sent_at=clock.now(),
            category=category,
            urgency=urgency,
            certainty=certainty,
            texts=cleaned,
            area_desc=area_desc,
            circle=circle,
            reason=reason[:500],
            published_by=actor.user,
        )
        audit.record(
            actor, Verb.INCIDENT_PUBLISHED, incident, changes={"msg_type": msg_type, "reason": message.reason}
        )
    return message


def withdraw(actor: Actor, incident, *, reason: str) -> CapMessage:
    """Withdraw the public alert: a CAP `Cancel` referencing the messages it cancels."""
    policy.require(actor, "incident.publish", incident)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(field="reason", code="required", message="Say why the alert is withdrawn.")
    with durable():
        last = _last(incident)
        if last is None or last.msg_type == "Cancel":
            raise Invalid(field="incident", code="not_public", message="This incident is not public.")
        message = CapMessage.objects.create(
            incident=incident,
            sequence=_next_sequence(incident),
            msg_type=CapMessage.MsgType.CANCEL,
            sent_at=clock.now(),
            category=last.category,
            urgency="Past",
            certainty=last.certainty,
            texts=last.texts,
            area_desc=last.area_desc,
            circle=last.circle,
            reason=reason[:500],
            published_by=actor.user,
        )
        audit.record(actor, Verb.INCIDENT_PUBLIC_WITHDRAWN, incident, changes={"reason": message.reason})
    return message


def _next_sequence(incident) -> int:
    top = CapMessage.objects.filter(incident=incident).aggregate(m=Max("sequence"))["m"]
    return (top or 0) + 1


def _last(incident) -> CapMessage | None:
    return CapMessage.objects.filter(incident=incident).order_by("-sequence").first()


def current(incident_id) -> CapMessage | None:
    """The latest public message of an incident (public read: no actor), or None if it was never
    made public. A drill never is."""
    return (
        CapMessage.objects.select_related("incident")
        .filter(incident_id=incident_id, incident__is_drill=False)
        .order_by("-sequence")
        .first()
    )


def latest_messages(limit: int = 50) -> list[CapMessage]:
    """The latest message of every incident ever made public, newest first (the feed)."""
    rows = (
        CapMessage.objects.select_related("incident")
        .filter(incident__is_drill=False)
        .order_by("incident_id", "-sequence")
    )
    seen, out = set(), []
    for m in rows:
        if m.incident_id not in seen:
            seen.add(m.incident_id)
            out.append(m)
    out.sort(key=lambda m: m.sent_at, reverse=True)
    return out[:limit]


def _e(parent, name, text=None):
    el = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = str(text)
    return el


def alert_element(message: CapMessage) -> etree._Element:
    alert = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _e(alert, "identifier", identifier(message))
    _e(alert, "sender", sender())
    _e(alert, "sent", sent_text(message.sent_at))
    _e(alert, "status", "Actual")
    _e(alert, "msgType", message.msg_type)
    _e(alert, "scope", "Public")
    if message.msg_type != "Alert":
        earlier = CapMessage.objects.filter(incident_id=message.incident_id, sequence__lt=message.sequence)
        refs = [f"{sender()},{identifier(m)},{sent_text(m.sent_at)}" for m in earlier.order_by("sequence")]
        if refs:
            _e(alert, "references", " ".join(refs))
    severity = SEVERITY.get(message.incident.severity, "Unknown")
    for lang in LANGUAGES:
        text = message.texts.get(lang)
        if not text:
            continue
        info = _e(alert, "info")
        _e(info, "language", lang)
        _e(info, "category", message.category)
        _e(info, "event", text["event"])
        _e(info, "urgency", message.urgency)
        _e(info, "severity", severity)
        _e(info, "certainty", message.certainty)
        if message.msg_type != "Cancel":
            _e(info, "expires", sent_text(message.sent_at + timedelta(days=2)))
        for name in ("headline", "description", "instruction"):
            if text.get(name):
                _e(info, name, text[name])
        area = _e(info, "area")
        _e(area, "areaDesc", message.area_desc)
        if message.circle:
            _e(area, "circle", message.circle)
    return alert


def alert_xml(message: CapMessage) -> bytes:
    return etree.tostring(alert_element(message), xml_declaration=True, encoding="UTF-8")


def feed_xml(messages: list[CapMessage], *, self_url: str, alert_url) -> bytes:
    """An Atom feed (as CAP feeds usually are): one entry per public incident, its latest message
    inline and linked as `/cap/<incident>.xml`."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    etree.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:liaison:{settings.NODE_NAME}:cap"
    etree.SubElement(feed, f"{{{ATOM}}}title").text = "Liaison CAP"
    updated = max((m.sent_at for m in messages), default=clock.now())
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = sent_text(updated)
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    etree.SubElement(author, f"{{{ATOM}}}name").text = sender()
    for m in messages:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        etree.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:{identifier(m)}"
        etree.SubElement(entry, f"{{{ATOM}}}title").text = (m.texts.get("vi") or {}).get(
            "headline", ""
        ) or "CAP"
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = sent_text(m.sent_at)
        etree.SubElement(
            entry,
            f"{{{ATOM}}}link",
            rel="alternate",
            type="application/cap+xml",
            href=alert_url(m.incident_id),
        )
        content = etree.SubElement(entry, f"{{{ATOM}}}content", type="application/cap+xml")
        content.append(alert_element(m))
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8")

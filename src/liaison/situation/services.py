"""Risk zones, drawn and edited by administrators (reference data)."""

from __future__ import annotations

from shapely.geometry import shape
from shapely.validation import explain_validity

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import events
from liaison.core.errors import FieldError, Invalid
from liaison.core.transactions import durable
from liaison.org.actor import Actor
from liaison.situation.models import RiskZone


def _validate(name: str, kind: str, geometry: dict, note: str) -> tuple[list[FieldError], tuple | None]:
    errs = []
    if not (name or "").strip() or len(name) > 150:
        errs.append(FieldError("name", "invalid", "1–150 characters."))
    if kind not in RiskZone.Kind.values:
        errs.append(FieldError("kind", "invalid_choice", "flash_flood or landslide."))
    if len(note or "") > 300:
        errs.append(FieldError("note", "too_long", "At most 300 characters."))
    bounds = None
    try:
        if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
            raise ValueError("a GeoJSON Polygon")
        ring = geometry.get("coordinates", [[]])[0]
        if len(ring) < 4 or len(ring) > 2000:
            raise ValueError("a polygon of 3 to 2,000 points")
        geom = shape(geometry)
        if not geom.is_valid:
            raise ValueError(explain_validity(geom))
        bounds = geom.bounds
        if not (-180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90):
            raise ValueError("coordinates within the globe (lon, lat)")
    except (ValueError, TypeError, IndexError, AttributeError, KeyError) as exc:
        errs.append(
            FieldError("geometry", "invalid", f"Expected {exc}." if str(exc) else "A GeoJSON Polygon.")
        )
    return errs, bounds


def risk_zone_save(
    actor: Actor, *, zone: RiskZone | None = None, name: str, kind: str, geometry: dict, note: str = ""
) -> RiskZone:
    policy.require(actor, "reference.manage")
    errs, bounds = _validate(name, kind, geometry, note)
    if errs:
        raise Invalid(errs)
    with durable():
        z = zone or RiskZone(drawn_by=actor.user)
        z.name, z.kind, z.geometry, z.note = name.strip(), kind, geometry, note
        z.min_lon, z.min_lat, z.max_lon, z.max_lat = bounds
        z.save()
        audit.record(
            actor, Verb.RISK_ZONE_SAVED, z, changes={"name": name, "kind": kind, "geometry": geometry}
        )
        events.emit("riskzone.saved", z, units=[actor.unit] if actor.unit else [])
    return z

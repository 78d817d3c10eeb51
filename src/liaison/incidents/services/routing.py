"""Which force leads, and which unit of it: the lead-force rules table and the place."""

from __future__ import annotations

from django.db.models import Q

from liaison import policy
from liaison.geo.models import PlaceKind
from liaison.incidents.models import AreaKind, IncidentType, LeadRule
from liaison.org.actor import Actor
from liaison.org.models import Unit


def area_kind_of(area, place) -> str:
    """The gate zone, the border area (a border commune) or inland."""
    if place is not None and place.kind == PlaceKind.GATE:
        return AreaKind.GATE
    if area is not None and area.is_border_area:
        return AreaKind.BORDER
    if place is not None and place.kind in (PlaceKind.POST, PlaceKind.MARKER, PlaceKind.STATION):
        return AreaKind.BORDER
    return AreaKind.INLAND


def lead_rule(incident_type: IncidentType, area_kind: str, severity: str) -> LeadRule | None:
    """The most specific rule that matches (type beats area kind beats severity)."""
    # (`incident_type__in=[t, None]` would not match NULL: "any type" rules need isnull.)
    candidates = LeadRule.objects.filter(Q(incident_type=incident_type) | Q(incident_type__isnull=True))
    best = None
    for r in candidates:
        if r.incident_type_id not in (None, incident_type.pk):
            continue
        if r.area_kind and r.area_kind != area_kind:
            continue
        if r.severity and r.severity != severity:
            continue
        if best is None or r.specificity > best.specificity:
            best = r
    return best


def responsible_unit(force: str, area, place=None) -> Unit | None:
    """The unit of `force` responsible for the place: the unit stationed at the place itself (the
    gate's border-guard station), else the highest unit whose area is the place's commune (the post
    that covers the commune, not a station below it; the commune police), else the force's
    provincial command."""
    units = policy.visible(Actor.system(), Unit, "receive").filter(force=force)
    if place is not None and place.unit_id and units.filter(pk=place.unit_id).exists():
        return place.unit
    if area is not None:
        here = units.filter(area=area).order_by("depth", "code").first()
        if here is not None:
            return here
    return units.filter(depth=0).order_by("code").first() or units.order_by("depth", "code").first()

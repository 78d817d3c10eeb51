"""Writes to geography: the reference import and places. Actor first, one transaction each."""

from __future__ import annotations

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core.errors import FieldError, Invalid
from liaison.core.text import search_fields
from liaison.core.transactions import durable
from liaison.geo import reference
from liaison.geo.models import Area, Place, PlaceKind
from liaison.org.actor import Actor


def reference_import(actor: Actor, *, province_codes: list[int] | None = None) -> dict[str, int]:
    """Load (or refresh) areas from the reference packages. Idempotent: codes are the keys."""
    policy.require(actor, "reference.manage")
    refs = reference.vietnam_areas(province_codes or [38]) + reference.hua_phan_areas()
    positions = reference.geonames_positions()
    by_name = {
        "Mường Lát": "muong-lat",
        "Na Mèo": "na-meo",
        "Xam Neua": "xam-nua",
        "Muang Viangxai": "viengxay",
        "Muang Xam-Tai": "xamtai",
        "Muang Houamuang": "huameung",
        "Muang Hiam": "viengthong",
    }
    created = updated = 0
    with durable():
        existing = {a.code: a for a in Area.objects.all()}
        for ref in refs:
            short = ref.name.removeprefix("Xã ").removeprefix("Phường ")
            pos = positions.get(by_name.get(short, ""))
            values = {
                "official_code": ref.official_code,
                "kind": ref.kind,
                "name": ref.name,
                "country": ref.country,
                "parent": existing.get(ref.parent) if ref.parent else None,
                "is_border_area": ref.is_border_area,
                "source": ref.source,
            }
            if pos:
                values.update(lat=pos[0], lon=pos[1], position_approximate=False)
            area = existing.get(ref.code)
            if area is None:
                area = Area.objects.create(code=ref.code, **values)
                existing[ref.code] = area
                created += 1
            elif any(getattr(area, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(area, k, v)
                area.save()
                updated += 1
        audit.record(
            actor,
            Verb.AREA_IMPORTED,
            object_type="geo.area",
            object_ref="reference",
            changes={"created": created, "updated": updated, "source": reference.VN_SOURCE},
        )
    return {"created": created, "updated": updated, "total": len(refs)}


def _validate_place(*, code, kind, name, lat, lon, source, exclude=None) -> list[FieldError]:
    errors = []
    if not code or len(code) > 40:
        errors.append(FieldError("code", "invalid", "1–40 characters."))
    elif Place.objects.filter(code=code).exclude(pk=exclude).exists():
        errors.append(FieldError("code", "duplicate", "Another place has this code."))
    if kind not in PlaceKind.values:
        errors.append(FieldError("kind", "invalid_choice", "Unknown place kind."))
    if not name or len(name) > 150:
        errors.append(FieldError("name", "invalid", "1–150 characters."))
    if not isinstance(lat, int | float) or not -90 <= lat <= 90:
        errors.append(FieldError("lat", "out_of_range", "Latitude between -90 and 90."))
    if not isinstance(lon, int | float) or not -180 <= lon <= 180:
        errors.append(FieldError("lon", "out_of_range", "Longitude between -180 and 180."))
    if not source or len(source) > 200:
        errors.append(FieldError("source", "required", "Say where the position comes from."))
    return errors


def place_upsert(
    actor: Actor,
    *,
    code: str,
    kind: str,
    name: str,
    lat: float,
    lon: float,
    source: str,
    approximate: bool = True,
    area: Area | None = None,
    unit=None,
) -> Place:
    """Create a place, or update the one with this code (reference loads are re-runnable)."""
    policy.require(actor, "reference.manage")
    current = Place.objects.filter(code=code).first()
    errors = _validate_place(
        code=code,
        kind=kind,
        name=name,
        lat=lat,
        lon=lon,
        source=source,
        exclude=current.pk if current else None,
    )
    if errors:
        raise Invalid(errors)
    values = {
        "kind": kind,
        "name": name,
        "lat": lat,
        "lon": lon,
        "source": source,
        "approximate": approximate,
        "area": area,
        "unit": unit,
    }
    values.update(search_fields(name, code, getattr(area, "name", "")))
    with durable():
        if current is None:
            place = Place.objects.create(code=code, **values)
            audit.record(
                actor,
                Verb.PLACE_CREATED,
                place,
                changes={k: getattr(v, "pk", v) for k, v in values.items() if not k.startswith("search_")},
            )
            return place
        changed = {k: v for k, v in values.items() if getattr(current, k) != v}
        audited = {k: v for k, v in changed.items() if not k.startswith("search_")}
        if changed:
            for k, v in changed.items():
                setattr(current, k, v)
            current.save()
        if audited:
            audit.record(
                actor,
                Verb.PLACE_UPDATED,
                current,
                changes={k: getattr(v, "pk", v) for k, v in audited.items()},
            )
        return current

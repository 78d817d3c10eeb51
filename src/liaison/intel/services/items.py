"""Creating, reading, amending, re-handling and closing items."""

from __future__ import annotations

import datetime as dt

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.errors import FieldError, Invalid, NotPermitted
from liaison.core.refs import next_ref
from liaison.core.transactions import durable
from liaison.intel import hooks
from liaison.intel.models import TLP_RANK, Category, Grading, Item, ItemReceipt, Reliability, Status, Tlp
from liaison.intel.services.common import index_for_search, require_open, revise
from liaison.org.actor import Actor

AMENDABLE = ("title", "body", "category", "lat", "lon", "area", "place", "observed_at")
RESTRICTED = (Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)


def validate_fields(data: dict, *, partial: bool = False) -> list[FieldError]:
    errs: list[FieldError] = []
    if not partial or "title" in data:
        t = (data.get("title") or "").strip()
        if not t:
            errs.append(FieldError("title", "required", "An item needs a title."))
        elif len(t) > 200:
            errs.append(FieldError("title", "too_long", "At most 200 characters."))
    if not partial or "body" in data:
        b = data.get("body") or ""
        if not b.strip():
            errs.append(FieldError("body", "required", "Describe what was observed."))
        elif len(b) > 20_000:
            errs.append(FieldError("body", "too_long", "At most 20,000 characters."))
    if not partial or "category" in data:
        c = data.get("category")
        if not isinstance(c, Category) or c.state != Category.State.ACTIVE:
            errs.append(FieldError("category", "invalid_choice", "Choose an active category."))
    lat, lon = data.get("lat"), data.get("lon")
    if (lat is None) != (lon is None) and (not partial or "lat" in data or "lon" in data):
        errs.append(
            FieldError("lat" if lat is None else "lon", "incomplete", "Give both latitude and longitude.")
        )
    if lat is not None and not -90 <= lat <= 90:
        errs.append(FieldError("lat", "out_of_range", "Latitude between -90 and 90."))
    if lon is not None and not -180 <= lon <= 180:
        errs.append(FieldError("lon", "out_of_range", "Longitude between -180 and 180."))
    now = clock.now()
    obs = data.get("observed_at")
    if not partial or "observed_at" in data:
        if not isinstance(obs, dt.datetime):
            errs.append(FieldError("observed_at", "required", "When was it observed?"))
        elif obs > now + dt.timedelta(minutes=5):
            errs.append(FieldError("observed_at", "in_future", "Cannot be in the future."))
    return errs


def item_create(
    actor: Actor,
    *,
    title: str,
    body: str,
    category: Category,
    observed_at: dt.datetime,
    reliability: str,
    credibility: int,
    tlp: str = Tlp.AMBER,
    received_at: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    area=None,
    place=None,
    is_drill: bool = False,
) -> Item:
    """Log an item for the actor's unit (the originator). Its level is the unit's level now."""
    policy.require(actor, "item.create")
    data = {
        "title": title,
        "body": body,
        "category": category,
        "observed_at": observed_at,
        "lat": lat,
        "lon": lon,
    }
    errs = validate_fields(data)
    if reliability not in Reliability.values:
        errs.append(FieldError("reliability", "invalid_choice", "A to F."))
    if credibility not in range(1, 7):
        errs.append(FieldError("credibility", "invalid_choice", "1 to 6."))
    if tlp not in Tlp.values:
        errs.append(FieldError("tlp", "invalid_choice", "RED, AMBER+STRICT, AMBER, GREEN or CLEAR."))
    received = received_at or clock.now()
    if isinstance(observed_at, dt.datetime) and observed_at > received + dt.timedelta(minutes=5):
        errs.append(FieldError("observed_at", "after_received", "Observed after it was received?"))
    if errs:
        raise Invalid(errs)
    if lat is None and place is not None:
        lat, lon = place.lat, place.lon
    if area is None and place is not None:
        area = place.area
    with durable():
        item = Item(
            ref=next_ref("TIN"),
            title=title.strip(),
            body=body,
            category=category,
            lat=lat,
            lon=lon,
            area=area,
            place=place,
            observed_at=observed_at,
            received_at=received,
            origin_unit=actor.unit,
            origin_officer=actor.user,
            reliability=reliability,
            credibility=credibility,
            tlp=tlp,
            level=actor.unit.level,
            is_drill=is_drill,
        )
        index_for_search(item)
        item.save()
        events.emit("item.created", item, units=[actor.unit], data={"tlp": tlp})
        grading = Grading.objects.create(
            item=item,
            kind=Grading.Kind.ORIGINATOR,
            reliability=reliability,
            credibility=credibility,
            by=actor.user,
            by_unit=actor.unit,
            at=clock.now(),
        )
        audit.record(
            actor,
            Verb.ITEM_CREATED,
            item,
            changes={
                "title": item.title,
                "body": item.body,
                "category": category.code,
                "tlp": tlp,
                "reliability": reliability,
                "credibility": credibility,
                "observed_at": observed_at.isoformat(),
                "place": [lat, lon, getattr(area, "code", None), getattr(place, "code", None)],
            },
        )
    # What was written is the answer's (issue 15: not read back): its one grading, and no receipt
    # (a new item is its originator's alone until it is shared). `item.gradings.all()` reads these.
    item._prefetched_objects_cache = {"gradings": [grading], "receipts": []}
    return item


def item_open(actor: Actor, *, item: Item) -> Item:
    """A person opens the item's detail: a read receipt for their unit, and an audited read when the
    item is AMBER or RED (one event per request)."""
    receipt = (
        ItemReceipt.objects.filter(item=item, unit=actor.unit, read_at__isnull=True).first()
        if actor.unit
        else None
    )
    if item.tlp not in RESTRICTED and receipt is None:
        return item
    with durable():
        if receipt is not None:
            ItemReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(
                read_at=clock.now(), read_by=actor.user
            )
        if item.tlp in RESTRICTED:
            audit.record(actor, Verb.ITEM_READ, item)
    return item


def item_amend(actor: Actor, *, item: Item, reason: str = "", **changes) -> Item:
    """Change what the originator said; every change is kept in the item's history."""
    policy.require(actor, "item.amend", item)
    require_open(item)
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        raise Invalid(
            [FieldError(f, "not_amendable", "This field cannot be amended.") for f in sorted(unknown)]
        )
    errs = validate_fields({**{f: getattr(item, f) for f in ("lat", "lon")}, **changes}, partial=True)
    if errs:
        raise Invalid(errs)
    diff = {f: [getattr(item, f), v] for f, v in changes.items() if getattr(item, f) != v}
    if not diff:
        return item
    with durable():
        for f, (_old, new) in diff.items():
            setattr(item, f, new)
        index_for_search(item)
        revise(actor, item, "amended", diff, reason)
        item.save()
        audit.record(actor, Verb.ITEM_AMENDED, item, changes={f: v[1] for f, v in diff.items()})
    return item


def item_set_handling(actor: Actor, *, item: Item, tlp: str | None = None, reason: str = "") -> Item:
    """Raise the handling level (originator), or lower it (a commander of the originating unit, with
    a reason). AMBER has no widening (PRODUCT.md; decision 0007)."""
    errs = []
    if tlp is not None and tlp not in Tlp.values:
        errs.append(FieldError("tlp", "invalid_choice", "RED, AMBER+STRICT, AMBER, GREEN or CLEAR."))
    if errs:
        raise Invalid(errs)
    diff: dict = {}
    if tlp is not None and tlp != item.tlp:
        if TLP_RANK[tlp] > TLP_RANK[item.tlp]:
            policy.require(actor, "item.raise_tlp", item)
        else:
            policy.require(actor, "item.lower_tlp", item)
            if not reason.strip():
                raise Invalid(
                    field="reason", code="required", message="Lowering a handling level needs a reason."
                )
        diff["tlp"] = [item.tlp, tlp]
    if not diff:
        return item
    with durable():
        for f, (_o, n) in diff.items():
            setattr(item, f, n)
        revise(actor, item, "handling", diff, reason)
        item.save()
        if "tlp" in diff and TLP_RANK[tlp] > TLP_RANK[diff["tlp"][0]]:
            hooks.handling_raised(item=item)  # incidents follow their items' level (PRODUCT.md)
        audit.record(actor, Verb.ITEM_HANDLING_CHANGED, item, changes={f: v[1] for f, v in diff.items()})
    return item


def item_close(actor: Actor, *, item: Item, reason: str = "") -> Item:
    policy.require(actor, "item.close", item)
    if item.status == Status.CLOSED:
        return item
    if len(reason) > 2000:
        raise Invalid(field="reason", code="too_long", message="At most 2,000 characters.")
    with durable():
        diff = {"status": [item.status, Status.CLOSED]}
        item.status = Status.CLOSED
        revise(actor, item, "closed", diff, reason)
        item.save()
        audit.record(actor, Verb.ITEM_CLOSED, item, changes={"status": Status.CLOSED})
    return item


def require_not_red_for_force(item: Item) -> None:
    if item.tlp == Tlp.RED:
        raise NotPermitted("RED items are shared only with named units.", code="red_named_units_only")

"""Sharing items with units or whole forces, and acknowledging receipt."""

from __future__ import annotations

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.errors import FieldError, Invalid, NotPermitted
from liaison.core.transactions import durable
from liaison.intel import errors
from liaison.intel.models import Item, ItemReceipt, ItemShare, Tlp
from liaison.intel.services.common import require_open, revise
from liaison.org.actor import Actor
from liaison.org.models import Force, Unit


def item_share(
    actor: Actor, *, item: Item, units: list[Unit] = (), forces: list[str] = ()
) -> list[ItemReceipt]:
    """Share with named units and/or whole forces of this node. Returns the new receipts.

    Who may share what follows the handling level (see policy/rules/intel.py). A share to a unit of
    another force than the originator's is an exchange: the first one dates the item's statistics."""
    units, forces = list(units), list(dict.fromkeys(forces))
    errs = []
    if not units and not forces:
        errs.append(FieldError("units", "required", "Name at least one unit or force."))
    for f in forces:
        if f not in Force.values or f == Force.FOREIGN_PARTNER:
            errs.append(FieldError("forces", "invalid_choice", f"Not a force of this node: {f}."))
    receiving = set(
        policy.visible(actor, Unit, "receive")
        .filter(pk__in=[u.pk for u in units])
        .values_list("pk", flat=True)
    )
    for u in units:
        if u.pk not in receiving:
            errs.append(
                FieldError(
                    "units",
                    errors.PARTNER_UNIT,
                    "Nothing is shared with the partner's units until the exchange with its node exists.",
                )
            )
    if errs:
        raise Invalid(errs)
    require_open(item)
    if forces and item.tlp == Tlp.RED:
        raise NotPermitted("RED items are shared only with named units.", code="red_named_units_only")
    via_force = list(policy.visible(actor, Unit, "receive").filter(force__in=forces)) if forces else []
    targets = {u.pk: u for u in [*units, *via_force] if u.pk != item.origin_unit_id}
    policy.require(actor, "item.share", (item, list(targets.values())))
    now = clock.now()
    with durable():
        existing = set(
            ItemReceipt.objects.filter(item=item, unit_id__in=targets).values_list("unit_id", flat=True)
        )
        new: list[ItemReceipt] = []
        shares = {}
        for u in units:
            shares[u.pk] = ItemShare.objects.create(
                item=item, unit=u, shared_by=actor.user, shared_by_unit=actor.unit, shared_at=now
            )
        for f in forces:
            s = ItemShare.objects.create(
                item=item, force=f, shared_by=actor.user, shared_by_unit=actor.unit, shared_at=now
            )
            for u in via_force:
                shares.setdefault(u.pk, s) if u.force == f else None
        for pk, u in targets.items():
            if pk in existing:
                continue
            new.append(ItemReceipt(item=item, unit=u, share=shares[pk], delivered_at=now))
        ItemReceipt.objects.bulk_create(new)
        origin_force = item.origin_unit.force
        if item.exchanged_at is None and any(r.unit.force != origin_force for r in new):
            item.exchanged_at = now
        if new:
            events.emit(
                "item.shared",
                item,
                units=[r.unit for r in new],
                data={"tlp": item.tlp, "from": item.origin_unit.code},
            )
        revise(
            actor,
            item,
            "shared",
            {
                "units": [u.code for u in units],
                "forces": forces,
                "new_recipients": [r.unit.code for r in new],
            },
        )
        item.save()
        audit.record(
            actor,
            Verb.ITEM_SHARED,
            item,
            changes={"units": sorted(str(u.pk) for u in units), "forces": forces, "recipients": len(new)},
        )
    return new


def item_acknowledge(actor: Actor, *, item: Item) -> ItemReceipt:
    """The actor's unit confirms it received the item (who, when). Re-acknowledging changes nothing."""
    receipt = ItemReceipt.objects.filter(item=item, unit=actor.unit).first() if actor.unit else None
    if receipt is None or not policy.can(actor, "item.acknowledge", item):
        raise NotPermitted("Only a recipient unit acknowledges receipt.", code=errors.NOT_RECIPIENT)
    if receipt.acknowledged_at is not None:
        return receipt
    with durable():
        now = clock.now()
        receipt.acknowledged_at, receipt.acknowledged_by = now, actor.user
        if receipt.read_at is None:
            receipt.read_at, receipt.read_by = now, actor.user
        receipt.save()
        audit.record(actor, Verb.ITEM_ACKNOWLEDGED, item)
    return receipt

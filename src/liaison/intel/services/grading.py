"""Analyst re-grading (kept apart from the originator's grading) and links between items."""

from __future__ import annotations

from dataclasses import dataclass

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import FieldError, Invalid
from liaison.core.transactions import durable
from liaison.intel import errors
from liaison.intel.models import Credibility, Grading, Item, ItemLink, Reliability
from liaison.intel.services.common import revise
from liaison.org.actor import Actor


def item_regrade(
    actor: Actor, *, item: Item, reliability: str, credibility: int, reason: str = ""
) -> Grading:
    errs = []
    if reliability not in Reliability.values:
        errs.append(FieldError("reliability", "invalid_choice", "A to F."))
    if credibility not in Credibility.values:
        errs.append(FieldError("credibility", "invalid_choice", "1 to 6."))
    if len(reason) > 2000:
        errs.append(FieldError("reason", "too_long", "At most 2,000 characters."))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "item.regrade", item)
    with durable():
        g = Grading.objects.create(
            item=item,
            kind=Grading.Kind.ANALYST,
            reliability=reliability,
            credibility=credibility,
            reason=reason,
            by=actor.user,
            by_unit=actor.unit,
            at=clock.now(),
        )
        diff = {
            "analyst_reliability": [item.analyst_reliability or None, reliability],
            "analyst_credibility": [item.analyst_credibility, credibility],
        }
        item.analyst_reliability, item.analyst_credibility = reliability, credibility
        revise(actor, item, "regraded", diff, reason)
        item.save()
        audit.record(
            actor, Verb.ITEM_REGRADED, item, changes={"reliability": reliability, "credibility": credibility}
        )
    return g


@dataclass(frozen=True)
class LinkResult:
    link: ItemLink
    created: bool
    # Items from different forces (never the same unit) describing the same event: the analyst is
    # offered credibility 1, "confirmed by other sources".
    corroboration_offered: bool


def corroborates(a: Item, b: Item, kind: str) -> bool:
    return (
        kind == ItemLink.Kind.SAME_EVENT
        and a.origin_unit_id != b.origin_unit_id
        and a.origin_unit.force != b.origin_unit.force
    )


def item_link(actor: Actor, *, item: Item, other: Item, kind: str = ItemLink.Kind.RELATED) -> LinkResult:
    if kind not in ItemLink.Kind.values:
        raise Invalid(field="kind", code="invalid_choice", message="same_event or related.")
    if item.pk == other.pk:
        raise Invalid(field="other_id", code=errors.SAME_ITEM, message="An item cannot be linked to itself.")
    policy.require(actor, "item.link", (item, other))
    a, b = (item, other) if str(item.pk) < str(other.pk) else (other, item)
    existing = ItemLink.objects.filter(a=a, b=b).first()
    if existing:
        return LinkResult(existing, False, corroborates(a, b, existing.kind))
    with durable():
        link = ItemLink.objects.create(a=a, b=b, kind=kind, created_by=actor.user, created_at=clock.now())
        revise(actor, item, "linked", {"link": [None, str(other.pk)], "kind": kind})
        item.save(update_fields=["version", "updated_at"])
        audit.record(actor, Verb.ITEM_LINKED, item, changes={"other": str(other.pk), "kind": kind})
    return LinkResult(link, True, corroborates(a, b, kind))

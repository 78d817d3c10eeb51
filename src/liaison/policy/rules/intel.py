"""Information items: need to know and handling levels (PRODUCT.md, "Need to know", "Handling levels").

Access is declared once (`ITEM` below, see `policy.involvement`): a unit is involved in an item as
its originator, as a recipient (a share to the unit, direct or through its whole force, creates its
receipt), or as the unit asked to verify it. Access, the commander's subtree (never RED), the
explanation and the live feed's audience are all generated from that declaration.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from liaison.intel.models import (
    TLP_RANK,
    Attachment,
    Category,
    Grading,
    Item,
    ItemLink,
    ItemReceipt,
    ItemRevision,
    ItemShare,
    Tlp,
    VerificationRequest,
)
from liaison.org.models import Role
from liaison.policy.core import mention, offers, permission, refuse, visibility, visible
from liaison.policy.facts import has_role, in_subtree, is_staff_member, is_system, subtree_q
from liaison.policy.involvement import OPERATIONAL_ROLES, Relation, declare, record_q, sees

AUTHOR_ROLES = OPERATIONAL_ROLES


# --- the declaration: how a unit is involved in an item -----------------------------------------

ITEM = declare(
    Item,
    Relation("originator", _("originator"), None, "origin_unit"),
    Relation("recipient", _("recipient"), ItemReceipt, "unit", "item"),
    Relation("verification request", _("asked to verify"), VerificationRequest, "unit", "item"),
    not_through_subtree=Q(tlp=Tlp.RED),
    not_through_subtree_label=_("RED is never visible through a subtree"),
    children=(
        (Attachment, "item_id"),
        (VerificationRequest, "item_id"),
        (ItemReceipt, "item_id"),
        (ItemShare, "item_id"),
        (ItemRevision, "item_id"),
        (Grading, "item_id"),
    ),
    # the relations intel's migration 0008 built the `search_units` triggers from
    audience_indexed=("originator", "recipient", "verification request"),
)


# The item's history names the other item of a link by its id.
mention("item.history", "linked", Item, key=lambda d: (d.get("link") or [None, None])[1])


def _sees(actor, item) -> bool:
    return sees(actor, item)


def is_originator(actor, item) -> bool:
    return is_staff_member(actor) and item.origin_unit_id == actor.unit.pk


def is_recipient(actor, item) -> bool:
    return is_staff_member(actor) and ItemReceipt.objects.filter(item=item, unit=actor.unit).exists()


@visibility(ItemLink)
def links_visible(actor):
    """A link is seen by those who see both of its items."""
    if is_system(actor):
        return Q()
    if not is_staff_member(actor):
        return None
    q = record_q(ITEM, actor.unit, actor.role)
    if q is None:
        return None
    seen = Item.objects.filter(q)
    return Q(Exists(seen.filter(pk=OuterRef("a_id")))) & Q(Exists(seen.filter(pk=OuterRef("b_id"))))


# --- actions --------------------------------------------------------------------------------


@permission("item.create")
def can_create(actor, _obj):
    return (
        is_system(actor)
        or has_role(actor, *AUTHOR_ROLES)
        or refuse(_("Duty officers, analysts, commanders and liaison officers log items."))
    )


@permission("item.amend")
def can_amend(actor, item):
    return is_system(actor) or (is_originator(actor, item) and actor.role in AUTHOR_ROLES)


@permission("item.share")
def can_share(actor, share):
    """`share` = (item, target units). RED: only the originator, to named units. AMBER+STRICT:
    only the originator. AMBER: the originator; recipients within their own force (no widening).
    GREEN/CLEAR: anyone who sees it. Never to a unit of another country
    (until the exchange with the partner's node exists)."""
    item, units = share
    if any(u.country != settings.NODE_COUNTRY or not u.is_active for u in units):
        return False
    if is_system(actor):
        return True
    if not _sees(actor, item):
        return False
    if actor.role not in AUTHOR_ROLES:
        return refuse(_("Only duty officers, analysts, commanders and liaison officers share items."))
    if is_originator(actor, item):
        return True
    if item.tlp in (Tlp.RED, Tlp.AMBER_STRICT):
        return refuse(_("Only the originating unit shares a RED or AMBER+STRICT item."))
    if item.tlp == Tlp.AMBER:
        if not is_recipient(actor, item):
            return refuse(_("An AMBER item is shared on only by a unit that received it."))
        return all(u.force == actor.unit.force for u in units) or refuse(
            _("A recipient shares an AMBER item only within its own force.")
        )
    return True  # GREEN, CLEAR


@offers("item.share")
def share_targets_offered(actor, item):
    """The units this actor may share this item with now: exactly the units `can_share` accepts.
    The rule reads a target only through its country, whether it is active and its force, so it is
    asked once per force (a unit standing for its force) instead of once per unit."""
    from liaison.org.models import Unit

    candidates = visible(actor, Unit, "receive").filter(country=settings.NODE_COUNTRY, is_active=True)
    allowed = [
        force
        for force in candidates.values_list("force", flat=True).distinct()
        if can_share(actor, (item, [candidates.filter(force=force).first()])) is True
    ]
    return candidates.filter(force__in=allowed).order_by("force", "path")


@permission("item.share_force")
def can_share_force(actor, item):
    """Whole-force shares are not for RED (named units only)."""
    return item.tlp != Tlp.RED


@permission("item.acknowledge")
def can_acknowledge(actor, item):
    return is_recipient(actor, item)


@permission("item.request_verification")
def can_request_verification(actor, item):
    if is_system(actor):
        return True
    return _sees(actor, item) and (is_originator(actor, item) or actor.role in (Role.ANALYST, Role.COMMANDER))


@permission("verification.answer")
def can_answer(actor, request):
    return is_system(actor) or (
        is_staff_member(actor) and request.unit_id == actor.unit.pk and actor.role in AUTHOR_ROLES
    )


@permission("item.regrade")
def can_regrade(actor, item):
    return (
        is_system(actor)
        or (has_role(actor, Role.ANALYST) and _sees(actor, item))
        or refuse(_("Only an analyst re-grades an item."))
    )


@permission("item.link")
def can_link(actor, pair):
    a, b = pair
    return is_system(actor) or (has_role(actor, *AUTHOR_ROLES) and _sees(actor, a) and _sees(actor, b))


@permission("item.close")
def can_close(actor, item):
    if is_system(actor):
        return True
    # The originator, or a commander of the originating unit (its own or above it): a commander who
    # sees another force's item through the subtree does not close it.
    return _sees(actor, item) and (
        is_originator(actor, item)
        or (has_role(actor, Role.COMMANDER) and in_subtree(actor, item.origin_unit))
        or refuse(_("Only the originating unit, or a commander above it, closes an item."))
    )


@permission("item.raise_tlp")
def can_raise_tlp(actor, item):
    return is_system(actor) or is_originator(actor, item)


@permission("item.lower_tlp")
def can_lower_tlp(actor, item):
    """Lowering needs a commander of the originating unit (its own unit or above it)."""
    if is_system(actor):
        return True
    return (
        has_role(actor, Role.COMMANDER) and in_subtree(actor, item.origin_unit) and _sees(actor, item)
    ) or refuse(
        _("Only a commander of the originating unit, or of a unit above it, lowers the handling level.")
    )


@permission("item.attach")
def can_attach(actor, item):
    return is_system(actor) or (_sees(actor, item) and actor.role in AUTHOR_ROLES)


@permission("item.explain")
def can_explain(actor, item):
    """Only a user who may see the item may ask why another unit can or cannot."""
    return _sees(actor, item)


@permission("category.propose")
def can_propose_category(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


@permission("category.approve")
def can_approve_category(actor, category):
    return is_system(actor) or (
        has_role(actor, Role.ADMINISTRATOR)
        and category is not None
        and category.proposed_by_id != actor.user.pk
    )


def tlp_is_raise(old: str, new: str) -> bool:
    return TLP_RANK[new] > TLP_RANK[old]


@visibility(Category)
def categories_visible(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


@visibility(VerificationRequest, "watch")
def verifications_watched(actor):
    """A commander watches the verification requests addressed to the units of their subtree."""
    if not has_role(actor, Role.COMMANDER):
        return None
    return Q(pk__in=visible(actor, VerificationRequest).values("pk")) & subtree_q(actor, "unit__")

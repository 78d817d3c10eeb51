"""Cross-border exchange (issue 20): the release gate, peers, and who reads what a partner released.

The release gate, as PRODUCT.md's handling levels say it:
- RED never leaves the node;
- AMBER+STRICT leaves only by its originator's release: a liaison officer or commander of the
  originating unit proposes, and a commander of the originating unit approves;
- AMBER needs a commander's approval: a commander of the originating unit or above, not the proposer;
- GREEN and CLEAR leave on a liaison officer's proposal alone.
Only a liaison officer who sees the item proposes (a commander of the originating unit may too, for
AMBER+STRICT). A partner item is declared below: its recipients on this node see it (involvement),
their commanders through the subtree; the partner's own unit is a reference and grants nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
from liaison.incidents.models import Incident
from liaison.intel.models import Item, Tlp
from liaison.org.models import Role, Unit
from liaison.policy.core import permission, refuse, visibility, visible
from liaison.policy.facts import has_role, in_subtree, is_member, is_staff_member, is_system
from liaison.policy.involvement import Relation, declare, sees

PARTNER_ITEM = declare(
    PartnerItem,
    Relation("recipient", _("unit the partner released it to"), PartnerItemUnit, "unit", "item"),
    children=((PartnerItemUnit, "item_id"),),
)
# An incident summary from the partner, declared like a partner item: its recipients see it.
PARTNER_INCIDENT = declare(
    PartnerIncident,
    Relation("recipient", _("unit the partner released it to"), PartnerIncidentUnit, "unit", "incident"),
    children=((PartnerIncidentUnit, "incident_id"),),
)


def _administrator(actor):
    return Q() if is_system(actor) or has_role(actor, Role.ADMINISTRATOR) else None


# Peers, their keys and the envelopes' bookkeeping (sequence numbers, attempts; never their content
# on a page) are the administrator's; a liaison officer reads the list of peers to release to.
visibility(PeerKey)(_administrator)
visibility(Peer, "manage")(_administrator)
visibility(OutEnvelope)(_administrator)
visibility(InEnvelope)(_administrator)
visibility(WitnessedCheckpoint)(_administrator)


@visibility(Unit, "exchange.recipient")
def release_recipients(actor):
    """The units a partner's release may name on this node: this node's own active units."""
    return Q(country=settings.NODE_COUNTRY, is_active=True) if is_system(actor) else None


@visibility(Peer)
def peers(actor):
    if is_system(actor) or has_role(actor, Role.ADMINISTRATOR):
        return Q()
    if has_role(actor, Role.LIAISON_OFFICER, Role.COMMANDER):
        return Q(state=Peer.State.ACTIVE)
    return None


@visibility(Release)
def releases(actor):
    """A release is read by whoever reads its item (or its incident), in an operational role."""
    if is_system(actor):
        return Q()
    if not is_staff_member(actor):
        return None
    return Q(item__in=visible(actor, Item).values("pk")) | Q(
        incident__in=visible(actor, Incident).values("pk")
    )


@permission("exchange.peer.manage")
def can_manage_peers(actor, _obj):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


def origin_unit_id(subject):
    """The unit a released thing originates from: an item's originating unit, an incident's lead."""
    return subject.lead_unit_id if isinstance(subject, Incident) else subject.origin_unit_id


def _origin_unit(subject):
    return subject.lead_unit if isinstance(subject, Incident) else subject.origin_unit


def _cannot_see(subject):
    if isinstance(subject, Incident):
        return refuse(_("You cannot see this incident."))
    return refuse(_("You cannot see this information item."))


@permission("release.propose")
def can_propose(actor, subject):
    """`subject`: the item, or the incident whose summary is released."""
    if is_system(actor):
        return True
    if subject is None or not is_member(actor) or not sees(actor, subject):
        return _cannot_see(subject)
    if subject.tlp == Tlp.RED:
        return refuse(_("A TLP:RED item never leaves this node."))
    if subject.is_drill:
        return refuse(_("A drill is not released to the partner."))
    if subject.tlp == Tlp.AMBER_STRICT:
        if actor.unit.pk != origin_unit_id(subject) or actor.role not in (
            Role.LIAISON_OFFICER,
            Role.COMMANDER,
        ):
            return refuse(_("A TLP:AMBER+STRICT item leaves only by its originating unit's release."))
        return True
    if actor.role != Role.LIAISON_OFFICER:
        return refuse(_("Only a liaison officer proposes a release to the partner."))
    return True


def needs_approval(tlp: str) -> bool:
    return tlp in (Tlp.AMBER, Tlp.AMBER_STRICT)


@permission("release.approve")
def can_approve(actor, release):
    if is_system(actor):
        return True
    if release is None or release.state != Release.State.PROPOSED:
        return refuse(_("This release is not awaiting approval."))
    subject = release.subject
    if subject.tlp == Tlp.RED:
        return refuse(_("A TLP:RED item never leaves this node."))
    if not has_role(actor, Role.COMMANDER) or not sees(actor, subject):
        return refuse(_("A commander of the originating unit approves a release."))
    if release.proposed_by_id == actor.user.pk:
        return refuse(_("The approval is another person's than the proposal."))
    if subject.tlp == Tlp.AMBER_STRICT and actor.unit.pk != origin_unit_id(subject):
        return refuse(_("A TLP:AMBER+STRICT item leaves only by its originating unit's release."))
    if not in_subtree(actor, _origin_unit(subject)):
        return refuse(_("A commander of the originating unit approves a release."))
    return True


@permission("release.withdraw")
def can_withdraw(actor, release):
    """Withdrawing, re-grading and sending an incident summary's update: a liaison officer or a
    commander who sees what was released, while it is released."""
    if is_system(actor):
        return True
    if release is None or release.state != Release.State.SENT:
        return refuse(_("Only a released item can be withdrawn."))
    if not sees(actor, release.subject):
        return _cannot_see(release.subject)
    return has_role(actor, Role.LIAISON_OFFICER, Role.COMMANDER)


@permission("partneritem.translate")
def can_translate(actor, item):
    return is_system(actor) or (
        item is not None and is_staff_member(actor) and actor.role != Role.ADMINISTRATOR and sees(actor, item)
    )


@permission("partneritem.acknowledge")
def can_acknowledge(actor, item):
    """`item`: a partner item or a partner incident summary."""
    return can_translate(actor, item)

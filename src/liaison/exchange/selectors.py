"""Every read of the exchange, through the policy."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.exchange.models import InEnvelope, OutEnvelope, PartnerIncident, PartnerItem, Peer, Release


def gaps(peer: Peer) -> list[int]:
    """The sequence numbers missing between what was applied and the highest received (shown on
    the peer's page: an envelope held back by a gap is never silently skipped)."""
    have = set(InEnvelope.objects.filter(peer=peer, seq__gt=peer.in_applied).values_list("seq", flat=True))
    if not have:
        return []
    return [s for s in range(peer.in_applied + 1, max(have)) if s not in have]


def pulled_high(peer: Peer) -> int:
    """Where a pull resumes: everything up to here is held (applied, or waiting behind no gap)."""
    return peer.in_applied


def peer_overview(actor) -> list[dict]:
    return [peer_row(peer) for peer in policy.visible(actor, Peer).order_by("name")]


def peer_row(peer: Peer) -> dict:
    """A peer's sequences: sent, undelivered, applied, highest received, and the gaps between."""
    out = OutEnvelope.objects.filter(peer=peer).aggregate(
        undelivered=Count("pk", filter=Q(delivered_at__isnull=True)), last=Max("seq")
    )
    return {
        "peer": peer,
        "name": peer.name,
        "country": peer.country,
        "state": peer.state,
        "out_seq": peer.out_seq,
        "undelivered": out["undelivered"],
        "in_applied": peer.in_applied,
        "in_high": InEnvelope.objects.filter(peer=peer).aggregate(m=Max("seq"))["m"] or 0,
        "gaps": gaps(peer),
    }


def peer_get(actor, *, peer_id) -> Peer:
    """A partner node's page (keys, sequences, gaps): administrators only; 404 for anyone else."""
    return policy.get_visible(actor, Peer, "manage", what="partner node", pk=peer_id)


def release_list(actor):
    return (
        policy.visible(actor, Release)
        .select_related("item", "incident", "peer")
        .order_by("-created_at")[:200]
    )


def release_get(actor, *, release_id, audit_read: bool = False) -> Release:
    r = policy.get_visible(actor, Release, what="release", pk=release_id)
    if audit_read:
        audit.record_separately(actor, Verb.RELEASE_READ, r)
    return Release.objects.select_related("item", "incident", "peer", "proposed_by", "approved_by").get(
        pk=r.pk
    )


def partner_item_list(actor):
    return (
        policy.visible(actor, PartnerItem).select_related("owner_unit", "peer").order_by("-created_at")[:200]
    )


def partner_item_get(actor, *, item_id) -> PartnerItem:
    pi = policy.get_visible(actor, PartnerItem, what="item", pk=item_id)
    return PartnerItem.objects.select_related("owner_unit", "peer").get(pk=pi.pk)


def partner_incident_list(actor):
    return (
        policy.visible(actor, PartnerIncident)
        .select_related("owner_unit", "peer")
        .order_by("-created_at")[:200]
    )


def partner_incident_get(actor, *, incident_id) -> PartnerIncident:
    pi = policy.get_visible(actor, PartnerIncident, what="incident", pk=incident_id)
    return PartnerIncident.objects.select_related("owner_unit", "peer").get(pk=pi.pk)


def beyond_this_node(*, item) -> list[str]:
    """The explainer's lines for an item released to partner nodes (intel.hooks.beyond_this_node):
    the item is already visible to the reader; its releases are named with their state and receipt."""
    from django.utils.translation import gettext as _

    lines = []
    for r in Release.objects.filter(item=item).select_related("peer").order_by("created_at"):
        if r.state == Release.State.PROPOSED:
            lines.append(_("Proposed for release to %(peer)s; nothing has left yet.") % {"peer": r.peer.name})
            continue
        receipt = (
            _("acknowledged")
            if r.acknowledged_at
            else _("read")
            if r.read_at
            else _("delivered")
            if r.delivered_at
            else _("not yet delivered")
        )
        lines.append(
            _(
                "Released to %(peer)s (%(state)s, %(receipt)s): there, the units %(units)s and their "
                "commanders see it, under the partner's rules."
            )
            % {
                "peer": r.peer.name,
                "state": r.get_state_display(),
                "receipt": receipt,
                "units": ", ".join(r.to_units),
            }
        )
    return lines

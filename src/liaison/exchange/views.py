"""Pages of the exchange: the hub (releases, partner items, peers), the release preview and gate,
a release with its receipts, a partner item with its translation, a peer with its sequence gaps.
The same services and selectors as the command line."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.core.errors import DomainError, Invalid, NotFound
from liaison.exchange import envelope as envl
from liaison.exchange import selectors, services
from liaison.exchange.models import Peer
from liaison.incidents import selectors as incident_selectors
from liaison.intel import selectors as intel_selectors
from liaison.web.decorators import signed_in

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "lo": "ພາສາລາວ", "en": "English"}


def _payload_labels(payload: dict | None) -> dict:
    """The payload's codes as the reader's words (its handling level, category and language)."""
    from liaison.incidents.models import SeizureKind, Severity, Status
    from liaison.intel.models import Tlp

    if not payload:
        return {}
    lang = (get_language() or "vi")[:2]
    cat = payload.get("category") or payload.get("type") or {}
    labels = {
        "payload_language": LANGUAGE_NAMES.get(payload.get("language", ""), ""),
        "payload_tlp": str(Tlp(payload["tlp"]).label) if payload.get("tlp") in Tlp.values else "",
        "payload_category": cat.get(lang) or cat.get("vi") or cat.get("en") or "",
    }
    if "type" in payload:  # an incident summary
        labels |= summary_labels(payload, Severity, Status, SeizureKind)
    return labels


def summary_labels(s: dict, Severity, Status, SeizureKind) -> dict:  # noqa: N803 - the enums
    """An incident summary's codes (severity, status, outcome totals) in the reader's words."""
    outcome = s.get("outcome") or {}
    counts = [
        (label, outcome[key])
        for key, label in (
            ("arrested", _("Arrested")),
            ("detained", _("Detained")),
            ("rescued", _("Rescued")),
            ("evacuated", _("Evacuated")),
            ("deaths", _("Deaths")),
            ("injured", _("Injured")),
        )
        if outcome.get(key)
    ]
    seized = outcome.get("seizures") or {}
    counts += [(str(SeizureKind(k).label) if k in SeizureKind.values else k, v) for k, v in seized.items()]
    return {
        "summary_severity": str(Severity(s["severity"]).label)
        if s.get("severity") in Severity.values
        else "",
        "summary_status": str(Status(s["status"]).label) if s.get("status") in Status.values else "",
        "summary_outcome": counts,
    }


def _raise_hidden(exc: DomainError) -> None:
    if exc.status in (403, 404):
        raise exc


@signed_in
def hub(request):
    actor = request.actor
    return render(
        request,
        "exchange/hub.html",
        {
            "releases": selectors.release_list(actor),
            "partner_items": selectors.partner_item_list(actor),
            "partner_incidents": selectors.partner_incident_list(actor),
            "peers": selectors.peer_overview(actor) if policy.can(actor, "exchange.peer.manage") else [],
            "me": services.node_identity() if policy.can(actor, "exchange.peer.manage") else None,
        },
    )


def _propose_page(request, *, item=None, incident=None):
    """The preview: exactly the payload that will leave, then the proposal (an item, or an
    incident's summary: the same gate)."""
    actor = request.actor
    subject = item if item is not None else incident
    peers = list(policy.visible(actor, Peer).filter(state=Peer.State.ACTIVE).order_by("name"))
    reason = policy.why_not(actor, "release.propose", subject)
    payload = None
    if reason is None:
        payload = services.release_preview(actor, item=item, incident=incident)
    error = ""
    if request.method == "POST" and reason is None:
        peer = next((p for p in peers if str(p.pk) == request.POST.get("peer")), None)
        units = request.POST.get("to_units", "").replace(",", " ").split()
        try:
            if peer is None:
                raise DomainError("validation_error", _("Choose a partner node."), 422)
            release = services.release_propose(actor, item=item, incident=incident, peer=peer, to_units=units)
            messages.success(request, _("Release proposed."))
            return redirect("exchange:release", release_id=release.pk)
        except DomainError as exc:
            _raise_hidden(exc)
            error = "; ".join(e.message for e in exc.errors) or exc.message
    return render(
        request,
        "exchange/release_new.html",
        {
            "item": item,
            "incident": incident,
            "subject": subject,
            "peers": peers,
            "payload": payload,
            "reason": reason,
            "error": error,
            "language_names": LANGUAGE_NAMES,
            **_payload_labels(payload),
            "approval": payload is not None and payload["tlp"] in ("amber", "amber_strict"),
        },
        status=422 if error else 200,
    )


@signed_in
def release_new(request, item_id):
    """The preview of an item's release."""
    return _propose_page(request, item=intel_selectors.item_get(request.actor, item_id=item_id))


@signed_in
def release_incident(request, incident_id):
    """The preview of an incident summary's release."""
    return _propose_page(
        request, incident=incident_selectors.incident_get(request.actor, incident_id=incident_id)
    )


@signed_in
def release_detail(request, release_id):
    actor = request.actor
    release = selectors.release_get(actor, release_id=release_id, audit_read=True)
    return render(
        request,
        "exchange/release.html",
        {
            "release": release,
            "may_approve": policy.can(actor, "release.approve", release),
            "may_withdraw": policy.can(actor, "release.withdraw", release),
            "current_tlp": release.subject.get_tlp_display(),
            "regraded": release.subject.tlp != release.payload.get("tlp"),
            "payload": release.payload,
            **_payload_labels(release.payload),
        },
    )


@signed_in
@require_POST
def release_action(request, release_id, name):
    actor = request.actor
    release = selectors.release_get(actor, release_id=release_id)
    try:
        if name == "approve":
            services.release_approve(actor, release=release)
            messages.success(request, _("Release approved: it leaves with the next delivery."))
        elif name == "withdraw":
            services.release_withdraw(actor, release=release)
            messages.success(request, _("The partner is told that the item is withdrawn."))
        elif name == "regrade":
            services.release_regrade(actor, release=release)
            messages.success(request, _("The partner is sent the current handling level and status."))
        else:
            raise NotFound("action")
    except DomainError as exc:
        _raise_hidden(exc)
        messages.error(request, exc.message)
    return redirect("exchange:release", release_id=release.pk)


@signed_in
def partner_item(request, item_id):
    actor = request.actor
    item = selectors.partner_item_get(actor, item_id=item_id)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "acknowledge":
                services.partner_item_acknowledge(actor, item=item)
            else:
                services.partner_item_translate(
                    actor,
                    item=item,
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                    language=request.POST.get("language", ""),
                )
            return redirect("exchange:partner_item", item_id=item.pk)
        except DomainError as exc:
            _raise_hidden(exc)
            error = "; ".join(e.message for e in exc.errors) or exc.message
    else:
        item = services.partner_item_open(actor, item=item)
    return render(
        request,
        "exchange/partner_item.html",
        {
            "item": item,
            "error": error,
            "language_names": LANGUAGE_NAMES,
            "item_language": LANGUAGE_NAMES.get(item.language, item.language),
            "translation_language": LANGUAGE_NAMES.get(item.translation_language, ""),
            "may_translate": policy.can(actor, "partneritem.translate", item),
        },
        status=422 if error else 200,
    )


@signed_in
def partner_incident(request, incident_id):
    """An incident summary from the partner: its facts in the reader's words, its title as written."""
    from liaison.incidents.models import SeizureKind, Severity, Status

    actor = request.actor
    inc = selectors.partner_incident_get(actor, incident_id=incident_id)
    if request.method == "POST":
        try:
            services.partner_incident_acknowledge(actor, incident=inc)
        except DomainError as exc:
            _raise_hidden(exc)
            messages.error(request, exc.message)
        return redirect("exchange:partner_incident", incident_id=inc.pk)
    inc = services.partner_incident_open(actor, incident=inc)
    lang = (get_language() or "vi")[:2]
    state = {"severity": inc.severity, "status": inc.status, "outcome": inc.outcome}
    return render(
        request,
        "exchange/partner_incident.html",
        {
            "inc": inc,
            "type_name": inc.type_names.get(lang) or inc.type_names.get("vi") or inc.type_code,
            "title_language": LANGUAGE_NAMES.get(inc.language, inc.language),
            "may_acknowledge": policy.can(actor, "partneritem.acknowledge", inc),
            **summary_labels(state, Severity, Status, SeizureKind),
        },
    )


@signed_in
def peer_detail(request, peer_id):
    actor = request.actor
    peer = selectors.peer_get(actor, peer_id=peer_id)
    keys = [
        {
            "key": k,
            "hex": envl.fingerprint_groups(k.fingerprint),
            "words": envl.fingerprint_words(k.fingerprint),
        }
        for k in peer.keys.order_by("created_at")
    ]
    return render(
        request,
        "exchange/peer.html",
        {"peer": peer, "keys": keys, "gaps": selectors.gaps(peer), "overview": selectors.peer_row(peer)},
    )


@signed_in
@require_POST
def peer_new(request):
    """An administrator registers a partner node after reading its fingerprint over the phone."""
    from liaison.org.models import Unit

    actor = request.actor
    policy.require(actor, "exchange.peer.manage")
    p = request.POST
    unit = policy.visible(actor, Unit, "partner").filter(code=p.get("unit", "").strip()).first()
    try:
        if unit is None:
            raise Invalid(field="unit", message=_("A unit of the partner's country, by its code."))
        peer = services.peer_register(
            actor,
            name=p.get("name", "").strip(),
            country=unit.country,
            base_url=p.get("base_url", "").strip(),
            public_key=p.get("public_key", ""),
            unit=unit,
        )
        messages.success(request, _("Partner node registered."))
        return redirect("exchange:peer", peer_id=peer.pk)
    except DomainError as exc:
        _raise_hidden(exc)
        messages.error(request, "; ".join(e.message for e in exc.errors) or exc.message)
    return redirect("exchange:hub")


@signed_in
@require_POST
def peer_revoke(request, peer_id):
    actor = request.actor
    peer = selectors.peer_get(actor, peer_id=peer_id)
    services.peer_revoke(actor, peer=peer)
    messages.success(request, _("Partner node revoked: nothing more is accepted from it or sent to it."))
    return redirect("exchange:peer", peer_id=peer.pk)

"""/api/v1/items, /inbox, /stats/exchange: thin, schema in, service or selector, schema out."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from liaison import policy
from liaison.core.api import WithParts, actor_of, idempotent_create
from liaison.core.errors import Invalid, NotFound
from liaison.geo.models import Area, Place
from liaison.intel import exports, selectors, services, stats
from liaison.intel.models import Attachment, Category, Item, VerificationRequest
from liaison.intel.schemas import (
    AccessOut,
    AttachmentOut,
    CloseIn,
    HandlingIn,
    InboxOut,
    ItemAmendIn,
    ItemFilter,
    ItemIn,
    ItemOut,
    ItemPageOut,
    LinkIn,
    LinkOut,
    RegradeIn,
    RevisionOut,
    ShareIn,
    StatsQuery,
    VerificationAnswerIn,
    VerificationIn,
    VerificationOut,
)
from liaison.org.models import Unit, User

router = Router(tags=["information"])


def item_out(actor, item: Item) -> WithParts:
    """The item with its gradings and receipts, for `ItemOut`: those the service just wrote when it
    holds them (a fresh create), else read by their selectors."""
    written = getattr(item, "_prefetched_objects_cache", {})
    return WithParts(
        item,
        gradings=written["gradings"] if "gradings" in written else selectors.item_gradings(actor, item=item),
        receipts=written["receipts"] if "receipts" in written else selectors.item_receipts(actor, item=item),
    )


def _ref(model, field: str, code: str | None, actor, **extra):
    if not code:
        return None
    obj = policy.visible(actor, model).filter(code=code, **extra).first()
    if obj is None:
        raise Invalid(field=field, code="unknown", message=f"No such {field}: {code}.")
    return obj


def _item(actor, item_id) -> Item:
    return selectors.item_get(actor, item_id=item_id)


@router.get("/items", response=ItemPageOut)
def list_items(request, f: Query[ItemFilter]):
    return selectors.item_list(actor_of(request), f, columns=selectors.ROW_COLUMNS)


@router.post("/items", response={201: ItemOut})
def create_item(request, payload: ItemIn):
    actor = actor_of(request)

    def create():
        category = _ref(Category, "category", payload.category, actor, state=Category.State.ACTIVE)
        return services.item_create(
            actor,
            title=payload.title,
            body=payload.body,
            category=category,
            observed_at=payload.observed_at,
            received_at=payload.received_at,
            reliability=payload.reliability,
            credibility=payload.credibility,
            tlp=payload.tlp,
            lat=payload.lat,
            lon=payload.lon,
            area=_ref(Area, "area", payload.area, actor),
            place=_ref(Place, "place", payload.place, actor),
            is_drill=payload.is_drill,
        )

    status, item = idempotent_create(request, "items.create", create, replay=lambda rid: _item(actor, rid))
    # A fresh create is answered from the instance the service wrote (the author's unit is its
    # originator: it sees it); a replay was read back through the policy.
    return Status(status, item_out(actor, item))


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request, item_id: uuid.UUID):
    actor = actor_of(request)
    item = _item(actor, item_id)
    services.item_open(actor, item=item)
    return item_out(actor, item)


@router.patch("/items/{item_id}", response=ItemOut)
def amend_item(request, item_id: uuid.UUID, payload: ItemAmendIn):
    actor = actor_of(request)
    item = _item(actor, item_id)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "category" in changes:
        changes["category"] = _ref(
            Category, "category", changes["category"], actor, state=Category.State.ACTIVE
        )
    services.item_amend(actor, item=item, reason=reason, **changes)
    return item_out(actor, _item(actor, item_id))


@router.get("/items/{item_id}/history", response=list[RevisionOut])
def item_history(request, item_id: uuid.UUID):
    actor = actor_of(request)
    item = _item(actor, item_id)
    services.item_open(actor, item=item)  # the history shows what the item said: an audited read
    return selectors.item_revisions(actor, item=item)


@router.post("/items/{item_id}/shares", response=ItemOut)
def share_item(request, item_id: uuid.UUID, payload: ShareIn):
    actor = actor_of(request)
    item = _item(actor, item_id)
    units = []
    for uid in payload.units:
        u = policy.visible(actor, Unit).filter(pk=uid).first()
        if u is None:
            raise Invalid(field="units", code="unknown", message=f"No such unit: {uid}.")
        units.append(u)
    services.item_share(actor, item=item, units=units, forces=payload.forces)
    return item_out(actor, _item(actor, item_id))


@router.post("/items/{item_id}/acknowledge", response=ItemOut)
def acknowledge_item(request, item_id: uuid.UUID):
    actor = actor_of(request)
    services.item_acknowledge(actor, item=_item(actor, item_id))
    return item_out(actor, _item(actor, item_id))


@router.post("/items/{item_id}/handling", response=ItemOut)
def set_handling(request, item_id: uuid.UUID, payload: HandlingIn):
    actor = actor_of(request)
    services.item_set_handling(
        actor,
        item=_item(actor, item_id),
        tlp=payload.tlp,
        reason=payload.reason,
    )
    return item_out(actor, _item(actor, item_id))


@router.post("/items/{item_id}/close", response=ItemOut)
def close_item(request, item_id: uuid.UUID, payload: CloseIn):
    actor = actor_of(request)
    services.item_close(actor, item=_item(actor, item_id), reason=payload.reason)
    return item_out(actor, _item(actor, item_id))


@router.post("/items/{item_id}/grading", response=ItemOut)
def regrade_item(request, item_id: uuid.UUID, payload: RegradeIn):
    actor = actor_of(request)
    services.item_regrade(
        actor,
        item=_item(actor, item_id),
        reliability=payload.reliability,
        credibility=payload.credibility,
        reason=payload.reason,
    )
    return item_out(actor, _item(actor, item_id))


@router.post("/items/{item_id}/links", response=LinkOut)
def link_item(request, item_id: uuid.UUID, payload: LinkIn):
    actor = actor_of(request)
    item = _item(actor, item_id)
    try:
        other = _item(actor, payload.other_id)
    except NotFound:
        raise Invalid(field="other_id", code="unknown", message="No such item.") from None
    res = services.item_link(actor, item=item, other=other, kind=payload.kind)
    return LinkOut(created=res.created, corroboration_offered=res.corroboration_offered, kind=res.link.kind)


@router.post("/items/{item_id}/verification-requests", response={201: VerificationOut})
def request_verification(request, item_id: uuid.UUID, payload: VerificationIn):
    actor = actor_of(request)
    item = _item(actor, item_id)
    unit = policy.visible(actor, Unit).filter(pk=payload.unit_id).first()
    if unit is None:
        raise Invalid(field="unit_id", code="unknown", message="No such unit.")

    def create():
        try:
            return services.verification_request(
                actor, item=item, unit=unit, due_at=payload.due_at, question=payload.question
            )
        except Invalid as exc:  # the payload names the unit `unit_id`
            for e in exc.errors:
                e.field = "unit_id" if e.field == "unit" else e.field
            raise

    status, req = idempotent_create(
        request,
        "items.verification",
        create,
        replay=lambda rid: policy.get_visible(actor, VerificationRequest, pk=rid),
    )
    return Status(status, req)


@router.post("/verification-requests/{request_id}/answer", response=VerificationOut)
def answer_verification(request, request_id: uuid.UUID, payload: VerificationAnswerIn):
    actor = actor_of(request)
    req = policy.get_visible(actor, VerificationRequest, what="verification request", pk=request_id)
    return services.verification_answer(
        actor,
        request=req,
        result=payload.result,
        reliability=payload.reliability,
        credibility=payload.credibility,
        note=payload.note,
    )


@router.post("/items/{item_id}/attachments", response={201: AttachmentOut})
def add_attachment(request, item_id: uuid.UUID, file: File[UploadedFile]):
    actor = actor_of(request)
    item = _item(actor, item_id)
    if file.size > settings.ATTACHMENT_MAX_BYTES:  # refused before it is read into memory
        raise Invalid(field="file", code="file_too_large", message="The file is too large.")
    status, att = idempotent_create(
        request,
        "items.attachment",
        lambda: services.attachment_add(actor, item=item, filename=file.name or "", data=file.read()),
        replay=lambda rid: policy.get_visible(actor, Attachment, what="attachment", pk=rid),
    )
    return Status(status, att)


@router.get("/attachments/{attachment_id}")
def get_attachment(request, attachment_id: uuid.UUID):
    att, path = services.attachment_open(actor_of(request), attachment_id=attachment_id)
    response = FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=att.filename,  # noqa: SIM115
        content_type=att.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _steps(steps) -> list[dict]:
    return [dict(rule=x.rule, label=x.label, granted=x.granted, detail=x.detail) for x in steps]


@router.get("/items/{item_id}/access", response=AccessOut)
def explain_access(
    request, item_id: uuid.UUID, unit_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
):
    """Who can see the item and why: for a unit (per role) or for a user (per active membership).
    The user must be one the caller may see (themself; an administrator: the users of his units)."""
    actor = actor_of(request)
    item = _item(actor, item_id)
    if unit_id is None and user_id is None:
        raise Invalid(field="unit_id", code="required", message="Name a unit (unit_id) or a user (user_id).")
    unit = user = None
    if unit_id is not None:
        unit = policy.visible(actor, Unit).filter(pk=unit_id).first()
        if unit is None:
            raise Invalid(field="unit_id", code="unknown", message="No such unit.")
    if user_id is not None:
        user = policy.visible(actor, User).filter(pk=user_id).first()
        if user is None:
            raise Invalid(field="user_id", code="unknown", message="No such user.")
    res = selectors.explain_access(actor, item=item, unit=unit, user=user)
    return AccessOut(
        unit_id=unit.pk if unit else None,
        members_see_it=res.get("members"),
        commanders_see_it=res.get("commanders"),
        roles=res.get("roles", []),
        steps=_steps(res.get("steps", [])),
        user_id=user.pk if user else None,
        memberships=[
            dict(
                unit_id=e.unit.pk if e.unit else None,
                unit=e.unit.code if e.unit else "",
                role=e.role,
                granted=e.granted,
                steps=_steps(e.steps),
            )
            for e in res.get("memberships", [])
        ],
        receipts=[
            dict(
                unit_id=x.unit_id,
                unit=x.unit.code,
                delivered_at=x.delivered_at,
                read_at=x.read_at,
                acknowledged_at=x.acknowledged_at,
                acknowledged_by=x.acknowledged_by.username if x.acknowledged_by else None,
            )
            for x in res["receipts"]
        ],
    )


@router.get("/inbox", response=InboxOut)
def inbox(request):
    return selectors.inbox(actor_of(request), rows=True)


@router.get("/stats/exchange", response=dict)
def exchange_stats(request, f: Query[StatsQuery]):
    p = stats.period(f.period, f.on or timezone.localdate(), f.end)
    s = stats.exchange_stats(actor_of(request), p)
    return {
        "period": {"label": p.label, "start": p.start, "end": p.end},
        "previous_period": {
            "label": s["previous_period"].label,
            "start": s["previous_period"].start,
            "end": s["previous_period"].end,
        },
        "current": s["current"],
        "previous": s["previous"],
    }


@router.get("/stats/exchange.{fmt}")
def exchange_stats_export(request, fmt: str, f: Query[StatsQuery]) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise NotFound("export format")
    actor = actor_of(request)
    p = stats.period(f.period, f.on or timezone.localdate(), f.end)
    return exports.exchange_export(actor, stats.exchange_stats(actor, p), fmt)

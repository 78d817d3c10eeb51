"""Field reporting's API (issue 19): the lead unit makes an incident public as a CAP 1.2 alert, and
withdraws it (a CAP Cancel). Thin: `field.cap` decides and audits."""

from __future__ import annotations

import uuid

from ninja import Router, Schema, Status
from pydantic import Field

from liaison import policy
from liaison.core.api import actor_of, idempotent_create
from liaison.core.errors import NotFound
from liaison.core.inputs import Input
from liaison.field import cap, services
from liaison.incidents import selectors as incident_selectors
from liaison.org.models import User

router = Router(tags=["field"])


class PublicText(Input):
    event: str = Field(max_length=120)
    headline: str = Field(max_length=160)
    description: str = Field("", max_length=2000)
    instruction: str = Field("", max_length=1000)


class PublishIn(Input):
    reason: str = Field(max_length=500)
    category: str = "Safety"
    urgency: str = "Immediate"
    certainty: str = "Observed"
    vi: PublicText
    lo: PublicText
    en: PublicText | None = None


class WithdrawIn(Input):
    reason: str = Field(max_length=500)


class CapMessageOut(Schema):
    identifier: str
    msg_type: str
    sent: str
    url: str


def _out(message) -> CapMessageOut:
    return CapMessageOut(
        identifier=cap.identifier(message),
        msg_type=message.msg_type,
        sent=cap.sent_text(message.sent_at),
        url=f"/cap/{message.incident_id}.xml",
    )


@router.post("/incidents/{incident_id}/public", response={201: CapMessageOut})
def publish(request, incident_id: uuid.UUID, payload: PublishIn):
    """Make the incident public (or publish an update): texts for the public in vi and lo (en
    optional) and a reason. Lead unit's commander or duty officer only (`incident.publish`)."""
    actor = actor_of(request)
    incident = incident_selectors.incident_get(actor, incident_id=incident_id)
    texts = {k: v.model_dump() for k, v in (("vi", payload.vi), ("lo", payload.lo), ("en", payload.en)) if v}
    message = cap.publish(
        actor,
        incident,
        reason=payload.reason,
        texts=texts,
        category=payload.category,
        urgency=payload.urgency,
        certainty=payload.certainty,
    )
    return Status(201, _out(message))


@router.post("/incidents/{incident_id}/public/withdraw", response={201: CapMessageOut})
def withdraw(request, incident_id: uuid.UUID, payload: WithdrawIn):
    """Withdraw the public alert: a CAP Cancel referencing the earlier messages."""
    actor = actor_of(request)
    incident = incident_selectors.incident_get(actor, incident_id=incident_id)
    return Status(201, _out(cap.withdraw(actor, incident, reason=payload.reason)))


class PhoneIn(Input):
    number: str = Field(max_length=32)


class PhoneOut(Schema):
    user_id: str
    number: str


class GatewayIn(Input):
    name: str = Field(max_length=80)


class GatewayOut(Schema):
    id: str
    name: str
    token: str | None = None  # shown once, at creation; a replay of the same key answers without it


@router.put("/field/phones/{user_id}", response=PhoneOut)
def phone_register(request, user_id: uuid.UUID, payload: PhoneIn):
    """An administrator registers (or changes) a member's work number for SMS reports
    (`field.phone.register`: a member of their subtree, never their own). Audited."""
    actor = actor_of(request)
    user = policy.visible(actor, User).filter(pk=user_id).first()
    if user is None:
        raise NotFound("user")
    phone = services.phone_register(actor, user=user, number=payload.number)
    return PhoneOut(user_id=str(user.pk), number=phone.number)


@router.post("/field/gateways", response={201: GatewayOut})
def gateway_register(request, payload: GatewayIn):
    """An administrator registers an SMS gateway (`field.gateway.manage`); its token is answered
    once (only its SHA-256 is kept). Accepts an Idempotency-Key."""
    actor = actor_of(request)
    made = {}

    def create():
        gw, raw = services.gateway_register(actor, name=payload.name)
        made["token"] = raw
        return gw

    status, gw = idempotent_create(request, "field.gateway", create, replay=services.gateway_by_id)
    return Status(status, GatewayOut(id=str(gw.pk), name=gw.name, token=made.get("token")))

"""Field reporting's API (issue 19): the lead unit makes an incident public as a CAP 1.2 alert, and
withdraws it (a CAP Cancel). Thin: `field.cap` decides and audits."""

from __future__ import annotations

import uuid

from ninja import Router, Schema, Status
from pydantic import Field

from liaison.core.api import actor_of
from liaison.core.inputs import Input
from liaison.field import cap
from liaison.incidents import selectors as incident_selectors

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

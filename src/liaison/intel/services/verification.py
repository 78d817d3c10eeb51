"""Asking a unit to verify an item, and recording its answer with a grading."""

from __future__ import annotations

import datetime as dt

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import Conflict, FieldError, Invalid
from liaison.core.transactions import durable
from liaison.intel import errors
from liaison.intel.models import Credibility, Grading, Item, Reliability, Status, VerificationRequest
from liaison.intel.services.common import require_open, revise
from liaison.org.actor import Actor
from liaison.org.models import Unit


def verification_request(
    actor: Actor, *, item: Item, unit: Unit, due_at: dt.datetime, question: str = ""
) -> VerificationRequest:
    """Ask `unit` to verify the item by `due_at`. The unit gains access to the item (involvement), so
    the request is also a share: the handling level must allow sharing with that unit."""
    errs = []
    if not policy.visible(actor, Unit, "receive").filter(pk=unit.pk).exists():
        errs.append(FieldError("unit", errors.PARTNER_UNIT, "Only an active unit of this node can verify."))
    if not isinstance(due_at, dt.datetime) or due_at <= clock.now():
        errs.append(FieldError("due_at", "in_past", "The deadline must be in the future."))
    if len(question) > 2000:
        errs.append(FieldError("question", "too_long", "At most 2,000 characters."))
    if errs:
        raise Invalid(errs)
    require_open(item)
    policy.require(actor, "item.request_verification", item)
    if unit.pk != item.origin_unit_id:
        policy.require(actor, "item.share", (item, [unit]))
    with durable():
        req = VerificationRequest.objects.create(
            item=item,
            unit=unit,
            requested_by=actor.user,
            requested_by_unit=actor.unit,
            due_at=due_at,
            question=question,
        )
        diff = {"verification_requested": [None, unit.code]}
        if item.status == Status.NEW:
            diff["status"] = [item.status, Status.UNDER_VERIFICATION]
            item.status = Status.UNDER_VERIFICATION
        revise(actor, item, "verification_requested", diff)
        item.save()
        audit.record(
            actor,
            Verb.ITEM_VERIFICATION_REQUESTED,
            item,
            changes={"unit": str(unit.pk), "due_at": due_at.isoformat()},
        )
    return req


def verification_answer(
    actor: Actor,
    *,
    request: VerificationRequest,
    result: str,
    reliability: str,
    credibility: int,
    note: str = "",
) -> VerificationRequest:
    """The requested unit answers: verified, refuted or inconclusive, with its own grading."""
    errs = []
    if result not in VerificationRequest.Result.values:
        errs.append(FieldError("result", "invalid_choice", "verified, refuted or inconclusive."))
    if reliability not in Reliability.values:
        errs.append(FieldError("reliability", "invalid_choice", "A to F."))
    if credibility not in Credibility.values:
        errs.append(FieldError("credibility", "invalid_choice", "1 to 6."))
    if len(note) > 4000:
        errs.append(FieldError("note", "too_long", "At most 4,000 characters."))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "verification.answer", request)
    if request.state != VerificationRequest.State.OPEN:
        raise Conflict(errors.ALREADY_ANSWERED, "This request was already answered or cancelled.")
    item = request.item
    with durable():
        # Re-read under a row lock: two answers sent at once must not both be recorded.
        locked = VerificationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != VerificationRequest.State.OPEN:
            raise Conflict(errors.ALREADY_ANSWERED, "This request was already answered or cancelled.")
        now = clock.now()
        request.state, request.result = VerificationRequest.State.ANSWERED, result
        request.reliability, request.credibility, request.note = reliability, credibility, note
        request.answered_by, request.answered_at = actor.user, now
        request.save()
        Grading.objects.create(
            item=item,
            kind=Grading.Kind.VERIFICATION,
            reliability=reliability,
            credibility=credibility,
            reason=note[:2000],
            by=actor.user,
            by_unit=actor.unit,
            at=now,
        )
        diff = {"verification": [None, result]}
        new_status = {"verified": Status.VERIFIED, "refuted": Status.REFUTED}.get(result)
        if new_status and item.status != Status.CLOSED:
            diff["status"] = [item.status, new_status]
            item.status = new_status
        revise(actor, item, "verification_answered", diff)
        item.save()
        audit.record(
            actor,
            Verb.ITEM_VERIFICATION_ANSWERED,
            item,
            changes={"result": result, "reliability": reliability, "credibility": credibility},
        )
    return request

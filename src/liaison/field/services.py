"""Field reporting's writes (issue 19): registering SMS gateways and officers' numbers, and turning
an officer's SMS into an information item of their unit (through intel's own `item_create`)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import DomainError, Invalid
from liaison.core.transactions import durable
from liaison.field import sms
from liaison.field.models import OfficerPhone, SmsGateway
from liaison.geo.models import Place
from liaison.intel.models import Category
from liaison.intel.services import item_create
from liaison.org.actor import Actor
from liaison.org.models import User

TOKEN_PREFIX = "sms_"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def gateway_register(actor: Actor, *, name: str) -> tuple[SmsGateway, str]:
    """A new SMS gateway and its token (shown once; only its SHA-256 is kept). For the command line
    (`Actor.system()`) or an administrator."""
    if not actor.is_system:
        policy.require(actor, "field.gateway.manage")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with durable():
        gw = SmsGateway.objects.create(name=name.strip()[:80] or "sms", token_sha256=token_digest(raw))
        audit.record(actor, Verb.SMS_GATEWAY_REGISTERED, gw, changes={"name": gw.name})
    return gw, raw


def gateway_by_id(pk) -> SmsGateway:
    """The gateway an idempotent registration made (its replay; the token is not answered again)."""
    return SmsGateway.objects.get(pk=pk)


def gateway_for_token(raw: str) -> SmsGateway | None:
    if not raw or len(raw) > 100:
        return None
    return SmsGateway.objects.filter(token_sha256=token_digest(raw), active=True).first()


def phone_register(actor: Actor, *, user: User, number: str) -> OfficerPhone:
    """Register (or change) a member's work number for SMS reports, normalised to E.164. An
    administrator of the member's unit (`field.phone.register`), or the command line."""
    if not actor.is_system:
        policy.require(actor, "field.phone.register", user)
    e164 = sms.normalise_number(number)
    if e164 is None:
        raise Invalid(field="number", code="invalid", message="A phone number, e.g. +84912345678.")
    if OfficerPhone.objects.filter(number=e164).exclude(user=user).exists():
        raise Invalid(field="number", code="duplicate", message="This number belongs to another member.")
    with durable():
        phone, _ = OfficerPhone.objects.update_or_create(user=user, defaults={"number": e164})
        audit.record(actor, Verb.OFFICER_PHONE_REGISTERED, phone, changes={"number": e164})
    return phone


@dataclass(frozen=True)
class SmsOutcome:
    code: str  # "accepted" or the refusal's code
    reply: str  # what the gateway sends back to the sender (Vietnamese)
    item: object = None


def _sender(number: str, post: Place | None) -> Actor | None:
    """The member a registered number belongs to, acting for the membership its report should go
    under (the policy's `sms.report_as`: the post's unit's, else by role)."""
    phone = OfficerPhone.objects.select_related("user").filter(number=number, user__is_active=True).first()
    if phone is None:
        return None
    members = policy.choices(Actor.system(), "sms.report_as", (phone.user, post))
    if not members:
        return None
    return Actor(user=phone.user, membership=members[0], via="sms")


def sms_report_receive(*, gateway: SmsGateway, sender: str, message: str) -> SmsOutcome:
    """An officer's SMS from a registered gateway: parsed, checked, and logged as an item of the
    sender's unit (at the named post, AMBER, graded C3 like the report form's defaults). Every
    refusal is answered with a reply naming what is wrong; refusals of a known sender are audited."""
    try:
        parsed = sms.parse(message)
    except sms.SmsRefused as exc:
        return SmsOutcome(exc.code, exc.reply)
    number = sms.normalise_number(sender)
    post = Place.objects.filter(code=parsed.post, kind__in=("post", "station", "gate")).first()
    actor = _sender(number, post) if number else None
    if actor is None:
        return SmsOutcome("unknown_number", sms.reply("unknown_number"))
    if post is None:
        return _refused(actor, "unknown_post", parsed.post.removeprefix("POST-"))
    category = policy.visible(actor, Category).filter(code=parsed.category, state="active").first()
    if category is None:
        return _refused(actor, "unknown_category", parsed.category)
    if not policy.can(actor, "item.create"):
        return _refused(actor, "not_permitted", "")
    now = clock.now()
    title = parsed.text if len(parsed.text) <= 80 else parsed.text[:79] + "…"
    try:
        item = item_create(
            actor,
            title=title,
            body=parsed.text,
            category=category,
            observed_at=now,
            reliability="C",
            credibility=3,
            place=post,
        )
    except DomainError as exc:
        return _refused(actor, "not_permitted", exc.code)
    return SmsOutcome("accepted", sms.reply("accepted", ref=item.ref), item)


def _refused(actor: Actor, code: str, value: str) -> SmsOutcome:
    audit.record_separately(actor, Verb.SMS_REPORT_REFUSED, None, changes={"code": code, "value": value})
    return SmsOutcome(code, sms.reply(code, value=value))

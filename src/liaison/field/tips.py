"""The public tip line (issue 19): a villager's tip, from the web page or by SMS, becomes an
unverified information item in the inbox of the duty unit of its commune.

Rate limits, per sender address and per sender number, are counted in the database (`RateWindow`):
they hold across server processes on SQLite as on PostgreSQL, with nothing else to run (the demo
has no Redis). Keys are HMACs of the address or number under the node's secret key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, crypto
from liaison.core.errors import DomainError, FieldError, Invalid
from liaison.core.transactions import durable, interface_boundary
from liaison.field import sms
from liaison.field.models import RateWindow, Tip
from liaison.intel.models import Category
from liaison.intel.services import item_create
from liaison.org import services as org_services
from liaison.org.actor import Actor
from liaison.org.models import Membership, Unit

TIPLINE_USERNAME = "duongdaybaotin"  # the tip line's own account (inactive: it never signs in)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
MAX_TEXT = 2000


class RateLimited(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate_limited", "Too many tips from this sender: try again later.", 429)
        self.retry_after = retry_after


def _key(kind: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def take(kind: str, value: str, *, limit: int, window_s: int) -> bool:
    """Count one use of `value` in the current window: False once `limit` are used. The conditional
    UPDATE is atomic on both databases (a row lock on PostgreSQL, one writer on SQLite)."""
    now = clock.now()
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window_s * window_s, tz=dt.UTC)
    key = _key(kind, value)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin's insert is not an error
            RateWindow.objects.get_or_create(key=key, window_start=start)
    except IntegrityError:
        pass
    return (
        RateWindow.objects.filter(key=key, window_start=start, count__lt=limit).update(count=F("count") + 1)
        == 1
    )


def duty_units() -> list[Unit]:
    """The communes a tip can be about: those with a duty unit for tips (the policy's
    `tip.receive`: this node's commune police units)."""
    return list(policy.offered(Unit, "tip.receive").select_related("area").order_by("area__name"))


def _tipline_actor(unit: Unit) -> Actor:
    """The tip line acting for the duty unit: its own inactive account (the item's author), and a
    membership that is never saved (the audit log names the unit and the `tipline` channel)."""
    user = org_services.service_account_ensure(
        Actor.system(), username=TIPLINE_USERNAME, full_name="Tip line"
    )
    return Actor(user=user, membership=Membership(user=user, unit=unit, role="duty_officer"), via="tipline")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def tip_submit(
    *, channel: str, commune_code: str, text: str, address: str = "", number: str = "", consent: bool = False
) -> Tip:
    """Store a tip as an unverified item (F6, AMBER, category "other") of the commune's duty unit.
    Refused with 429 past the rate limits (per address, per number), with 422 naming the field for
    bad input. The number is kept, sealed, only with `consent`."""
    text = (text or "").strip()
    errors = []
    if not text:
        errors.append(FieldError("text", "required", "Nội dung tin báo?"))
    elif len(text) > MAX_TEXT:
        errors.append(FieldError("text", "too_long", f"Tối đa {MAX_TEXT} ký tự."))
    unit = next((u for u in duty_units() if u.area.code == commune_code), None)
    if unit is None:
        errors.append(FieldError("commune", "invalid_choice", "Chọn xã."))
    e164 = sms.normalise_number(number) if number else None
    if number and e164 is None:
        errors.append(FieldError("number", "invalid", "Số điện thoại không hợp lệ."))
    if errors:
        raise Invalid(errors)
    # The limits are counted and committed before the tip is stored: a burst of concurrent posts
    # cannot all read the same count.
    with durable():
        ok = take("addr", address, limit=settings.TIP_LIMIT_PER_ADDRESS, window_s=settings.TIP_WINDOW_SECONDS)
        if ok and e164:
            ok = take("num", e164, limit=settings.TIP_LIMIT_PER_NUMBER, window_s=settings.TIP_WINDOW_SECONDS)
    if not ok:
        raise RateLimited(settings.TIP_WINDOW_SECONDS)
    refers = ""
    first = text.split(None, 1)[0].upper().strip(".,:;#")
    if len(first) == 6 and all(c in CODE_ALPHABET for c in first) and Tip.objects.filter(code=first).exists():
        refers = first  # "K7M2QX ..." cites an earlier tip
    actor = _tipline_actor(unit)
    code = new_code()
    while Tip.objects.filter(code=code).exists():
        code = new_code()
    # One transaction: the item (intel's own service joins this boundary) and the tip beside it.
    with interface_boundary():
        item = item_create(
            actor,
            title=f"Tin báo của người dân {code}",
            body=text,
            category=Category.objects.get(code="other"),
            observed_at=clock.now(),
            reliability="F",
            credibility=6,
            tlp="amber",
            area=unit.area,
        )
        tip = Tip.objects.create(
            code=code,
            channel=channel,
            commune=unit.area,
            unit=unit,
            item=item,
            refers_to=refers,
            sender_sealed=crypto.seal({"number": e164}) if (e164 and consent) else "",
        )
        audit.record(
            actor, Verb.TIP_RECEIVED, tip, changes={"channel": channel, "consent": bool(e164 and consent)}
        )
    return tip


def tip_sender(actor: Actor, *, tip: Tip) -> str:
    """The sender's number, for a member of the tip's duty unit only (an audited read); "" when the
    sender did not agree to leave it."""
    policy.require(actor, "tip.sender", tip)
    if not tip.sender_sealed:
        return ""
    audit.record_separately(actor, Verb.TIP_SENDER_READ, tip)
    return crypto.unseal(tip.sender_sealed).get("number", "")


def tip_from_sms(*, sender: str, message: str) -> tuple[str, str]:
    """A tip by SMS (`TB <commune> [DY] <text>`): (outcome code, Vietnamese reply). Limited per
    number (and per gateway-reported number as its address)."""
    try:
        parsed = sms.parse_tip(message)
    except sms.SmsRefused as exc:
        return exc.code, exc.reply
    unit = next((u for u in duty_units() if u.code == f"CA-XA-{parsed.commune}"), None)
    if unit is None:
        return "tip_unknown_commune", sms.TIP_REPLIES["tip_unknown_commune"].format(value=parsed.commune)
    try:
        tip = tip_submit(
            channel="sms",
            commune_code=unit.area.code,
            text=parsed.text,
            address="sms:" + (sms.normalise_number(sender) or sender),
            number=sender if sms.normalise_number(sender) else "",
            consent=parsed.consent,
        )
    except RateLimited:
        return "tip_rate_limited", sms.TIP_REPLIES["tip_rate_limited"]
    except Invalid:
        return "tip_format", sms.TIP_REPLIES["tip_format"]
    return "tip_accepted", sms.TIP_REPLIES["tip_accepted"].format(ref=tip.code)

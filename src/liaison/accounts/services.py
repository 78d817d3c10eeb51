"""Sign-in, two-factor, sign-out, active unit and API tokens. Every outcome lands in the audit log."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison import policy
from liaison.accounts import throttle
from liaison.accounts.models import ApiToken
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import Conflict, FieldError, Invalid, NotFound
from liaison.core.forms import is_uuid
from liaison.core.rows import converters_of
from liaison.org import services as org_services
from liaison.org.actor import SESSION_KEY, Actor, active_memberships
from liaison.org.models import TWO_FACTOR_ROLES, ActivationCode, Membership, User

PENDING_KEY = "liaison_pending_2fa"
PENDING_SECONDS = 300
TOKEN_PREFIX = "lia_"


@dataclass(frozen=True)
class SignInResult:
    outcome: str  # signed_in | needs_otp | failed | locked | no_device | no_membership
    user: User | None = None


def needs_two_factor(user: User) -> bool:
    if any(m.role in TWO_FACTOR_ROLES for m in active_memberships(user)):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _anonymous(username: str) -> Actor:
    return Actor(user=None, membership=None, via="session")


def session_sign_in(request, *, username: str, password: str) -> SignInResult:
    """Password step. Rotates the session key; completes sign-in unless a second factor is due.

    An account is locked after repeated failures (django-axes, by username only); an address with
    many recent failures is only slowed down (`throttle`), never refused."""
    address = throttle.client_address(request)
    throttle.pause(address)
    user = auth.authenticate(request, username=username, password=password)
    if user is None:
        throttle.record_failure(address)
        locked = bool(getattr(request, "axes_locked_out", False))
        verb = Verb.LOCKED_OUT if locked else Verb.SIGN_IN_FAILED
        audit.record_separately(
            _anonymous(username),
            verb,
            object_type="org.user",
            object_ref=username[:120],
            actor_name=username[:150],
        )
        return SignInResult("locked" if locked else "failed")
    if not active_memberships(user).exists():
        audit.record_separately(
            Actor(user, None), Verb.ACCESS_REFUSED, user, changes={"reason": "no active membership"}
        )
        return SignInResult("no_membership", user)
    if needs_two_factor(user):
        if not _devices(user):
            audit.record_separately(Actor(user, None), Verb.TWO_FACTOR_MISSING, user)
            return SignInResult("no_device", user)
        request.session.cycle_key()
        request.session[PENDING_KEY] = {"user": str(user.pk), "at": clock.now().timestamp()}
        return SignInResult("needs_otp", user)
    _complete(request, user, None)
    return SignInResult("signed_in", user)


def _devices(user: User) -> list:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def pending_user(request) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or clock.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def session_verify_otp(request, *, code: str) -> SignInResult:
    """Second step: a TOTP code or a recovery code. Rotates the session key again on success."""
    user = pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return SignInResult("failed")
    code = "".join(code.split())
    for device in _devices(user):
        if device.verify_token(code):
            request.session.pop(PENDING_KEY, None)
            _complete(request, user, device)
            return SignInResult("signed_in", user)
    audit.record_separately(Actor(user, None), Verb.TWO_FACTOR_FAILED, user)
    return SignInResult("failed", user)


def _complete(request, user: User, device) -> None:
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # cycles the key
    if device is not None:
        otp_login(request, device)
    first = active_memberships(user).first()
    request.session[SESSION_KEY] = str(first.pk) if first else None
    actor = Actor(user, first)
    audit.record_separately(actor, Verb.SIGN_IN, user, changes={"two_factor": device is not None})


def session_sign_out(request, actor: Actor | None) -> None:
    if actor is not None and actor.user is not None:
        audit.record_separately(actor, Verb.SIGN_OUT, actor.user)
    auth.logout(request)


def membership_activate(actor: Actor, *, membership_id) -> Membership:
    """Act for another of one's own memberships. The caller stores the choice (session)."""
    m = (
        Membership.objects.filter(pk=membership_id, status=Membership.Status.ACTIVE)
        .select_related("unit")
        .first()
        if is_uuid(membership_id)
        else None
    )
    if m is None or not policy.can(actor, "unit.switch", m):
        raise Invalid(
            field="membership_id", code="unknown_membership", message="Not one of your active memberships."
        )
    with transaction.atomic():
        audit.record(Actor(actor.user, m, actor.via), Verb.ACTIVE_UNIT_SWITCHED, m.unit)
    return m


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(actor: Actor, *, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token acting for the actor's active membership. The plain token is returned once."""
    policy.require(actor, "apitoken.create")
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldError("name", "required", "Give the token a name."))
    elif len(name) > 80:
        errors.append(FieldError("name", "too_long", "At most 80 characters."))
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 365:
        errors.append(FieldError("days", "out_of_range", "Between 1 and 365 days."))
    if errors:
        raise Invalid(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor.user,
            membership=actor.membership,
            name=name,
            prefix=raw[:10],
            digest=token_digest(raw),
            expires_at=clock.now() + dt.timedelta(days=days),
        )
        audit.record(
            actor,
            Verb.API_TOKEN_CREATED,
            token,
            object_ref=token.prefix,
            changes={"name": name, "expires_at": token.expires_at.isoformat()},
        )
    return token, raw


def api_token_revoke(actor: Actor, *, token_id) -> ApiToken:
    token = policy.get_visible(actor, ApiToken, what="token", pk=token_id) if is_uuid(token_id) else None
    if token is None:
        raise NotFound("token")
    policy.require(actor, "apitoken.revoke", token)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit.record(
                actor,
                Verb.API_TOKEN_REVOKED,
                token,
                object_ref=token.prefix,
                changes={"revoked_at": token.revoked_at.isoformat()},
            )
    return token


# What an API request's actor is made of (the policy, the audit and the answers read these): the
# token's own columns, the user's name and flags (never the password hash), the membership and its
# unit. One statement, compiled once per process (_token_statement), instead of a select_related of
# every column of four tables compiled by the ORM on every request (issue 15: 3.9 ms of CPU).
_TOKEN_COLUMNS = {
    ApiToken: ("id", "user_id", "membership_id", "prefix", "expires_at", "revoked_at", "last_used_at"),
    User: (
        "id",
        "username",
        "full_name",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
    ),
    Membership: ("id", "user_id", "unit_id", "role", "status"),
}


@functools.cache
def _token_statement() -> tuple[str, list[tuple[type, list[str], list[list]]]]:
    """The statement, and for each model its attribute names and each column's converters."""
    from django.db import connection

    from liaison.org.models import Unit

    q = connection.ops.quote_name
    columns = {**_TOKEN_COLUMNS, Unit: tuple(f.attname for f in Unit._meta.concrete_fields)}
    aliases = {ApiToken: "t", User: "u", Membership: "m", Unit: "n"}
    shapes, select = [], []
    for model, names in columns.items():
        # In the model's order of fields: Model.from_db places the values it is given in that order.
        fields = [f for f in model._meta.concrete_fields if f.attname in names]
        assert len(fields) == len(names), names
        select += [f"{aliases[model]}.{q(f.column)}" for f in fields]
        converters = [converters_of(connection, f) for f in fields]
        shapes.append((model, [f.attname for f in fields], converters))
    table = {m: q(m._meta.db_table) for m in columns}
    # The names come from the models; the digest is a parameter.
    sql = (
        f"SELECT {', '.join(select)} FROM {table[ApiToken]} t"  # noqa: S608
        f" JOIN {table[User]} u ON u.{q('id')} = t.{q('user_id')}"
        f" JOIN {table[Membership]} m ON m.{q('id')} = t.{q('membership_id')}"
        f" JOIN {table[Unit]} n ON n.{q('id')} = m.{q('unit_id')}"
        f" WHERE t.{q('digest')} = %s"
    )
    return sql, shapes


def _token_with_actor(digest: str) -> ApiToken | None:
    """The token of this digest, its user, membership and unit attached (no further query)."""
    from django.db import connection

    sql, shapes = _token_statement()
    with connection.cursor() as c:
        c.execute(sql, [digest])
        row = c.fetchone()
    if row is None:
        return None
    objs, at = [], 0
    for model, names, converters in shapes:
        values = []
        for value, convert in zip(row[at : at + len(names)], converters, strict=True):
            for fn in convert:
                value = fn(value, None, connection)
            values.append(value)
        objs.append(model.from_db(connection.alias, names, values))
        at += len(names)
    token, user, membership, unit = objs
    membership.unit, membership.user = unit, user
    token.user, token.membership = user, membership
    return token


def api_token_authenticate(raw: str) -> Actor | None:
    """The actor of a bearer token, or None (unknown, expired, revoked, or its membership ended)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = _token_with_actor(token_digest(raw))
    if token is None:
        return None
    now = clock.now()
    usable = (
        token.revoked_at is None
        and token.expires_at > now
        and token.user.is_active
        and token.membership.status == Membership.Status.ACTIVE
        and token.membership.unit.is_active
    )
    if not usable:
        audit.record_separately(
            Actor(token.user, token.membership, "token"),
            Verb.API_TOKEN_REFUSED,
            token,
            object_ref=token.prefix,
        )
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Actor(token.user, token.membership, "token")


def totp_enrol(actor: Actor, *, user: User) -> TOTPDevice:
    """Give a user a confirmed TOTP device (the CLI, the demo loader). Replaces any earlier one."""
    policy.require(actor, "user.enrol_factor", user)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        audit.record(actor, Verb.TWO_FACTOR_ENROLLED, user)
    return device


def recovery_codes_issue(actor: Actor, *, user: User, count: int = 5) -> list[str]:
    policy.require(actor, "user.enrol_factor", user)
    with transaction.atomic():
        codes = _recovery_codes(user, count)
        audit.record(actor, Verb.TWO_FACTOR_ENROLLED, user, changes={"recovery_codes": len(codes)})
    return codes


def _recovery_codes(user: User, count: int = 5) -> list[str]:
    codes = [secrets.token_hex(5) for _ in range(count)]
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for c in codes:
        device.token_set.create(token=c)
    return codes


# --- activation: the owner of a new account chooses its password (and enrols its second factor) ---

ACTIVATION_KEY = "liaison_activation"
ACTIVATION_SECONDS = 600  # between the password step and the authenticator's first code


@dataclass(frozen=True)
class ActivationStep:
    outcome: str  # done | needs_factor | failed
    errors: list = field(default_factory=list)
    device: TOTPDevice | None = None


def _activation_code(user: User | None, code: str) -> ActivationCode | None:
    """The account's live code that `code` is, or None; compared by digest, in constant time over
    the account's live codes (at most one)."""
    if user is None:
        return None
    digest = org_services.activation_digest(code)
    now = clock.now()
    for candidate in ActivationCode.objects.filter(
        user=user, used_at=None, voided_at=None, expires_at__gt=now
    ):
        if hmac.compare_digest(candidate.digest, digest):
            return candidate
    return None


def account_activate(
    request, *, username: str, code: str, password: str, password_again: str
) -> ActivationStep:
    """First step: the code and the chosen password. An account whose roles sign in with a second
    factor gets an authenticator secret to enrol (`account_activate_factor`) before anything is
    saved; any other is activated at once. A wrong code is audited and slowed like a failed sign-in."""
    address = throttle.client_address(request)
    throttle.pause(address)
    user = User.objects.filter(username=username, is_active=True).first()
    found = _activation_code(user, code) if user is not None and not user.has_usable_password() else None
    if found is None:
        throttle.record_failure(address)
        audit.record_separately(
            _anonymous(username),
            Verb.ACTIVATION_FAILED,
            object_type="org.user",
            object_ref=username[:120],
            actor_name=username[:150],
        )
        return ActivationStep(
            "failed", [FieldError("code", "invalid", gettext("This code does not hold for this username."))]
        )
    errors = []
    if password != password_again:
        errors.append(FieldError("password_again", "mismatch", gettext("The two passwords differ.")))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors.append(FieldError("password", "weak", " ".join(exc.messages)))
    if errors:
        return ActivationStep("failed", errors)
    if not needs_two_factor(user):
        _activate(user, found, make_password(password), None)
        return ActivationStep("done")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    request.session[ACTIVATION_KEY] = {
        "user": str(user.pk),
        "code": str(found.pk),
        "device": device.pk,
        "password": make_password(password),
        "at": clock.now().timestamp(),
    }
    return ActivationStep("needs_factor", device=device)


def activation_pending_device(request) -> TOTPDevice | None:
    pending = request.session.get(ACTIVATION_KEY)
    if not pending or clock.now().timestamp() - pending.get("at", 0) > ACTIVATION_SECONDS:
        return None
    return TOTPDevice.objects.filter(pk=pending["device"], user_id=pending["user"], confirmed=False).first()


def account_activate_factor(request, *, code: str) -> tuple[ActivationStep, list[str]]:
    """Second step: the authenticator's current code proves the secret was enrolled; then the
    password, the factor and five recovery codes (shown once) are saved together."""
    pending = request.session.get(ACTIVATION_KEY) or {}
    device = activation_pending_device(request)
    found = ActivationCode.objects.filter(
        pk=pending.get("code"), used_at=None, voided_at=None, expires_at__gt=clock.now()
    ).first()
    if device is None or found is None:
        request.session.pop(ACTIVATION_KEY, None)
        return ActivationStep(
            "failed", [FieldError("code", "expired", gettext("Start again with your activation code."))]
        ), []
    if not device.verify_token("".join(code.split())):
        return ActivationStep(
            "needs_factor",
            [FieldError("otp", "invalid", gettext("This is not the authenticator's current code."))],
            device,
        ), []
    codes = _activate(device.user, found, pending["password"], device)
    request.session.pop(ACTIVATION_KEY, None)
    return ActivationStep("done"), codes


def _activate(user: User, found: ActivationCode, password_hash: str, device: TOTPDevice | None) -> list[str]:
    with transaction.atomic():
        code = (
            ActivationCode.objects.select_for_update()
            .filter(pk=found.pk, used_at=None, voided_at=None)
            .first()
        )
        if code is None:
            raise Conflict("activation_used", "This activation code has been used.")
        code.used_at = clock.now()
        code.save(update_fields=["used_at", "updated_at"])
        User.objects.filter(pk=user.pk).update(password=password_hash)
        codes: list[str] = []
        actor = Actor(user, None)
        if device is not None:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes(user)
            audit.record(actor, Verb.TWO_FACTOR_ENROLLED, user, changes={"recovery_codes": len(codes)})
        audit.record(actor, Verb.ACCOUNT_ACTIVATED, user, changes={"second_factor": device is not None})
    return codes

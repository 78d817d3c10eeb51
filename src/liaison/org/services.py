"""Every write to the organisation: units, users, memberships. Actor first, one transaction each."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.core.errors import FieldError, Invalid
from liaison.geo.models import Area
from liaison.org.actor import Actor
from liaison.org.models import KIND_LEVEL, ActivationCode, Force, Membership, Role, Unit, UnitKind, User

UNIT_FIELDS = ("code", "name", "short_name", "force", "kind", "country", "parent", "area")


def _validate_unit(*, code, name, short_name, force, kind, country, exclude=None) -> list[FieldError]:
    errors: list[FieldError] = []
    if not code or len(code) > 40 or not all(c.isalnum() or c == "-" for c in code):
        errors.append(FieldError("code", "invalid", "1–40 letters, digits or hyphens."))
    elif Unit.objects.filter(code=code).exclude(pk=exclude).exists():
        errors.append(FieldError("code", "duplicate", "Another unit has this code."))
    if not name or not name.strip():
        errors.append(FieldError("name", "required", "A unit needs a name."))
    elif len(name) > 200:
        errors.append(FieldError("name", "too_long", "At most 200 characters."))
    if short_name and len(short_name) > 80:
        errors.append(FieldError("short_name", "too_long", "At most 80 characters."))
    if force not in Force.values:
        errors.append(FieldError("force", "invalid_choice", "Unknown force."))
    if kind not in UnitKind.values:
        errors.append(FieldError("kind", "invalid_choice", "Unknown unit kind."))
    if not (isinstance(country, str) and len(country) == 2 and country.isalpha() and country.isupper()):
        errors.append(FieldError("country", "invalid", "A two-letter ISO country code, e.g. VN or LA."))
    return errors


def _set_path(unit: Unit) -> None:
    prefix = unit.parent.path if unit.parent else ""
    unit.path = prefix + Unit.path_segment(unit.id)
    unit.depth = unit.parent.depth + 1 if unit.parent else 0


def unit_create(
    actor: Actor,
    *,
    code: str,
    name: str,
    force: str,
    kind: str,
    parent: Unit | None,
    country: str = "VN",
    short_name: str = "",
    area: Area | None = None,
) -> Unit:
    """Create a unit below `parent` (administrators: within their subtree; the system: anywhere)."""
    errors = _validate_unit(
        code=code, name=name, short_name=short_name, force=force, kind=kind, country=country
    )
    if errors:
        raise Invalid(errors)
    policy.require(actor, "unit.create", parent)
    with transaction.atomic():
        unit = Unit(
            code=code,
            name=name.strip(),
            short_name=short_name.strip(),
            force=force,
            kind=kind,
            level=KIND_LEVEL[kind],
            country=country,
            parent=parent,
            area=area,
        )
        _set_path(unit)
        unit.save()
        audit.record(
            actor,
            Verb.UNIT_CREATED,
            unit,
            changes={f: getattr(unit, f + "_id" if f in ("parent", "area") else f) for f in UNIT_FIELDS},
        )
    return unit


def unit_update(actor: Actor, *, unit: Unit, **changes) -> Unit:
    """Change a unit's fields; a new parent moves its whole subtree (paths recomputed)."""
    policy.require(actor, "unit.update", unit)
    allowed = set(UNIT_FIELDS)
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid([FieldError(f, "unknown_field", "Not a unit field.") for f in sorted(unknown)])
    current = {f: getattr(unit, f) for f in UNIT_FIELDS}
    merged = {**current, **changes}
    errors = _validate_unit(
        code=merged["code"],
        name=merged["name"],
        short_name=merged["short_name"] or "",
        force=merged["force"],
        kind=merged["kind"],
        country=merged["country"],
        exclude=unit.pk,
    )
    new_parent = merged["parent"]
    if new_parent is not None and new_parent.path.startswith(unit.path):
        errors.append(FieldError("parent", "cycle", "A unit cannot move below itself."))
    if errors:
        raise Invalid(errors)
    if "parent" in changes and changes["parent"] != unit.parent:
        policy.require(actor, "unit.create", new_parent)
    changed = {f: v for f, v in changes.items() if current[f] != v}
    if not changed:
        return unit
    with transaction.atomic():
        old_path = unit.path
        for f, v in changed.items():
            setattr(unit, f, v)
        unit.level = KIND_LEVEL[unit.kind]
        if "parent" in changed:
            _set_path(unit)
        unit.save()
        if "parent" in changed:
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
                child.path = unit.path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 1
                child.save(update_fields=["path", "depth", "updated_at"])
        audit.record(
            actor,
            Verb.UNIT_MOVED if "parent" in changed else Verb.UNIT_UPDATED,
            unit,
            changes={f: getattr(v, "pk", v) for f, v in changed.items()},
        )
    return unit


def user_create(
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str | None = None,
    email: str = "",
    password_hashed: bool = False,
) -> User:
    """An account a person makes has no password: its owner chooses one with the activation code
    given to whoever confirms its first membership (`membership_approve`), so the administrator who
    made it never holds a secret of it. Only the system (CLI, demo loader) sets a password.

    `password_hashed`: `password` is already `make_password`'s output (the demo loader hashes its
    one published password once for all its users instead of once per user)."""
    policy.require(actor, "user.create")
    errors = []
    if password is not None and not actor.is_system:
        errors.append(
            FieldError(
                "password",
                "not_allowed",
                "The owner of the account chooses its password, with the activation code.",
            )
        )
    if not username or len(username) > 150 or not all(c.isalnum() or c in "._-" for c in username):
        errors.append(
            FieldError("username", "invalid", "1–150 letters, digits, dots, hyphens or underscores.")
        )
    elif User.objects.filter(username=username).exists():
        errors.append(FieldError("username", "duplicate", "This username is taken."))
    if len(full_name) > 150:
        errors.append(FieldError("full_name", "too_long", "At most 150 characters."))
    try:
        if password is not None and not password_hashed:
            validate_password(password, User(username=username, full_name=full_name))
    except ValidationError as exc:
        errors.append(FieldError("password", "weak", " ".join(exc.messages)))
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            created_by=None if actor.is_system else actor.user,
        )
        if password is None:
            user.set_unusable_password()
        elif password_hashed:
            user.password = password
        else:
            user.set_password(password)
        user.save()
        audit.record(actor, Verb.USER_CREATED, user, changes={"username": username, "full_name": full_name})
    return user


def membership_grant(actor: Actor, *, user: User, unit: Unit, role: str) -> Membership:
    """Grant a role in a unit. What a person grants, of any role, is pending until a second person
    confirms it (`membership_approve`): one administrator alone never makes an account that reads a
    record. The system (CLI, demo loader) grants at once. Units of another country are reference
    records: nobody here is a member of them."""
    errors = []
    if role not in Role.values:
        errors.append(FieldError("role", "invalid_choice", "Unknown role."))
    if errors:
        raise Invalid(errors)
    pending = Membership(user=user, unit=unit, role=role, granted_by=actor.user)
    policy.require(actor, "membership.grant", pending)
    if (
        Membership.objects.filter(user=user, unit=unit, role=role)
        .exclude(status=Membership.Status.REVOKED)
        .exists()
    ):
        raise Invalid(field="role", code="duplicate", message="The user already has this role in this unit.")
    needs_second = not actor.is_system
    with transaction.atomic():
        pending.status = Membership.Status.PENDING if needs_second else Membership.Status.ACTIVE
        pending.save()
        audit.record(
            actor,
            Verb.MEMBERSHIP_REQUESTED if needs_second else Verb.MEMBERSHIP_GRANTED,
            pending,
            changes={"user": user.pk, "unit": unit.pk, "role": role, "status": pending.status},
        )
    return pending


def membership_approve(actor: Actor, *, membership: Membership) -> Membership:
    """Confirm a pending membership: a second administrator, or a commander of that unit for the
    roles below commander (policy `membership.approve`). The row is locked and read again, so that a
    stale copy cannot confirm a membership revoked or confirmed meanwhile."""
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update().filter(pk=membership.pk).first()
            if membership.pk is not None
            else None
        )
        policy.require(actor, "membership.approve", current)
        current.status = Membership.Status.ACTIVE
        current.approved_by = actor.user
        current.save(update_fields=["status", "approved_by", "updated_at"])
        audit.record(actor, Verb.MEMBERSHIP_APPROVED, current, changes={"status": "active"})
        # An account nobody has activated yet: its code goes to this second person, to hand over.
        code = None if current.user.has_usable_password() else _issue_activation(actor, current.user)
    membership.status, membership.approved_by = current.status, current.approved_by
    current.activation_code = code  # shown once to the confirmer, never stored
    return current


ACTIVATION_DAYS = 3
# No 0/O, 1/I/L: read aloud or copied by hand at a post.
_CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def activation_digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").upper().encode()).hexdigest()


def _issue_activation(actor: Actor, user: User) -> str:
    now = clock.now()
    ActivationCode.objects.filter(user=user, used_at=None, voided_at=None).update(voided_at=now)
    raw = "".join(secrets.choice(_CODE_LETTERS) for _ in range(12))
    ActivationCode.objects.create(
        user=user,
        digest=activation_digest(raw),
        issued_by=actor.user,
        expires_at=now + dt.timedelta(days=ACTIVATION_DAYS),
    )
    audit.record(actor, Verb.ACTIVATION_ISSUED, user, changes={"days": ACTIVATION_DAYS})
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def activation_reissue(actor: Actor, *, user: User) -> str:
    """A new code for an account not yet activated (the first was lost or ran out); the earlier one
    stops working. Who may: policy `user.activation` (as for confirming its memberships)."""
    with transaction.atomic():
        current = User.objects.select_for_update().filter(pk=user.pk).first()
        policy.require(actor, "user.activation", current)
        return _issue_activation(actor, current)


def membership_revoke(actor: Actor, *, membership: Membership) -> Membership:
    policy.require(actor, "membership.revoke", membership)
    with transaction.atomic():
        membership.status = Membership.Status.REVOKED
        membership.save(update_fields=["status", "updated_at"])
        audit.record(actor, Verb.MEMBERSHIP_REVOKED, membership, changes={"status": "revoked"})
    return membership


def service_account_ensure(actor: Actor, *, username: str, full_name: str) -> User:
    """The account of a channel that acts on its own (the tip line): inactive, with no usable
    password (it never signs in), created once by the system, audited like any account."""
    if not actor.is_system:
        policy.require(actor, "user.create")
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    with transaction.atomic():
        user = User(username=username, full_name=full_name, is_active=False)
        user.set_unusable_password()
        user.save()
        audit.record(
            actor,
            Verb.USER_CREATED,
            user,
            changes={"username": username, "full_name": full_name, "service": True},
        )
    return user

"""Facts about an actor that every context's rules share. Pure functions over models."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from liaison.org.models import Role, Unit


def is_member(actor: Any) -> bool:
    """Acting for an active membership in a unit of this node's country. A partner user on this
    node, or a user with no membership, is no member: they see nothing."""
    if actor is None or getattr(actor, "is_system", False):
        return False
    m = getattr(actor, "membership", None)
    return bool(m is not None and m.unit.is_active and m.unit.country == settings.NODE_COUNTRY)


def is_system(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_system", False))


def has_role(actor: Any, *roles: str) -> bool:
    return is_member(actor) and actor.membership.role in roles


def is_auditor(actor: Any) -> bool:
    return has_role(actor, Role.AUDITOR)


def is_staff_member(actor: Any) -> bool:
    """A member in any role but auditor (auditors read the audit log and nothing else)."""
    return is_member(actor) and actor.membership.role != Role.AUDITOR


def unit_path(actor: Any) -> str:
    return actor.membership.unit.path


def in_subtree(actor: Any, unit: Any) -> bool:
    """Is `unit` the actor's active unit or below it?"""
    return bool(unit is not None and unit.path.startswith(unit_path(actor)))


def subtree_q(actor: Any, prefix: str = "") -> Q:
    """Rows whose unit (reached through `prefix`) lies in the actor's subtree."""
    return Q(**{f"{prefix}path__startswith": unit_path(actor)})


_units_changed = [0]  # bumped when any unit is saved or deleted (the signals below)


def units_changed(**_kwargs) -> None:
    _units_changed[0] += 1


post_save.connect(units_changed, sender=Unit, dispatch_uid="policy.units_changed.save")
post_delete.connect(units_changed, sender=Unit, dispatch_uid="policy.units_changed.delete")


def subtree_unit_ids(unit: Any) -> list:
    """The ids of a unit and every unit below it, as values: the database then plans with real ids
    (and their statistics) rather than a path pattern.

    Kept on the unit instance (a request's actor holds its own) while no unit has changed in this
    process: a request whose reads each ask for the subtree reads it once (issue 15)."""
    key = (_units_changed[0], unit.path)
    kept = unit.__dict__.get("_subtree_ids")
    if kept is not None and kept[0] == key:
        return list(kept[1])
    ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    unit.__dict__["_subtree_ids"] = (key, tuple(ids))
    return ids

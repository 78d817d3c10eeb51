"""The policy engine: one place that decides who sees and does what.

Rules live in `policy/rules/<context>.py` and register themselves here. Everything else asks three
questions: `visible(actor, Model, action)` (a queryset), `can(actor, action, obj)` (a bool) and
`require(...)` (raises). Unknown actions, missing actors and unmapped models fail closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from liaison.core.errors import NotFound, NotPermitted

M = TypeVar("M", bound=Model)

# (model, action) -> function(actor) -> Q | None   (None: nothing is visible)
_VISIBILITY: dict[tuple[type[Model], str], Callable[[Any], Q | None]] = {}
# action -> function(actor, obj) -> bool
_PERMISSIONS: dict[str, Callable[[Any, Any], bool]] = {}


def visibility(model: type[Model], action: str = "view"):
    def deco(fn: Callable[[Any], Q | None]):
        _VISIBILITY[(model, action)] = fn
        return fn

    return deco


def permission(action: str):
    def deco(fn: Callable[[Any, Any], bool]):
        _PERMISSIONS[action] = fn
        return fn

    return deco


def _ensure_loaded() -> None:
    from liaison.policy import rules  # noqa: F401  (registers every context's rules)


def visible(actor: Any, model: type[M], action: str = "view") -> QuerySet[M]:
    """The rows of `model` the actor may `action`. Fail closed: no rule, no actor, no rows."""
    _ensure_loaded()
    base = model._default_manager.all()
    if actor is None:
        return base.none()
    fn = _VISIBILITY.get((model, action))
    if fn is None:
        return base.none()
    q = fn(actor)
    if q is None:
        return base.none()
    return base.filter(q)


def can(actor: Any, action: str, obj: Any = None) -> bool:
    _ensure_loaded()
    if actor is None:
        return False
    fn = _PERMISSIONS.get(action)
    if fn is None:
        return False
    return bool(fn(actor, obj))


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise `NotPermitted` (an audited refusal at the interface boundary) unless `can`."""
    if not can(actor, action, obj):
        err = NotPermitted()
        err.refused = (action, obj)  # type: ignore[attr-defined]
        raise err


def get_visible(
    actor: Any, model: type[M], action: str = "view", *, what: str = "record", **lookup: Any
) -> M:
    """One row the actor may see, or `NotFound` exactly as for a row that does not exist.

    When the row exists but is hidden, the error carries it so that the boundary can audit the
    refusal; the response stays identical to a missing row's."""
    try:
        return visible(actor, model, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        pass
    except Exception as exc:  # a malformed lookup value (e.g. a bad UUID) is simply "not found"
        if exc.__class__.__name__ != "ValidationError":
            raise
    # A hidden row and a missing one take the same path at the same cost: the same lookup, and a
    # refusal audited for both (the audit names the hidden row, or the id that was asked for), so
    # that neither the answer nor its time tells them apart.
    err = NotFound(what)
    try:
        hidden = model._default_manager.filter(**lookup).first()
    except Exception:
        hidden = None
    sought = hidden if hidden is not None else _Sought(model, lookup)
    err.refused = (f"{model._meta.model_name}.{action}", sought)  # type: ignore[attr-defined]
    raise err


class _Sought:
    """A record that was asked for and does not exist, as the audit log describes it."""

    def __init__(self, model: type[Model], lookup: dict[str, Any]):
        self._meta = model._meta
        value = lookup.get("pk", lookup.get("id", next(iter(lookup.values()), "")))
        self.pk = "".join(c for c in str(value) if c.isprintable())[:64]


def explain(actor: Any, obj: Any):
    """Why the actor, acting for its active membership, does or does not see `obj`: the rule path
    generated from the record type's declaration (`policy.involvement`); `.granted` is exactly
    whether `obj` is in `visible(actor, type(obj))`."""
    _ensure_loaded()
    from liaison.policy import involvement

    return involvement.explain(actor, obj)

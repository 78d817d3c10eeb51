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
# action -> function(actor, obj) -> list of (rule, granted: bool, detail) for explanations
_EXPLAINERS: dict[str, Callable[[Any, Any], list[tuple[str, bool, str]]]] = {}


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


def explainer(action: str):
    def deco(fn):
        _EXPLAINERS[action] = fn
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
    err = NotFound(what)
    try:
        hidden = model._default_manager.filter(**lookup).first()
    except Exception:
        hidden = None
    if hidden is not None:
        err.refused = (f"{model._meta.model_name}.{action}", hidden)  # type: ignore[attr-defined]
    raise err


def explain(actor: Any, action: str, obj: Any) -> list[tuple[str, bool, str]]:
    """The rule path that grants or denies `action` on `obj`, built from the same rules."""
    _ensure_loaded()
    fn = _EXPLAINERS.get(action)
    if fn is None:
        return [("no-rule", False, f"no rule grants {action}")]
    return fn(actor, obj)

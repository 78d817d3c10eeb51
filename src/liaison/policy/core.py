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


def offered(model: type[M], action: str) -> QuerySet[M]:
    """What a form may offer as a choice before its reader is known (its queryset is built once):
    the rule for `action` must not depend on who asks beyond being a member, and the service asks
    `visible`/`can` again with the actor when the form is submitted."""
    from liaison.org.actor import Actor

    return visible(Actor.system(), model, action)


class Refusal:
    """A permission's "no" that names the rule saying no (the handling level, the state, the role),
    lazily translated into the reader's language. False in a test, like any other "no"."""

    def __init__(self, reason: Any):
        self.reason = reason

    def __bool__(self) -> bool:
        return False


def refuse(reason: Any) -> Refusal:
    return Refusal(reason)


def _answer(actor: Any, action: str, obj: Any) -> Any:
    _ensure_loaded()
    if actor is None:
        return False
    fn = _PERMISSIONS.get(action)
    if fn is None:
        return False
    return fn(actor, obj)


def can(actor: Any, action: str, obj: Any = None) -> bool:
    return bool(_answer(actor, action, obj))


def why_not(actor: Any, action: str, obj: Any = None) -> Any:
    """The rule that refuses `action` (a lazily translated sentence), or None when it is allowed."""
    answer = _answer(actor, action, obj)
    if answer:
        return None
    if isinstance(answer, Refusal):
        return answer.reason
    from django.utils.translation import gettext_lazy

    return gettext_lazy("Your role in this unit may not do this.")


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise `NotPermitted` (an audited refusal at the interface boundary) unless `can`; its message
    names the rule that refused, in the reader's language."""
    reason = why_not(actor, action, obj)
    if reason is not None:
        err = NotPermitted(str(reason))  # in the language of the request being answered
        err.refused = (action, obj)  # type: ignore[attr-defined]
        raise err


# action -> function(actor, obj) -> the choices a form may offer this actor for this record
_CHOICES: dict[str, Callable[[Any, Any], list]] = {}


def offers(action: str):
    def deco(fn: Callable[[Any, Any], list]):
        _CHOICES[action] = fn
        return fn

    return deco


def choices(actor: Any, action: str, obj: Any = None) -> list:
    """What a form offers this actor for this record (the transitions of an incident it may make):
    exactly the choices `can(actor, action, …)` would accept. Unknown actions offer nothing."""
    _ensure_loaded()
    fn = _CHOICES.get(action)
    if actor is None or fn is None:
        return []
    return list(fn(actor, obj))


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


# where ("incident.timeline", "item.history") -> entry kind -> (model, key in the entry's data, field)
_MENTIONS: dict[str, dict[str, tuple[type[Model], Callable[[dict], Any], str]]] = {}


def mention(where: str, kind: str, model: type[Model], *, key: Callable[[dict], Any], field: str = "pk"):
    """Declare that entries of `kind` in `where` (a timeline, a history) name a record of `model`:
    `key(data)` is the value of its `field` (its id or reference)."""
    _MENTIONS.setdefault(where, {})[kind] = (model, key, field)


def mentions(where: str) -> dict[str, tuple[type[Model], Callable[[dict], Any], str]]:
    _ensure_loaded()
    return dict(_MENTIONS.get(where, {}))


def without_hidden_mentions(
    actor: Any,
    where: str,
    entries: list,
    *,
    kind: Callable[[Any], str] = lambda e: e.kind,
    data: Callable[[Any], dict] = lambda e: e.data,
) -> list:
    """The entries of a timeline or history less those that name a record the actor may not see:
    a reader learns neither the reference nor that a hidden record was involved at all."""
    specs = mentions(where)
    wanted: dict[tuple[type[Model], str], set[str]] = {}
    keyed = []
    for e in entries:
        spec = specs.get(kind(e))
        value = spec[1](data(e) or {}) if spec else None
        keyed.append((e, spec, None if value is None else str(value)))
        if spec and value is not None:
            wanted.setdefault((spec[0], spec[2]), set()).add(str(value))
    seen: dict[tuple[type[Model], str], set[str]] = {}
    for (model, field), values in wanted.items():
        if field == "pk":
            values = {v for v in values if _is_uuid(v)}
        rows = visible(actor, model).filter(**{f"{field}__in": list(values)}).values_list(field, flat=True)
        seen[(model, field)] = {str(v) for v in rows}
    return [e for e, spec, v in keyed if spec is None or (v is not None and v in seen[(spec[0], spec[2])])]


def shown(actor: Any, obj: Any) -> Any:
    """A record named by another (an incident merged into another) if the actor may see it, else None."""
    if obj is None:
        return None
    return obj if visible(actor, type(obj)).filter(pk=obj.pk).exists() else None


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def explain(actor: Any, obj: Any):
    """Why the actor, acting for its active membership, does or does not see `obj`: the rule path
    generated from the record type's declaration (`policy.involvement`); `.granted` is exactly
    whether `obj` is in `visible(actor, type(obj))`."""
    _ensure_loaded()
    from liaison.policy import involvement

    return involvement.explain(actor, obj)

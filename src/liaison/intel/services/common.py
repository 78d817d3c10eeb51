from __future__ import annotations

import datetime as dt
from typing import Any

from liaison.core import clock
from liaison.core.errors import Conflict
from liaison.core.text import normalise
from liaison.intel import errors
from liaison.intel.models import Item, ItemRevision, Status


def search_text_of(item: Item) -> str:
    """What search sees: reference, title, body, category and place names. Never people's names
    (there are no person fields on an item)."""
    parts = [item.ref, item.title, item.body, item.category.name_vi, item.category.name_en]
    if item.area_id:
        parts.append(item.area.name)
    if item.place_id:
        parts.append(item.place.name)
    return normalise(" ".join(p for p in parts if p))


def revise(actor, item: Item, action: str, changes: dict[str, Any], reason: str = "") -> ItemRevision:
    item.version += 1
    return ItemRevision.objects.create(
        item=item,
        version=item.version,
        action=action,
        changes=_jsonable(changes),
        reason=reason,
        by=actor.user,
        by_unit=actor.unit,
        at=clock.now(),
    )


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    def conv(v):
        if isinstance(v, dt.datetime):
            return v.isoformat()
        if hasattr(v, "pk"):
            return str(v)
        return v

    return {k: [conv(a) for a in v] if isinstance(v, list | tuple) else conv(v) for k, v in changes.items()}


def require_open(item: Item) -> None:
    if item.status == Status.CLOSED:
        raise Conflict(errors.CLOSED, "The item is closed.")

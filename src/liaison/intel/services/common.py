from __future__ import annotations

import datetime as dt
from typing import Any

from liaison.core import clock
from liaison.core.errors import Conflict
from liaison.core.text import search_fields
from liaison.intel import errors
from liaison.intel.models import Item, ItemRevision, Status


def search_fields_of(item) -> dict[str, str]:
    """What search sees: the title; reference, body, category and place names. Never people's names
    (there are no person fields on an item). Also used by the migration that re-indexes items."""
    parts = [item.ref, item.body, item.category.name_vi, item.category.name_en, item.category.name_lo]
    if item.area_id:
        parts.append(item.area.name)
    if item.place_id:
        parts.append(item.place.name)
    return search_fields(item.title, *parts)


def index_for_search(item: Item) -> None:
    for k, v in search_fields_of(item).items():
        setattr(item, k, v)


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

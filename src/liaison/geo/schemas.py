from __future__ import annotations

import uuid

from ninja import Schema


class AreaOut(Schema):
    id: uuid.UUID
    code: str
    official_code: str
    kind: str
    name: str
    country: str
    parent_code: str | None = None
    is_border_area: bool
    lat: float | None
    lon: float | None
    position_approximate: bool
    source: str


class PlaceOut(Schema):
    id: uuid.UUID
    code: str
    kind: str
    name: str
    lat: float
    lon: float
    approximate: bool
    source: str
    area_code: str | None = None
    unit_id: uuid.UUID | None = None

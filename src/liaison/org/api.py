"""/api/v1/me and /api/v1/units: thin, schema in, service or selector, schema out."""

from __future__ import annotations

import uuid

from ninja import Router, Status

from liaison.accounts import services as account_services
from liaison.core.api import actor_of, idempotent_create
from liaison.core.errors import Invalid
from liaison.core.inputs import Line
from liaison.geo import selectors as geo_selectors
from liaison.org import selectors, services
from liaison.org.actor import SESSION_KEY
from liaison.org.schemas import ActiveUnitIn, MembershipOut, MeOut, UnitIn, UnitOut

me_router = Router(tags=["me"])
units_router = Router(tags=["units"])


def _membership_out(m) -> MembershipOut:
    return MembershipOut(
        id=m.id, unit_id=m.unit_id, unit_code=m.unit.code, unit_name=m.unit.name, role=m.role, status=m.status
    )


@me_router.get("", response=MeOut)
def me(request):
    actor = actor_of(request)
    return MeOut(
        id=actor.user.id,
        username=actor.user.username,
        full_name=actor.user.full_name,
        active=_membership_out(actor.membership) if actor.membership else None,
        memberships=[_membership_out(m) for m in selectors.my_memberships(actor)],
        via=actor.via,
    )


@me_router.post("/active-unit", response=MembershipOut)
def switch_unit(request, payload: ActiveUnitIn):
    actor = actor_of(request)
    m = account_services.membership_activate(actor, membership_id=payload.membership_id)
    if actor.via == "session":
        request.session[SESSION_KEY] = str(m.pk)
    return _membership_out(m)


@units_router.get("", response=list[UnitOut])
def list_units(
    request,
    force: Line | None = None,
    country: Line | None = None,
):
    return list(selectors.unit_list(actor_of(request), force=force, country=country))


@units_router.get("/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: uuid.UUID):
    return selectors.unit_get(actor_of(request), unit_id=unit_id)


@units_router.post("", response={201: UnitOut})
def create_unit(request, payload: UnitIn):
    actor = actor_of(request)

    def create():
        parent = _lookup(lambda: selectors.unit_get(actor, unit_id=payload.parent_id), "parent_id")
        area = (
            _lookup(lambda: geo_selectors.area_get(actor, area_id=payload.area_id), "area_id")
            if payload.area_id
            else None
        )
        return services.unit_create(
            actor,
            code=payload.code,
            name=payload.name,
            short_name=payload.short_name,
            force=payload.force,
            kind=payload.kind,
            parent=parent,
            country=payload.country,
            area=area,
        )

    return Status(
        *idempotent_create(
            request, "units.create", create, replay=lambda rid: selectors.unit_get(actor, unit_id=rid)
        )
    )


def _lookup(fn, field: str):
    from liaison.core.errors import NotFound

    try:
        return fn()
    except NotFound:
        raise Invalid(field=field, code="unknown", message="No such record.") from None

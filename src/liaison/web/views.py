"""Thin pages: parse, selector or service, render."""

from __future__ import annotations

from django.shortcuts import render

from liaison import policy
from liaison.geo import selectors as geo_selectors
from liaison.org import selectors as org_selectors
from liaison.web.decorators import signed_in
from liaison.web.work import work


@signed_in
def home(request):
    actor = request.actor
    unit = actor.unit
    context = {"unit": None}
    if unit is not None and policy.visible(actor, type(unit)).filter(pk=unit.pk).exists():
        context = {
            "unit": unit,
            "children": org_selectors.unit_children(actor, unit=unit),
            "members": org_selectors.unit_members(actor, unit=unit),
            "can_read_audit": policy.can(actor, "audit.read"),
            "can_manage": policy.can(actor, "reference.manage"),
            "work": work(actor),
            "show_watched": policy.can(actor, "work.watch"),
        }
    elif policy.can(actor, "audit.read"):
        context["can_read_audit"] = True
    return render(request, "web/home.html", context)


@signed_in
def nav_fragment(request):
    """The navigation with its work badges, fetched again by htmx on every event of the live feed."""
    return render(request, "web/_nav.html")


@signed_in
def unit_list(request):
    units = org_selectors.unit_list(request.actor, force=request.GET.get("force") or None)
    return render(request, "web/unit_list.html", {"units": units})


@signed_in
def unit_detail(request, unit_id):
    actor = request.actor
    unit = org_selectors.unit_get(actor, unit_id=unit_id)
    return render(
        request,
        "web/unit_detail.html",
        {
            "u": unit,
            "children": org_selectors.unit_children(actor, unit=unit),
            "members": org_selectors.unit_members(actor, unit=unit),
            "places": geo_selectors.place_list(actor, unit_id=unit.pk),
        },
    )


@signed_in
def place_list(request):
    from liaison.geo.models import PlaceKind

    kind = request.GET.get("kind") or None
    labels = dict(PlaceKind.choices)
    places = [
        {**row, "kind_label": labels.get(row["kind"], row["kind"])}
        for row in geo_selectors.place_list(request.actor, kind=kind if kind in labels else None)
    ]
    return render(
        request,
        "web/place_list.html",
        {
            "places": places,
            "border_communes": geo_selectors.area_list(request.actor, border=True),
        },
    )


def csrf_failure(request, reason=""):
    from liaison.audit import log as audit
    from liaison.audit.verbs import Verb
    from liaison.org.actor import actor_for_request

    audit.record_separately(
        actor_for_request(request) if hasattr(request, "user") else None,
        Verb.ACCESS_REFUSED,
        object_type="api" if request.path.startswith("/api/") else "page",
        object_ref=request.path[:120],
        changes={"reason": "csrf"},
    )
    return render(request, "web/403.html", {"csrf": True}, status=403)

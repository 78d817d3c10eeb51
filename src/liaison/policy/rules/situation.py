"""The situational picture: risk zones are reference data every member of this node sees (a map
layer; administrators draw them); live-feed events are heard by the audience the declarations'
rules give (`policy.involvement.hears_q`), and show only records the reader may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from liaison.core.models import Event, EventAudience
from liaison.policy.core import visibility
from liaison.policy.facts import is_staff_member, is_system
from liaison.policy.involvement import hears_q
from liaison.situation.models import RiskZone


@visibility(RiskZone)
def risk_zones_visible(actor):
    return Q() if is_system(actor) or is_staff_member(actor) else None


@visibility(EventAudience)
def audiences_visible(actor):
    return hears_q(actor)


@visibility(Event)
def events_visible(actor):
    """Events whose audience the actor hears. The feed then shows an event only if its record is
    visible to the actor now (`policy.visible` over the record's declared type)."""
    if is_system(actor):
        return Q()
    q = hears_q(actor)
    if q is None:
        return None
    return Q(Exists(EventAudience.objects.filter(q, event=OuterRef("pk"))))

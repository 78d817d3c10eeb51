"""Field reporting (issue 19): who registers SMS gateways and officers' numbers. An officer's number
and a gateway are read by nobody through a page: only the SMS service looks them up."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from liaison.field.models import CapMessage, Tip
from liaison.org.models import Membership, Role, Unit
from liaison.policy.core import offers, permission, visibility
from liaison.policy.facts import has_role, in_subtree, is_system
from liaison.policy.involvement import OPERATIONAL_ROLES


@permission("field.gateway.manage")
def can_manage_gateways(actor, _obj=None):
    return is_system(actor) or has_role(actor, Role.ADMINISTRATOR)


@permission("field.phone.register")
def can_register_phone(actor, user):
    """An administrator registers the number of a member of a unit in their subtree, never their own
    (one administrator alone must not route SMS reports into another person's name)."""
    if is_system(actor):
        return True
    if not has_role(actor, Role.ADMINISTRATOR) or user is None or user.pk == actor.user.pk:
        return False
    units = [m.unit for m in Membership.objects.select_related("unit").filter(user=user, status="active")]
    return any(in_subtree(actor, u) for u in units)


@visibility(Tip)
def tips_visible(actor):
    """A tip (and its sender's number) is seen by the operational members of its duty unit only:
    not through a commander's subtree, not by an administrator or auditor membership."""
    if is_system(actor):
        return Q()
    if not has_role(actor, *OPERATIONAL_ROLES) or actor.unit is None or actor.is_partner:
        return None
    return Q(unit=actor.unit)


@permission("tip.sender")
def can_read_tip_sender(actor, tip):
    return (
        not is_system(actor)
        and has_role(actor, *OPERATIONAL_ROLES)
        and actor.unit is not None
        and not actor.is_partner
        and tip.unit_id == actor.unit.pk
    )


@permission("incident.publish")
def can_publish_incident(actor, incident):
    """Marking an incident public (a CAP 1.2 alert) and withdrawing it: a commander or duty officer
    of its lead unit, acting for that unit. A drill is never published; a RED incident neither."""
    return (
        not is_system(actor)
        and has_role(actor, Role.COMMANDER, Role.DUTY_OFFICER)
        and actor.unit is not None
        and not actor.is_partner
        and incident is not None
        and incident.lead_unit_id == actor.unit.pk
        and not incident.is_drill
        and incident.tlp != "red"
    )


@visibility(CapMessage)
def cap_messages_visible(_actor):
    """A CAP message is public by design (its texts were written for the public by the lead unit)."""
    return Q()


# An officer's SMS report is filed under one of their memberships in these roles: the one of the
# named post's unit if they hold one, else the first held in this order.
SMS_ROLES = (Role.DUTY_OFFICER, Role.COMMANDER, Role.ANALYST, Role.LIAISON_OFFICER)


@offers("sms.report_as")
def sms_report_memberships(_actor, subject):
    """The memberships a registered number's SMS report may be filed under, best first.
    `subject` is (the number's member, the post the SMS names or None)."""
    user, post = subject
    members = list(
        Membership.objects.select_related("unit", "user").filter(
            user=user, status=Membership.Status.ACTIVE, role__in=SMS_ROLES, unit__is_active=True
        )
    )
    members.sort(key=lambda m: (post is None or m.unit_id != post.unit_id, SMS_ROLES.index(m.role)))
    return members


@visibility(Unit, "tip.receive")
def tip_duty_units(_actor):
    """The units a tip from the public goes to: this node's active commune police units that have
    a commune (the duty unit of that commune). The same for every reader: the tip line has none."""
    return Q(kind="commune_police", area__isnull=False, is_active=True, country=settings.NODE_COUNTRY)

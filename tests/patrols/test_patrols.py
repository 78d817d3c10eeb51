"""Plans and patrols: the monthly plan's approval, creating a patrol (each rule naming its field), the
lifecycle as its table says, need to know for the lead, a participant, commanders and the partner."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from liaison import policy
from liaison.audit.models import AuditEvent
from liaison.core import clock
from liaison.core.errors import Conflict, Invalid, NotPermitted
from liaison.org.models import Unit
from liaison.patrols import services
from liaison.patrols.models import Patrol, PatrolPlan, Status
from liaison.patrols.services import TRANSITIONS
from tests.conftest import cast_actor

from .conftest import make_patrol

# The lifecycle as docs/architecture.md states it: from -> allowed targets.
TABLE = {
    "planned": {"under_way", "cancelled"},
    "under_way": {"done", "cancelled"},
    "done": set(),
    "cancelled": set(),
}


def test_the_transitions_are_the_documented_table():
    assert {k: set(v) for k, v in TRANSITIONS.items()} == TABLE


def _to(patrol, path):
    officer = cast_actor("na_meo_post_officer")
    for step in path:
        services.patrol_transition(officer, patrol=patrol, to=step, reason="mưa lũ")
        patrol.refresh_from_db()
    return patrol


@pytest.mark.parametrize("start", ["planned", "under_way", "done", "cancelled"])
@pytest.mark.parametrize("target", ["planned", "under_way", "done", "cancelled"])
def test_every_transition_is_enforced(start, target):
    paths = {
        "planned": [],
        "under_way": ["under_way"],
        "done": ["under_way", "done"],
        "cancelled": ["cancelled"],
    }
    patrol = _to(make_patrol(), paths[start])
    officer = cast_actor("na_meo_post_officer")
    if target in TABLE[start]:
        p = services.patrol_transition(officer, patrol=patrol, to=target, reason="đường sạt lở")
        assert p.status == target
    else:
        with pytest.raises(Conflict):
            services.patrol_transition(officer, patrol=patrol, to=target, reason="x")
        patrol.refresh_from_db()
        assert patrol.status == start


def test_cancelling_needs_a_reason(patrol):
    with pytest.raises(Invalid) as e:
        services.patrol_transition(cast_actor("na_meo_post_officer"), patrol=patrol, to=Status.CANCELLED)
    assert e.value.errors[0].field == "reason"
    patrol.refresh_from_db()
    assert patrol.status == "planned"


def test_a_plan_is_drafted_by_the_post_and_approved_by_its_commander():
    officer = cast_actor("na_meo_post_officer")
    plan = services.plan_draft(officer, post=officer.unit, month=dt.date(2030, 5, 9))
    assert plan.month == dt.date(2030, 5, 1) and plan.state == "draft"
    with pytest.raises(Invalid) as e:
        services.plan_draft(officer, post=officer.unit, month=dt.date(2030, 5, 20))
    assert e.value.errors[0].field == "month"
    # Not by another post, not by a duty officer, not by the one who drafted it.
    with pytest.raises(NotPermitted):
        services.plan_draft(cast_actor("bat_mot_post_officer"), post=officer.unit, month=dt.date(2030, 6, 1))
    with pytest.raises(NotPermitted):
        services.plan_approve(officer, plan=plan)
    now = clock.now()
    start = dt.datetime(2030, 5, 10, 7, tzinfo=now.tzinfo)
    p = services.patrol_create(
        officer,
        lead_unit=officer.unit,
        kind="routine",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
        people=5,
        route=[na_meo_route()],
        plan=plan,
    )
    assert p.plan == plan
    services.plan_approve(cast_actor("na_meo_post_commander"), plan=plan)
    plan.refresh_from_db()
    assert plan.state == "approved" and plan.approved_by.username == "chihuy.don.nameo"
    # An approved plan takes no more patrols.
    with pytest.raises(Invalid) as e:
        services.patrol_create(
            officer,
            lead_unit=officer.unit,
            kind="routine",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            people=5,
            route=[na_meo_route()],
            plan=plan,
        )
    assert e.value.errors[0].field == "plan"
    with pytest.raises(Conflict):
        services.plan_approve(cast_actor("border_guard_commander"), plan=plan)


def na_meo_route():
    from liaison.patrols.models import Segment

    return Segment.objects.get(code="SEG-NA-MEO")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "parade"}, "kind"),
        ({"people": 0}, "people"),
        ({"ends_at": "before"}, "ends_at"),
        ({"route": []}, "route"),
        ({"kind": "joint"}, "participants"),
        ({"kind": "bilateral"}, "partner_unit"),
        ({"kind": "bilateral", "partner": "CA-TH"}, "partner_unit"),
        ({"partner": "LA-HP-BV"}, "partner_unit"),
        ({"participants": ["LA-HP-CA"]}, "participants"),
        ({"participants": ["BP-DON-NA-MEO"]}, "participants"),
    ],
)
def test_a_bad_patrol_names_its_field_and_writes_nothing(change, field):
    officer = cast_actor("na_meo_post_officer")
    now = clock.now()
    args = {
        "lead_unit": officer.unit,
        "kind": change.get("kind", "routine"),
        "starts_at": now,
        "ends_at": now - dt.timedelta(hours=1) if change.get("ends_at") else now + dt.timedelta(hours=8),
        "people": change.get("people", 6),
        "route": change.get("route", [na_meo_route()]),
        "participants": [Unit.objects.get(code=c) for c in change.get("participants", [])],
        "partner_unit": Unit.objects.get(code=change["partner"]) if change.get("partner") else None,
    }
    before = (Patrol.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Invalid) as e:
        services.patrol_create(officer, **args)
    assert field in {x.field for x in e.value.errors}
    assert (Patrol.objects.count(), AuditEvent.objects.count()) == before


def test_need_to_know_lead_participant_commanders_partner():
    joint = make_patrol(kind="joint", participants=["CA-XA-NA-MEO"])
    bilateral = make_patrol(kind="bilateral", partner="LA-HP-CA")
    sees = {
        name: {p.pk for p in policy.visible(cast_actor(name), Patrol).filter(pk__in=[joint.pk, bilateral.pk])}
        for name in (
            "na_meo_post_officer",
            "na_meo_commune_police",
            "province_commander",
            "border_guard_commander",
            "bat_mot_post_officer",
            "hua_phan_partner",
            "border_guard_administrator",
            "auditor",
        )
    }
    assert sees["na_meo_post_officer"] == {joint.pk, bilateral.pk}  # the lead (the post)
    assert sees["na_meo_commune_police"] == {joint.pk}  # a participating unit
    assert sees["province_commander"] == {joint.pk}  # the police commander: the participant is below
    assert sees["border_guard_commander"] == {joint.pk, bilateral.pk}  # the post is below
    assert sees["bat_mot_post_officer"] == set()
    assert sees["hua_phan_partner"] == set()  # the partner unit is a reference only
    assert sees["border_guard_administrator"] == set()
    assert sees["auditor"] == set()
    # The explanation says the same.
    assert policy.explain(cast_actor("na_meo_commune_police"), joint).granted
    assert not policy.explain(cast_actor("hua_phan_partner"), bilateral).granted


def test_only_the_lead_moves_a_patrol_and_participants_check_in(client_for):
    p = make_patrol(kind="joint", participants=["CA-XA-NA-MEO"])
    police = client_for("na_meo_commune_police")
    r = police.post(
        f"/api/v1/patrols/{p.pk}/transition",
        json.dumps({"status": "under_way"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    r = client_for("bat_mot_post_officer").post(
        f"/api/v1/patrols/{p.pk}/transition",
        json.dumps({"status": "under_way"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert policy.can(cast_actor("na_meo_commune_police"), "patrol.checkin", p)
    r = client_for("na_meo_post_officer").post(
        f"/api/v1/patrols/{p.pk}/transition",
        json.dumps({"status": "under_way"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "under_way"


def test_create_through_the_api_is_idempotent(client_for):
    c = client_for("na_meo_post_officer")
    body = json.dumps(
        {
            "kind": "bilateral",
            "starts_at": "2030-02-02T07:00:00+07:00",
            "ends_at": "2030-02-02T15:00:00+07:00",
            "people": 8,
            "route": [{"segment": "SEG-NA-MEO"}],
            "partner_unit": "LA-HP-BV",
            "partner_people": 6,
        }
    )
    before = Patrol.objects.count()
    r1 = c.post("/api/v1/patrols", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="tt-1")
    r2 = c.post("/api/v1/patrols", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="tt-1")
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["id"] == r2.json()["id"]
    assert r1.json()["partner_unit"] == "LA-HP-BV"
    assert Patrol.objects.count() == before + 1


def test_the_demo_has_a_quarter_of_plans_with_joint_and_bilateral_patrols():
    assert PatrolPlan.objects.count() == 24
    kinds = set(Patrol.objects.values_list("kind", flat=True))
    assert {"routine", "joint", "bilateral"} <= kinds
    assert Patrol.objects.filter(status="done").exists()


def test_patrols_and_plans_are_declared_with_their_children():
    from liaison.policy import involvement

    declared = {d.record._meta.label_lower: d for d in involvement.declarations()}
    assert {"patrols.patrol", "patrols.patrolplan"} <= set(declared)
    children = {c._meta.label_lower for c, _ in declared["patrols.patrol"].children}
    assert {"patrols.checkin", "patrols.routestop", "patrols.patrolunit", "patrols.finding"} <= children
    # The partner unit is no relation of the declaration: it grants nothing.
    assert {r.name for r in declared["patrols.patrol"].relations} == {"lead", "participant"}

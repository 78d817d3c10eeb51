"""An incident's lifecycle (issue "Incidents and response plans"): reported -> acknowledged ->
responding -> contained -> resolved -> closed, plus cancelled and merged into another; who may make
each move and when a reason is needed; the timeline and the audit log record every accepted move and
nothing else. Opening an incident creates the plan's tasks and notifies the units the plan names;
opening it from an information item raises its handling level to the item's; drills are marked.

The lifecycle, as this test states it:

    reported     -> acknowledged, cancelled, merged
    acknowledged -> responding, cancelled, merged
    responding   -> contained, cancelled, merged
    contained    -> resolved, merged, responding (reopening)
    resolved     -> closed, responding (reopening)
    closed, cancelled, merged: final, nothing leaves them

Who: the working moves (acknowledged, responding, contained, resolved) are made by the lead unit's
staff, or by a commander of the lead unit or of a unit above it; closing, cancelling, merging and
reopening only by such a commander. Closing, cancelling, merging and reopening need a reason; merging
needs another open incident to merge into.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.core import clock
from liaison.core.models import Event, EventAudience
from liaison.incidents.models import Incident, Participant, Task, TimelineEvent
from liaison.incidents.schemas import BoardFilter
from liaison.intel import services as intel
from liaison.intel.models import Category
from tests.incidents.incident_helpers import BAT_MOT, audit_count

REPORTED, ACKNOWLEDGED, RESPONDING, CONTAINED = "reported", "acknowledged", "responding", "contained"
RESOLVED, CLOSED, CANCELLED, MERGED = "resolved", "closed", "cancelled", "merged"
STATUSES = [REPORTED, ACKNOWLEDGED, RESPONDING, CONTAINED, RESOLVED, CLOSED, CANCELLED, MERGED]
ALLOWED = {
    REPORTED: {ACKNOWLEDGED, CANCELLED, MERGED},
    ACKNOWLEDGED: {RESPONDING, CANCELLED, MERGED},
    RESPONDING: {CONTAINED, CANCELLED, MERGED},
    CONTAINED: {RESOLVED, MERGED, RESPONDING},
    RESOLVED: {CLOSED, RESPONDING},
    CLOSED: set(),
    CANCELLED: set(),
    MERGED: set(),
}
FINAL = {CLOSED, CANCELLED, MERGED}
FORWARD = {
    REPORTED: ACKNOWLEDGED,
    ACKNOWLEDGED: RESPONDING,
    RESPONDING: CONTAINED,
    CONTAINED: RESOLVED,
    RESOLVED: CLOSED,
}  # the main line, used only to steer the random sequences
WORK_MOVES = {ACKNOWLEDGED, RESPONDING, CONTAINED, RESOLVED}

# A drug-trafficking incident in Bát Mọt, opened by the provincial police command centre: the Bát Mọt
# post leads; the Bát Mọt commune police and the provincial military command support.
OPENER = "command_centre_officer"
LEAD_STAFF = {"bat_mot_post_officer"}
COMMANDERS_ABOVE_LEAD = {"border_guard_commander"}  # BP-TH, above BP-DON-BAT-MOT
# Who sees it at all: the opener, the lead, the commanders whose subtree holds an involved unit.
SEES = {OPENER, "bat_mot_post_officer", "border_guard_commander", "province_commander"}
CAST = [
    "bat_mot_post_officer",
    "border_guard_commander",
    "command_centre_officer",
    "province_commander",
    "na_meo_post_commander",
    "na_meo_post_officer",
    "military_officer",
    "border_guard_analyst",
    "police_administrator",
    "auditor",
    "hua_phan_partner",
]


def reachable(graph, start=REPORTED) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def accepted(who: str, status: str, to: str, reason: str, merge: str) -> bool:
    """The oracle: whether this call must be accepted, from the rules stated above."""
    if who not in SEES or to not in ALLOWED[status]:
        return False
    reopening = status in (CONTAINED, RESOLVED) and to == RESPONDING
    may = LEAD_STAFF | COMMANDERS_ABOVE_LEAD if to in WORK_MOVES and not reopening else COMMANDERS_ABOVE_LEAD
    if who not in may:
        return False
    if (to in (CLOSED, CANCELLED, MERGED) or reopening) and not reason.strip():
        return False
    return to != MERGED or merge == "other"


def snapshot(inc_id) -> dict:
    inc = Incident.objects.get(pk=inc_id)
    return {
        "status": inc.status,
        "version": inc.version,
        "timeline": TimelineEvent.objects.filter(incident_id=inc_id).count(),
        "status_events": TimelineEvent.objects.filter(incident_id=inc_id, kind="status").count(),
        "audit": audit_count(),
        "audit_201": audit_count(verb=201, object_id=str(inc_id)),
        "merged_into": inc.merged_into_id,
    }


def move(client, inc, to, reason="", **extra):
    return client.post(
        f"/api/v1/incidents/{inc.pk}/transition",
        {"status": to, "reason": reason, **extra},
        content_type="application/json",
    )


@pytest.fixture
def drug_case(open_incident):
    return lambda **kw: open_incident(OPENER, "drug_trafficking", area=BAT_MOT, **kw)


def test_the_stated_lifecycle_reaches_every_status_and_final_ones_are_sinks():
    assert reachable(ALLOWED) == set(STATUSES)
    assert {s for s, nxt in ALLOWED.items() if not nxt} == FINAL


MAIN_LINE = [ACKNOWLEDGED, RESPONDING, CONTAINED, RESOLVED]


@pytest.mark.parametrize("status", [REPORTED, ACKNOWLEDGED, RESPONDING, CONTAINED, RESOLVED])
def test_from_each_status_exactly_the_stated_moves_are_accepted(clients, drug_case, status):
    """Every (status, target) pair, by the commander above the lead (who may make every move), with a
    reason and another open incident to merge into: accepted exactly when the graph has the edge."""
    boss = clients("border_guard_commander")
    other = drug_case(title="Vụ việc chính")
    for to in STATUSES:
        inc = drug_case()
        for step in MAIN_LINE[: MAIN_LINE.index(status) + 1] if status != REPORTED else []:
            assert move(boss, inc, step).status_code == 200
        before = snapshot(inc.pk)
        r = move(boss, inc, to, "Có lý do", merge_into=str(other.pk))
        if to in ALLOWED[status]:
            assert r.status_code == 200 and snapshot(inc.pk)["status"] == to, (status, to, r.content)
        else:
            assert 400 <= r.status_code < 500, (status, to, r.status_code)
            assert snapshot(inc.pk) == before, (status, to)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_transitions_follow_the_lifecycle(clients, drug_case, data):
    inc = drug_case()
    other = drug_case(title="Vụ việc liên quan")
    expected = REPORTED
    for _ in range(data.draw(st.integers(min_value=3, max_value=8), label="calls")):
        # Mostly someone who may move it (so that sequences get far), sometimes anyone of the cast.
        who = data.draw(
            st.sampled_from([*sorted(COMMANDERS_ABOVE_LEAD) * 10, *sorted(LEAD_STAFF) * 6, *CAST]),
            label="who",
        )
        # Mostly a move the graph allows from the expected status (above all the next one on the main
        # line, so that sequences get far), sometimes any status at all.
        ahead = [FORWARD[expected]] * 10 if expected in FORWARD else []
        to = data.draw(st.sampled_from([*ahead, *sorted(ALLOWED[expected]) * 3, *STATUSES * 2]), label="to")
        reason = data.draw(
            st.sampled_from(["Có thông tin mới", "", "Trùng với vụ việc khác", "   "]), label="reason"
        )
        merge = data.draw(st.sampled_from(["other", "other", "other", "none", "self"]), label="merge")
        body = {"status": to, "reason": reason}
        if merge != "none":
            body["merge_into"] = str(other.pk if merge == "other" else inc.pk)
        before = snapshot(inc.pk)
        r = clients(who).post(f"/api/v1/incidents/{inc.pk}/transition", body, content_type="application/json")
        after = snapshot(inc.pk)
        assert after["status"] in STATUSES and after["status"] in reachable(ALLOWED)
        if accepted(who, expected, to, reason, merge):
            assert r.status_code == 200, (who, expected, to, reason, merge, r.content)
            assert r.json()["status"] == to
            assert to in ALLOWED[expected]
            assert after["status"] == to
            assert after["version"] == before["version"] + 1
            assert after["timeline"] == before["timeline"] + 1
            assert after["status_events"] == before["status_events"] + 1
            assert after["audit"] == before["audit"] + 1
            assert after["audit_201"] == before["audit_201"] + 1
            ev = TimelineEvent.objects.filter(incident_id=inc.pk).latest("id")
            assert (ev.kind, ev.data["old"], ev.data["new"], ev.data["reason"]) == (
                "status",
                expected,
                to,
                reason,
            )
            if to == MERGED:
                assert after["merged_into"] == other.pk
            expected = to
        else:
            assert 400 <= r.status_code < 500, (who, expected, to, reason, merge, r.status_code)
            assert r["Content-Type"] == "application/problem+json"
            if who not in SEES:
                assert r.status_code == 404
            assert after == before, (who, expected, to, reason, merge)
        if expected in FINAL:
            assert Incident.objects.get(pk=inc.pk).status == expected
    assert Incident.objects.get(pk=inc.pk).status == expected
    # The other incident is never changed by being merged into.
    assert Incident.objects.get(pk=other.pk).status == REPORTED


@pytest.mark.parametrize("final", [CLOSED, CANCELLED, MERGED])
def test_a_final_status_accepts_nothing(clients, drug_case, final):
    inc, other = drug_case(), drug_case(title="Vụ việc chính")
    boss = clients("border_guard_commander")
    path = {
        CLOSED: [ACKNOWLEDGED, RESPONDING, CONTAINED, RESOLVED, CLOSED],
        CANCELLED: [CANCELLED],
        MERGED: [MERGED],
    }[final]
    for to in path:
        r = move(boss, inc, to, "Lý do", merge_into=str(other.pk))
        assert r.status_code == 200, r.content
    before = snapshot(inc.pk)
    for who in ("border_guard_commander", "bat_mot_post_officer"):
        for to in STATUSES:
            r = move(clients(who), inc, to, "Mở lại vụ việc", merge_into=str(other.pk))
            assert 400 <= r.status_code < 500, (who, to)
    assert snapshot(inc.pk) == before


@pytest.mark.parametrize("to", [CANCELLED, MERGED])
def test_cancelling_and_merging_need_a_reason(clients, drug_case, problem_fields, to):
    inc, other = drug_case(), drug_case(title="Vụ việc chính")
    boss = clients("border_guard_commander")
    for reason in ("", "  \n "):
        r = move(boss, inc, to, reason, merge_into=str(other.pk))
        assert r.status_code == 422 and problem_fields(r) == {"reason"}, r.content
    assert Incident.objects.get(pk=inc.pk).status == REPORTED
    r = move(boss, inc, to, "Trùng với vụ việc khác", merge_into=str(other.pk))
    assert r.status_code == 200 and r.json()["status"] == to


def test_merging_needs_another_open_incident(clients, drug_case, problem_fields):
    inc, closed = drug_case(), drug_case(title="Đã hủy")
    boss = clients("border_guard_commander")
    assert move(boss, closed, CANCELLED, "Báo nhầm").status_code == 200
    for extra in ({}, {"merge_into": str(inc.pk)}, {"merge_into": str(closed.pk)}):
        r = move(boss, inc, MERGED, "Trùng", **extra)
        assert r.status_code == 422 and problem_fields(r) == {"merge_into"}, (extra, r.content)
    assert Incident.objects.get(pk=inc.pk).status == REPORTED


def test_reopening_needs_a_commander_and_a_reason(clients, drug_case, problem_fields):
    inc = drug_case()
    lead, boss = clients("bat_mot_post_officer"), clients("border_guard_commander")
    for to in (ACKNOWLEDGED, RESPONDING, CONTAINED):
        assert move(lead, inc, to).status_code == 200
    assert move(lead, inc, RESPONDING, "Đối tượng quay lại").status_code == 403
    r = move(boss, inc, RESPONDING, "")
    assert r.status_code == 422 and problem_fields(r) == {"reason"}
    assert move(boss, inc, RESPONDING, "Đối tượng quay lại").status_code == 200
    assert Incident.objects.get(pk=inc.pk).status == RESPONDING


def test_the_timeline_shows_every_event(cast, clients, unit, drug_case):
    inc = drug_case()
    lead = clients("bat_mot_post_officer")
    assert move(lead, inc, ACKNOWLEDGED).status_code == 200
    assert (
        lead.post(
            f"/api/v1/incidents/{inc.pk}/tasks",
            {
                "title": "Chốt chặn đường mòn",
                "unit_id": str(unit("BP-DON-BAT-MOT").pk),
                "due_at": (clock.now() + dt.timedelta(hours=2)).isoformat(),
            },
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        lead.post(
            f"/api/v1/incidents/{inc.pk}/people",
            {"role": "suspect", "label": "Đối tượng 1"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        lead.post(
            f"/api/v1/incidents/{inc.pk}/named-units",
            {"unit_id": str(unit("CA-XA-BAT-MOT").pk)},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        lead.put(
            f"/api/v1/incidents/{inc.pk}/outcome", {"arrested": 1}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        clients("border_guard_commander")
        .post(
            f"/api/v1/incidents/{inc.pk}/handover",
            {"unit_id": str(unit("BP-DON-NA-MEO").pk), "reason": "Đối tượng chạy về Na Mèo"},
            content_type="application/json",
        )
        .status_code
        == 200
    )
    body = clients("border_guard_commander").get(f"/api/v1/incidents/{inc.pk}").json()
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["opened", "notified", "status", "task_added", "person", "named", "outcome", "handover"]
    assert body["timeline"][-1]["data"]["reason"] == "Đối tượng chạy về Na Mèo"


# --- opening: the plan's tasks and notifications -------------------------------------------------


def tasks_by_step(inc) -> list[tuple[int, str]]:
    return sorted(Task.objects.filter(incident=inc).values_list("step__position", "unit__code"))


def test_opening_creates_the_plans_tasks_for_the_units_it_names(drug_case):
    inc = drug_case()
    # The default plan v1: 1 lead (60 min), 2 lead (120), 3 supporting (240), 4 lead (24 h); the lead is
    # the Bát Mọt post; the supporting units are the Bát Mọt commune police and the military command.
    assert inc.plan.version == 1 and inc.plan.steps.count() == 4
    assert tasks_by_step(inc) == [
        (1, "BP-DON-BAT-MOT"),
        (2, "BP-DON-BAT-MOT"),
        (3, "CA-XA-BAT-MOT"),
        (3, "QS-TH"),
        (4, "BP-DON-BAT-MOT"),
    ]
    minutes = {1: 60, 2: 120, 3: 240, 4: 24 * 60}
    for t in Task.objects.filter(incident=inc).select_related("step"):
        assert t.step.plan_id == inc.plan_id and t.title == t.step.title and t.state == "open"
        assert t.due_at == inc.opened_at + dt.timedelta(minutes=minutes[t.step.position])
    assert Task.objects.filter(incident=inc, unit__code="BP-DON-BAT-MOT").count() == 3


def test_opening_notifies_the_units_the_plan_names(drug_case, open_incident):
    inc = open_incident(OPENER, "armed_group", area=BAT_MOT)
    # The military leads; police and border guard support; the plan also notifies the government.
    roles = {(p.unit.code, p.role) for p in Participant.objects.filter(incident=inc).select_related("unit")}
    assert roles == {
        ("QS-TH", "lead"),
        ("CA-XA-BAT-MOT", "supporting"),
        ("BP-DON-BAT-MOT", "supporting"),
        ("UB-XA-BAT-MOT", "notified"),
    }
    # armed_group plan v1: 1 lead, 2 police, 3 lead, 4 lead.
    assert tasks_by_step(inc) == [(1, "QS-TH"), (2, "CA-XA-BAT-MOT"), (3, "QS-TH"), (4, "QS-TH")]
    [opened] = Event.objects.filter(kind="incident.opened", object_id=str(inc.pk))
    audience = set(EventAudience.objects.filter(event=opened).values_list("unit__code", flat=True))
    assert audience == {"QS-TH", "CA-XA-BAT-MOT", "BP-DON-BAT-MOT", "UB-XA-BAT-MOT", "CA-TH-TTCH"}
    assigned = Event.objects.filter(kind="task.assigned", data__incident=inc.ref)
    assert sorted(EventAudience.objects.filter(event__in=assigned).values_list("unit__code", flat=True)) == [
        "CA-XA-BAT-MOT",
        "QS-TH",
        "QS-TH",
        "QS-TH",
    ]
    [notified] = TimelineEvent.objects.filter(incident=inc, kind="notified")
    assert len(notified.data["units"]) == 4
    # The plain drug case names only the lead and the supporting units: nobody is merely notified.
    plain = drug_case()
    assert not Participant.objects.filter(incident=plain, role="notified").exists()
    assert set(
        Participant.objects.filter(incident=plain, role="supporting").values_list("unit__code", flat=True)
    ) == {"CA-XA-BAT-MOT", "QS-TH"}


# --- opening from an information item ---------------------------------------------------------


def new_item(actor, tlp):
    return intel.item_create(
        actor,
        title="Tin báo vận chuyển ma túy qua đường mòn",
        body="Hai đối tượng mang ba lô.",
        category=Category.objects.get(code="drug_trafficking"),
        observed_at=clock.now() - dt.timedelta(hours=1),
        reliability="B",
        credibility=2,
        tlp=tlp,
    )


@pytest.mark.parametrize(
    "item_tlp, asked, expected",
    [
        ("red", "amber", "red"),
        ("amber_strict", "green", "amber_strict"),
        ("amber", "clear", "amber"),
        ("green", "amber", "amber"),  # never lowered by an item
        ("clear", "clear", "clear"),
    ],
)
def test_opening_from_an_item_raises_the_level_to_the_items(cast, client_for, item_tlp, asked, expected):
    item = new_item(cast("na_meo_post_officer"), item_tlp)
    r = client_for("na_meo_post_officer").post(
        "/api/v1/incidents",
        {
            "type": "drug_trafficking",
            "title": "Vụ việc từ tin báo",
            "area": BAT_MOT,
            "tlp": asked,
            "items": [str(item.pk)],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["tlp"] == expected
    assert r.json()["items"] == [item.ref]
    inc = Incident.objects.get(pk=r.json()["id"])
    assert inc.tlp == expected and list(inc.items.all()) == [item]


def test_the_highest_of_several_items_wins_and_linking_later_raises_it(cast, client_for):
    officer = cast("bat_mot_post_officer")
    green, strict, red = (
        new_item(officer, "green"),
        new_item(officer, "amber_strict"),
        new_item(officer, "red"),
    )
    c = client_for("bat_mot_post_officer")
    r = c.post(
        "/api/v1/incidents",
        {
            "type": "drug_trafficking",
            "title": "Vụ việc",
            "area": BAT_MOT,
            "tlp": "green",
            "items": [str(green.pk), str(strict.pk)],
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["tlp"] == "amber_strict"
    r = c.post(
        f"/api/v1/incidents/{r.json()['id']}/items", {"item_id": str(red.pk)}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["tlp"] == "red" and set(r.json()["items"]) == {green.ref, strict.ref, red.ref}


def test_an_item_the_opener_cannot_see_is_refused_like_a_missing_one(cast, client_for, problem_fields):
    item = new_item(cast("na_meo_post_officer"), "amber")  # not shared with Bát Mọt
    before = Incident.objects.count()
    r = client_for("bat_mot_post_officer").post(
        "/api/v1/incidents",
        {"type": "drug_trafficking", "title": "Vụ việc", "area": BAT_MOT, "items": [str(item.pk)]},
        content_type="application/json",
    )
    assert r.status_code == 422 and problem_fields(r) == {"items"}
    assert Incident.objects.count() == before


# --- drills ----------------------------------------------------------------------------------


def test_a_drill_is_marked_and_runs_the_same_plan_and_timers(client_for):
    c = client_for("bat_mot_post_officer")
    payload = {
        "type": "drug_trafficking",
        "title": "Diễn tập phối hợp bắt giữ",
        "area": BAT_MOT,
        "severity": "high",
    }
    drill = c.post("/api/v1/incidents", {**payload, "is_drill": True}, content_type="application/json")
    real = c.post("/api/v1/incidents", payload, content_type="application/json")
    assert drill.status_code == real.status_code == 201
    d, r = drill.json(), real.json()
    assert d["is_drill"] is True and r["is_drill"] is False
    assert Incident.objects.get(pk=d["id"]).is_drill is True
    assert c.get(f"/api/v1/incidents/{d['id']}").json()["is_drill"] is True
    rows = {row["id"]: row["is_drill"] for row in c.get("/api/v1/incidents").json()}
    assert rows[d["id"]] is True and rows[r["id"]] is False
    # Same plan and timers.
    assert (d["plan"], d["plan_version"]) == (r["plan"], r["plan_version"])
    drill_inc, real_inc = Incident.objects.get(pk=d["id"]), Incident.objects.get(pk=r["id"])
    assert drill_inc.ack_due_at - drill_inc.opened_at == real_inc.ack_due_at - real_inc.opened_at
    assert [
        (t.step_id, t.unit_id, t.due_at - drill_inc.opened_at)
        for t in drill_inc.tasks.order_by("step__position", "unit__code")
    ] == [
        (t.step_id, t.unit_id, t.due_at - real_inc.opened_at)
        for t in real_inc.tasks.order_by("step__position", "unit__code")
    ]


def test_a_drill_is_left_out_of_statistics(cast, client_for, drug_case):
    from liaison.incidents import selectors

    c = client_for("bat_mot_post_officer")

    def bat_mot_count():
        r = c.get("/api/v1/hotspots", {"window": "24h"})
        assert r.status_code == 200, r.content
        return dict(r.json()["communes"]).get("Xã Bát Mọt", 0)

    before = bat_mot_count()
    drill = drug_case(is_drill=True)
    assert bat_mot_count() == before  # the drill does not count
    real = drug_case()
    assert bat_mot_count() == before + 1  # a real incident does
    officer = cast("bat_mot_post_officer")
    ids = {r["id"] for r in selectors.incident_board(officer, BoardFilter(drills=False))}
    assert real.pk in ids and drill.pk not in ids
    assert drill.pk in {r["id"] for r in selectors.incident_board(officer)}


def test_a_refused_move_is_audited_naming_the_incident(clients, drug_case):
    """Every refusal lands in the audit log with who and what (PRODUCT.md, "Audit and durability")."""
    from liaison.audit.models import AuditEvent

    inc = drug_case()
    r = move(clients("province_commander"), inc, ACKNOWLEDGED)  # sees it, does not command the lead
    assert r.status_code == 403
    refusals = AuditEvent.objects.filter(verb=910, actor_name="chihuy.ca").order_by("-id")
    assert refusals.exists()
    assert (refusals[0].object_type, refusals[0].object_id) == ("incidents.incident", str(inc.pk))


def test_raising_a_linked_items_level_raises_the_incidents(cast, client_for):
    """The level stays at least the highest level of the linked items after an item is raised."""
    officer = cast("bat_mot_post_officer")
    item = new_item(officer, "amber")
    r = client_for("bat_mot_post_officer").post(
        "/api/v1/incidents",
        {"type": "drug_trafficking", "title": "Vụ việc", "area": BAT_MOT, "items": [str(item.pk)]},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["tlp"] == "amber"
    intel.item_set_handling(officer, item=item, tlp="red")
    assert Incident.objects.get(pk=r.json()["id"]).tlp == "red"

"""The incidents API: bad input on every field of every write names the field and writes nothing;
a retried create does not duplicate; response plans are versioned (drafted by an analyst or an
administrator, approved by a commander, incidents keep the version they opened under); outcomes with
seizures round-trip; "my tasks" lists the tasks of the active unit.

The case throughout: a drug-trafficking incident in Bát Mọt (VN-38-15607) opened by the Bát Mọt
post's duty officer: the Bát Mọt post leads; the Bát Mọt commune police and the provincial military
command (QS-TH) support; the default plan v1 gives the lead three tasks and each supporting unit one.
"""

from __future__ import annotations

import copy
import json
import uuid
from decimal import Decimal

import pytest
from django.apps import apps

from liaison.core.models import Event, EventAudience, IdempotencyRecord
from liaison.incidents.models import Incident, Outcome, ResponsePlan, Seizure, Task
from tests.incidents.incident_helpers import BAT_MOT, audit_count, future

LEAD = "bat_mot_post_officer"
LEAD_USERNAME = "trucban.don.batmot"


def counts() -> dict:
    """Rows that any write of this API would add or change (refusal audit events excluded)."""
    out = {m._meta.label: m._default_manager.count() for m in apps.get_app_config("incidents").get_models()}
    out.update({m._meta.label: m._default_manager.count() for m in (Event, EventAudience, IdempotencyRecord)})
    out["audit (not refusals)"] = audit_count()
    out["incident versions"] = sum(Incident.objects.values_list("version", flat=True))
    return out


def drop(key):
    return lambda body: {k: v for k, v in body.items() if k != key}


def put(path, value):
    """Set a dotted path ("steps.0.title") in a copy of the body."""

    def mutate(body):
        body = copy.deepcopy(body)
        *parents, last = path.split(".")
        node = body
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return body

    return mutate


def check_bad_input(client, method, path, valid, cases):
    """Each case: a 4xx problem naming its field; none writes anything; the valid body then passes."""
    before = counts()
    for description, mutate, field in cases:
        r = client.generic(
            method, path, json.dumps(mutate(copy.deepcopy(valid))), content_type="application/json"
        )
        assert 400 <= r.status_code < 500, (description, r.status_code, r.content[:300])
        assert r["Content-Type"] == "application/problem+json", description
        fields = {e["field"] for e in r.json()["errors"]}
        assert any(f == field or f.startswith(field + ".") for f in fields), (description, r.json())
    assert counts() == before, f"{method} {path}: bad input wrote something"
    ok = client.generic(method, path, json.dumps(valid), content_type="application/json")
    assert ok.status_code < 300, (method, path, ok.content[:300])
    return ok


@pytest.fixture
def drug_case(clients):
    def make(title="Vận chuyển trái phép chất ma túy", **extra):
        r = clients(LEAD).post(
            "/api/v1/incidents",
            {"type": "drug_trafficking", "title": title, "area": BAT_MOT, **extra},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        return r.json()

    return make


# --- bad input, field by field ---------------------------------------------------------------


def test_bad_input_opening_an_incident(clients):
    valid = {"type": "drug_trafficking", "title": "Vận chuyển ma túy", "area": BAT_MOT}
    cases = [
        ("no type", drop("type"), "type"),
        ("empty type", put("type", ""), "type"),
        ("long type", put("type", "x" * 41), "type"),
        ("unknown type", put("type", "nonexistent"), "type"),
        ("no title", drop("title"), "title"),
        ("empty title", put("title", ""), "title"),
        ("blank title", put("title", "   "), "title"),
        ("long title", put("title", "x" * 201), "title"),
        ("title not text", put("title", [1, 2]), "title"),
        ("long description", put("description", "x" * 20_001), "description"),
        ("unknown severity", put("severity", "extreme"), "severity"),
        ("unknown area", put("area", "VN-99-00000"), "area"),
        ("long area", put("area", "x" * 41), "area"),
        ("unknown place", put("place", "NO-SUCH-PLACE"), "place"),
        ("nowhere", lambda b: {**drop("area")(b)}, "area"),
        ("latitude out of range", lambda b: {**b, "lat": 91, "lon": 104}, "lat"),
        ("longitude out of range", lambda b: {**b, "lat": 20, "lon": 181}, "lon"),
        ("latitude not a number", lambda b: {**b, "lat": "north", "lon": 104}, "lat"),
        ("latitude without longitude", put("lat", 20.3), "lon"),
        ("longitude without latitude", put("lon", 104.9), "lat"),
        ("unknown level", put("tlp", "purple"), "tlp"),
        ("drill not a boolean", put("is_drill", "maybe"), "is_drill"),
        ("items not a list", put("items", "abc"), "items"),
        ("malformed item id", put("items", ["not-a-uuid"]), "items"),
        ("unknown item", put("items", [str(uuid.uuid4())]), "items"),
        ("too many items", put("items", [str(uuid.uuid4()) for _ in range(51)]), "items"),
    ]
    check_bad_input(clients(LEAD), "POST", "/api/v1/incidents", valid, cases)


def test_bad_input_moving_an_incident(clients, drug_case):
    inc = drug_case()
    path = f"/api/v1/incidents/{inc['id']}/transition"
    cases = [
        ("no status", drop("status"), "status"),
        ("unknown status", put("status", "flying"), "status"),
        ("status not text", put("status", 3), "status"),
        ("long reason", put("reason", "x" * 2001), "reason"),
        ("malformed merge target", put("merge_into", "not-a-uuid"), "merge_into"),
        ("unknown merge target", put("merge_into", str(uuid.uuid4())), "merge_into"),
    ]
    check_bad_input(clients(LEAD), "POST", path, {"status": "acknowledged"}, cases)
    boss = clients("border_guard_commander")
    other = drug_case(title="Vụ việc chính")
    cases = [
        ("cancel without a reason", put("status", "cancelled"), "reason"),
        ("merge without a reason", lambda b: {**b, "status": "merged", "merge_into": other["id"]}, "reason"),
        ("merge without a target", lambda b: {**b, "status": "merged", "reason": "Trùng"}, "merge_into"),
        (
            "merge into itself",
            lambda b: {**b, "status": "merged", "reason": "Trùng", "merge_into": inc["id"]},
            "merge_into",
        ),
    ]
    check_bad_input(boss, "POST", path, {"status": "responding"}, cases)


def test_bad_input_handing_over(clients, unit, drug_case):
    inc = drug_case()
    valid = {"unit_id": str(unit("BP-DON-NA-MEO").pk), "reason": "Đối tượng di chuyển về Na Mèo"}
    cases = [
        ("no unit", drop("unit_id"), "unit_id"),
        ("malformed unit", put("unit_id", "not-a-uuid"), "unit_id"),
        ("unknown unit", put("unit_id", str(uuid.uuid4())), "unit_id"),
        ("no reason", drop("reason"), "reason"),
        ("empty reason", put("reason", ""), "reason"),
        ("blank reason", put("reason", "   "), "reason"),
        ("long reason", put("reason", "x" * 2001), "reason"),
    ]
    check_bad_input(
        clients("border_guard_commander"), "POST", f"/api/v1/incidents/{inc['id']}/handover", valid, cases
    )


def test_bad_input_adding_a_task(clients, unit, drug_case):
    inc = drug_case()
    valid = {
        "title": "Chốt chặn đường mòn",
        "unit_id": str(unit("BP-DON-BAT-MOT").pk),
        "due_at": future(3),
        "assignee": LEAD_USERNAME,
    }
    cases = [
        ("no title", drop("title"), "title"),
        ("empty title", put("title", ""), "title"),
        ("blank title", put("title", "   "), "title"),
        ("long title", put("title", "x" * 201), "title"),
        ("no unit", drop("unit_id"), "unit_id"),
        ("malformed unit", put("unit_id", "x"), "unit_id"),
        ("unknown unit", put("unit_id", str(uuid.uuid4())), "unit_id"),
        ("no deadline", drop("due_at"), "due_at"),
        ("malformed deadline", put("due_at", "tomorrow"), "due_at"),
        ("deadline in the past", put("due_at", "2020-01-01T00:00:00+07:00"), "due_at"),
        ("unknown assignee", put("assignee", "no.such.user"), "assignee"),
        ("assignee of another unit", put("assignee", "trucban.ca.nameo"), "assignee"),
        ("long assignee", put("assignee", "x" * 151), "assignee"),
    ]
    check_bad_input(clients(LEAD), "POST", f"/api/v1/incidents/{inc['id']}/tasks", valid, cases)


def test_bad_input_updating_a_task(clients, drug_case):
    inc = drug_case()
    task = next(t for t in inc["tasks"] if t["unit"] == inc["lead_unit"])
    path = f"/api/v1/tasks/{task['id']}"
    cases = [
        ("no state", drop("state"), "state"),
        ("unknown state", put("state", "finished"), "state"),
        ("long result", put("result", "x" * 4001), "result"),
        ("result not text", put("result", [1]), "result"),
    ]
    lead = clients(LEAD)
    check_bad_input(lead, "PATCH", path, {"state": "done", "result": "Đã chốt chặn"}, cases)
    # A finished task does not go back: a conflict, and nothing changes.
    before = counts()
    r = lead.patch(path, {"state": "open"}, content_type="application/json")
    assert r.status_code == 409 and r["Content-Type"] == "application/problem+json"
    assert counts() == before and Task.objects.get(pk=task["id"]).state == "done"


def test_bad_input_recording_the_outcome(clients, drug_case):
    inc = drug_case()
    valid = {"arrested": 2, "seizures": [{"kind": "heroin_g", "quantity": "350.5", "note": "2 bánh"}]}
    cases = [
        ("negative count", put("arrested", -1), "arrested"),
        ("huge count", put("detained", 100_001), "detained"),
        ("count not a number", put("rescued", "many"), "rescued"),
        ("fractional count", put("injured", 1.5), "injured"),
        ("seizures not a list", put("seizures", "heroin"), "seizures"),
        ("too many seizures", put("seizures", [{"kind": "guns", "quantity": 1}] * 51), "seizures"),
        ("unknown seizure kind", put("seizures.0.kind", "gold"), "seizures.0.kind"),
        ("no seizure kind", lambda b: {**b, "seizures": [{"quantity": 1}]}, "seizures.0.kind"),
        ("zero quantity", put("seizures.0.quantity", 0), "seizures.0.quantity"),
        ("negative quantity", put("seizures.0.quantity", "-5"), "seizures.0.quantity"),
        ("quantity not a number", put("seizures.0.quantity", "abc"), "seizures.0.quantity"),
        ("huge quantity", put("seizures.0.quantity", "1e13"), "seizures.0.quantity"),
        ("long note", put("seizures.0.note", "x" * 201), "seizures.0.note"),
    ]
    check_bad_input(clients(LEAD), "PUT", f"/api/v1/incidents/{inc['id']}/outcome", valid, cases)


def test_bad_input_adding_a_person(clients, drug_case):
    inc = drug_case()
    valid = {
        "role": "suspect",
        "label": "Đối tượng 1",
        "identity": {"full_name": "Vàng A Nghi", "birth_year": 1985},
    }
    cases = [
        ("no role", drop("role"), "role"),
        ("unknown role", put("role", "bystander"), "role"),
        ("no label", drop("label"), "label"),
        ("empty label", put("label", ""), "label"),
        ("blank label", put("label", "   "), "label"),
        ("long label", put("label", "x" * 61), "label"),
        ("identity not an object", put("identity", "Vàng A Nghi"), "identity"),
        ("long name", put("identity.full_name", "x" * 121), "identity.full_name"),
        ("birth year too early", put("identity.birth_year", 1800), "identity.birth_year"),
        ("birth year not a number", put("identity.birth_year", "abc"), "identity.birth_year"),
        ("long id number", put("identity.id_number", "1" * 21), "identity.id_number"),
        ("long address", put("identity.address", "x" * 201), "identity.address"),
        ("long contact", put("identity.contact", "x" * 61), "identity.contact"),
    ]
    check_bad_input(clients(LEAD), "POST", f"/api/v1/incidents/{inc['id']}/people", valid, cases)


def test_bad_input_drafting_a_plan(clients):
    valid = {
        "type": "drug_trafficking",
        "title": "Phương án xử lý ma túy (sửa đổi)",
        "steps": [
            {
                "title": "Xác minh tại hiện trường",
                "responsible": "lead",
                "deadline_minutes": 30,
                "notify": ["supporting"],
            }
        ],
    }
    cases = [
        ("no type", drop("type"), "type"),
        ("unknown type", put("type", "nonexistent"), "type"),
        ("no title", drop("title"), "title"),
        ("empty title", put("title", ""), "title"),
        ("blank title", put("title", "   "), "title"),
        ("long title", put("title", "x" * 201), "title"),
        ("no steps", drop("steps"), "steps"),
        ("empty steps", put("steps", []), "steps"),
        ("too many steps", put("steps", valid["steps"] * 51), "steps"),
        ("step without title", put("steps.0.title", ""), "steps.0.title"),
        ("blank step title", put("steps.0.title", "   "), "steps.0.title"),
        ("unknown responsible", put("steps.0.responsible", "navy"), "steps.0.responsible"),
        ("partner responsible", put("steps.0.responsible", "foreign_partner"), "steps.0.responsible"),
        (
            "no responsible",
            lambda b: {**b, "steps": [{"title": "x", "deadline_minutes": 5}]},
            "steps.0.responsible",
        ),
        ("zero deadline", put("steps.0.deadline_minutes", 0), "steps.0.deadline_minutes"),
        (
            "deadline over 90 days",
            put("steps.0.deadline_minutes", 60 * 24 * 90 + 1),
            "steps.0.deadline_minutes",
        ),
        ("deadline not a number", put("steps.0.deadline_minutes", "soon"), "steps.0.deadline_minutes"),
        ("unknown notify target", put("steps.0.notify", ["navy"]), "steps.0.notify"),
        ("too many notify targets", put("steps.0.notify", ["lead"] * 11), "steps.0.notify"),
    ]
    check_bad_input(clients("police_analyst"), "POST", "/api/v1/plans", valid, cases)


def test_malformed_bodies_are_problems_naming_the_body(clients, drug_case):
    inc = drug_case()
    c = clients(LEAD)
    before = counts()
    for method, path in (
        ("POST", "/api/v1/incidents"),
        ("POST", f"/api/v1/incidents/{inc['id']}/transition"),
        ("POST", f"/api/v1/incidents/{inc['id']}/people"),
        ("PUT", f"/api/v1/incidents/{inc['id']}/outcome"),
    ):
        for raw in ("{not json", "[]", '"text"'):
            r = c.generic(method, path, raw, content_type="application/json")
            assert 400 <= r.status_code < 500 and r["Content-Type"] == "application/problem+json", (path, raw)
            assert "body" in {e["field"] for e in r.json()["errors"]}, (path, raw, r.json())
    assert counts() == before


@pytest.mark.parametrize("endpoint", ["handover", "tasks", "named-units"])
def test_a_partner_unit_is_refused_naming_the_requests_field(clients, unit, drug_case, endpoint):
    inc = drug_case()
    partner = str(unit("LA-HP-CA").pk)
    who, body = {
        "handover": ("border_guard_commander", {"unit_id": partner, "reason": "Chuyển cho bạn"}),
        "tasks": (LEAD, {"title": "Phối hợp", "unit_id": partner, "due_at": future()}),
        "named-units": (LEAD, {"unit_id": partner}),
    }[endpoint]
    before = counts()
    r = clients(who).post(f"/api/v1/incidents/{inc['id']}/{endpoint}", body, content_type="application/json")
    assert r.status_code == 422
    assert counts() == before
    assert {e["field"] for e in r.json()["errors"]} == {"unit_id"}


# --- a retried create does not duplicate -------------------------------------------------------


def test_the_same_idempotency_key_opens_one_incident(clients):
    c = clients(LEAD)
    body = {"type": "drug_trafficking", "title": "Gửi lại khi mất sóng", "area": BAT_MOT}
    key = {"Idempotency-Key": f"field-{uuid.uuid4()}"}
    first = c.post("/api/v1/incidents", body, content_type="application/json", headers=key)
    again = c.post("/api/v1/incidents", body, content_type="application/json", headers=key)
    assert first.status_code == again.status_code == 201, (first.content, again.content)
    assert first.json()["id"] == again.json()["id"] and first.json()["ref"] == again.json()["ref"]
    assert Incident.objects.filter(title="Gửi lại khi mất sóng").count() == 1
    assert Task.objects.filter(incident_id=first.json()["id"]).count() == 5
    assert audit_count(verb=200, object_id=first.json()["id"]) == 1
    # The same key with another payload is refused, naming the key; another key opens another one.
    r = c.post("/api/v1/incidents", {**body, "title": "Khác"}, content_type="application/json", headers=key)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"Idempotency-Key"}
    other = c.post(
        "/api/v1/incidents",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": f"field-{uuid.uuid4()}"},
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Incident.objects.filter(title="Gửi lại khi mất sóng").count() == 2


def test_the_same_idempotency_key_adds_one_task_and_one_person(clients, unit, drug_case):
    inc = drug_case()
    c = clients(LEAD)
    task = {"title": "Chốt chặn", "unit_id": str(unit("BP-DON-BAT-MOT").pk), "due_at": future()}
    person = {"role": "witness", "label": "Nhân chứng 1"}
    for path, body in (
        (f"/api/v1/incidents/{inc['id']}/tasks", task),
        (f"/api/v1/incidents/{inc['id']}/people", person),
    ):
        key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
        a = c.post(path, body, content_type="application/json", headers=key)
        b = c.post(path, body, content_type="application/json", headers=key)
        assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"], (
            path,
            a.content,
            b.content,
        )
    assert Task.objects.filter(incident_id=inc["id"], title="Chốt chặn").count() == 1
    assert Incident.objects.get(pk=inc["id"]).people.count() == 1


# --- response plans, versioned -------------------------------------------------------------------


STEPS_V2 = [
    {
        "title": "Triển khai tổ công tác",
        "responsible": "lead",
        "deadline_minutes": 30,
        "notify": ["supporting"],
    },
    {"title": "Lập hồ sơ ban đầu", "responsible": "police", "deadline_minutes": 90, "notify": []},
]


def draft(client, steps=STEPS_V2, title="Phương án xử lý ma túy v2"):
    return client.post(
        "/api/v1/plans",
        {"type": "drug_trafficking", "title": title, "steps": steps},
        content_type="application/json",
    )


def test_plans_are_versioned_and_incidents_keep_theirs(clients, drug_case):
    before = drug_case(title="Mở trước khi sửa phương án")
    assert before["plan_version"] == 1 and len(before["tasks"]) == 5
    r = draft(clients("police_analyst"))
    assert r.status_code == 201, r.content
    v2 = r.json()
    assert (v2["version"], v2["state"]) == (2, "draft")
    # A draft changes nothing yet.
    assert drug_case(title="Mở khi phương án còn là dự thảo")["plan_version"] == 1
    r = clients("province_commander").post(f"/api/v1/plans/{v2['id']}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved", r.content
    states = {
        (p["version"], p["state"])
        for p in clients("police_analyst").get("/api/v1/plans").json()
        if p["type"] == "drug_trafficking"
    }
    assert states == {(1, "superseded"), (2, "approved")}
    after = drug_case(title="Mở sau khi duyệt v2")
    assert after["plan_version"] == 2
    assert sorted((t["title"], t["unit"]) for t in after["tasks"]) == sorted(
        [("Triển khai tổ công tác", after["lead_unit"]), ("Lập hồ sơ ban đầu", "Công an xã Bát Mọt")]
    )
    # Editing the plan makes a new version; incidents keep the one they opened under.
    r = draft(clients("border_guard_administrator"), steps=STEPS_V2[:1], title="Phương án v3")
    assert r.status_code == 201 and r.json()["version"] == 3
    assert (
        clients("border_guard_commander").post(f"/api/v1/plans/{r.json()['id']}/approve").status_code == 200
    )
    for inc, version, tasks in ((before, 1, 5), (after, 2, 2)):
        got = clients(LEAD).get(f"/api/v1/incidents/{inc['id']}").json()
        assert (got["plan_version"], len(got["tasks"])) == (version, tasks)
    assert drug_case(title="Mở sau v3")["plan_version"] == 3
    assert ResponsePlan.objects.filter(incident_type__code="drug_trafficking", state="approved").count() == 1


@pytest.mark.parametrize("who", ["bat_mot_post_officer", "province_commander", "liaison_officer", "auditor"])
def test_only_an_analyst_or_an_administrator_drafts_a_plan(clients, who):
    before = ResponsePlan.objects.count()
    r = draft(clients(who))
    assert r.status_code in (403, 404), (who, r.status_code)
    assert ResponsePlan.objects.count() == before


@pytest.mark.parametrize("who", ["police_analyst", "bat_mot_post_officer", "police_administrator"])
def test_only_a_commander_approves_a_plan(clients, who):
    plan = draft(clients("police_analyst")).json()
    r = clients(who).post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code in (403, 404), (who, r.status_code)
    assert ResponsePlan.objects.get(pk=plan["id"]).state == "draft"
    assert ResponsePlan.objects.get(incident_type__code="drug_trafficking", version=1).state == "approved"


def test_an_approved_plan_is_not_approved_again(clients):
    plan = draft(clients("police_analyst")).json()
    boss = clients("province_commander")
    assert boss.post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    r = boss.post(f"/api/v1/plans/{plan['id']}/approve")
    assert 400 <= r.status_code < 500 and r["Content-Type"] == "application/problem+json"


# --- outcomes ----------------------------------------------------------------------------------


def test_an_outcome_with_seizures_round_trips(clients, drug_case):
    inc = drug_case()
    c = clients(LEAD)
    body = {
        "arrested": 2,
        "detained": 1,
        "rescued": 0,
        "evacuated": 0,
        "deaths": 0,
        "injured": 1,
        "seizures": [
            {"kind": "heroin_g", "quantity": "1250.5", "note": "4 bánh heroin"},
            {"kind": "meth_pills", "quantity": 12000, "note": ""},
            {"kind": "goods_vnd", "quantity": "350000000", "note": "Hàng điện tử"},
        ],
    }
    r = c.put(f"/api/v1/incidents/{inc['id']}/outcome", body, content_type="application/json")
    assert r.status_code == 200, r.content
    for got in (r.json()["outcome"], c.get(f"/api/v1/incidents/{inc['id']}").json()["outcome"]):
        assert {k: got[k] for k in ("arrested", "detained", "rescued", "evacuated", "deaths", "injured")} == {
            "arrested": 2,
            "detained": 1,
            "rescued": 0,
            "evacuated": 0,
            "deaths": 0,
            "injured": 1,
        }
        assert sorted((s["kind"], Decimal(str(s["quantity"])), s["note"]) for s in got["seizures"]) == [
            ("goods_vnd", Decimal("350000000"), "Hàng điện tử"),
            ("heroin_g", Decimal("1250.5"), "4 bánh heroin"),
            ("meth_pills", Decimal("12000"), ""),
        ]
    assert Seizure.objects.filter(outcome__incident_id=inc["id"]).count() == 3
    # Recording again replaces the outcome: counts and seizures.
    r = c.put(
        f"/api/v1/incidents/{inc['id']}/outcome",
        {"arrested": 3, "seizures": [{"kind": "guns", "quantity": 1}]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    got = r.json()["outcome"]
    assert (got["arrested"], got["detained"], got["injured"]) == (3, 0, 0)
    assert [(s["kind"], Decimal(str(s["quantity"]))) for s in got["seizures"]] == [("guns", Decimal("1"))]
    assert Outcome.objects.filter(incident_id=inc["id"]).count() == 1


@pytest.mark.parametrize("who", ["province_commander", "military_officer", "na_meo_post_officer"])
def test_only_the_lead_records_the_outcome(clients, drug_case, who):
    inc = drug_case()
    r = clients(who).put(
        f"/api/v1/incidents/{inc['id']}/outcome", {"arrested": 9}, content_type="application/json"
    )
    assert r.status_code in (403, 404), (who, r.status_code)
    assert not Outcome.objects.filter(incident_id=inc["id"]).exists()


# --- my tasks ----------------------------------------------------------------------------------


def mine(client, incident_id, **params):
    r = client.get("/api/v1/tasks/mine", params)
    assert r.status_code == 200, r.content
    return [t for t in r.json() if t["incident_id"] == incident_id]


def test_my_tasks_lists_the_open_tasks_of_my_unit(clients, unit, drug_case):
    inc = drug_case()
    lead = clients(LEAD)
    got = mine(lead, inc["id"])
    assert sorted(t["title"] for t in got) == sorted(
        ["Xác minh, nắm tình hình tại hiện trường", "Báo cáo ban đầu về chỉ huy", "Báo cáo kết quả xử lý"]
    )
    assert {t["unit_id"] for t in got} == {str(unit("BP-DON-BAT-MOT").pk)}
    # Another unit's officer does not get the lead's tasks, nor the supporting units' ones.
    assert mine(clients("na_meo_commune_police"), inc["id"]) == []
    assert mine(clients("na_meo_post_officer"), inc["id"]) == []
    # A task assigned to me by name, then done: it leaves the list.
    r = lead.post(
        f"/api/v1/incidents/{inc['id']}/tasks",
        {
            "title": "Truy xét đối tượng",
            "unit_id": str(unit("BP-DON-BAT-MOT").pk),
            "due_at": future(5),
            "assignee": LEAD_USERNAME,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    task = r.json()
    assert [t["id"] for t in mine(lead, inc["id"], mine_only="true")] == [task["id"]]
    assert len(mine(lead, inc["id"])) == 4
    assert (
        lead.patch(
            f"/api/v1/tasks/{task['id']}",
            {"state": "done", "result": "Đã bắt giữ"},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert task["id"] not in {t["id"] for t in mine(lead, inc["id"])}
    assert len(mine(lead, inc["id"])) == 3


def test_a_task_is_worked_only_by_its_unit_or_the_lead(clients, drug_case):
    inc = drug_case()
    lead_task = next(t for t in inc["tasks"] if t["unit"] == inc["lead_unit"])
    r = clients("na_meo_post_officer").patch(
        f"/api/v1/tasks/{lead_task['id']}", {"state": "done"}, content_type="application/json"
    )
    assert r.status_code in (403, 404)
    assert Task.objects.get(pk=lead_task["id"]).state == "open"

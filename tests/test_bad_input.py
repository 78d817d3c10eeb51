"""Bad input on every write endpoint of the API: a 4xx problem naming the field, and nothing written.

The endpoints and their fields come from the OpenAPI document, so a new endpoint joins by adding
a valid payload below; an endpoint without one fails `test_every_write_endpoint_has_a_case`.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps

from liaison.api import api
from tests.conftest import signed_in_client

FUTURE = "2099-01-01T00:00:00+07:00"
# route -> (cast member allowed to call it, a valid payload builder). Builders get the context `x`:
# x.unit(code), x.item (logged by the Na Mèo post, shared with the Na Mèo commune police and the
# police drug department), x.other (another such item), x.request (a verification request to the
# Na Mèo commune police).
VALID = {
    "POST /api/v1/units": (
        "police_administrator",
        lambda x: {
            "code": "CA-XA-MOI",
            "name": "Công an xã Mới",
            "force": "police",
            "kind": "commune_police",
            "parent_id": str(x.unit("CA-TH").pk),
        },
    ),
    "POST /api/v1/tokens": ("na_meo_post_officer", lambda x: {"name": "máy trạm", "days": 30}),
    "POST /api/v1/me/active-unit": (
        "border_guard_analyst",
        lambda x: {"membership_id": _membership("phantich.bp")},
    ),
    "POST /api/v1/items": (
        "na_meo_post_officer",
        lambda x: {
            "title": "Hàng lậu qua đường mòn",
            "body": "Phát hiện 5 kiện hàng.",
            "category": "smuggling",
            "observed_at": "2026-01-02T08:00:00+07:00",
            "reliability": "B",
            "credibility": 2,
            "tlp": "amber",
        },
    ),
    "PATCH /api/v1/items/{item_id}": (
        "na_meo_post_officer",
        lambda x: {"title": "Sửa tiêu đề", "reason": "bổ sung"},
    ),
    "POST /api/v1/items/{item_id}/shares": (
        "na_meo_post_officer",
        lambda x: {"units": [str(x.unit("CA-XA-PU-NHI").pk)], "forces": []},
    ),
    "POST /api/v1/items/{item_id}/handling": ("na_meo_post_officer", lambda x: {"tlp": "red", "reason": ""}),
    "POST /api/v1/items/{item_id}/close": ("na_meo_post_officer", lambda x: {"reason": "xong"}),
    "POST /api/v1/items/{item_id}/grading": (
        "police_analyst",
        lambda x: {"reliability": "B", "credibility": 2, "reason": "đánh giá lại"},
    ),
    "POST /api/v1/items/{item_id}/links": (
        "na_meo_post_officer",
        lambda x: {"other_id": str(x.other.pk), "kind": "related"},
    ),
    "POST /api/v1/items/{item_id}/verification-requests": (
        "na_meo_post_officer",
        lambda x: {"unit_id": str(x.unit("CA-XA-PU-NHI").pk), "due_at": FUTURE, "question": "?"},
    ),
    "POST /api/v1/verification-requests/{request_id}/answer": (
        "na_meo_commune_police",
        lambda x: {"result": "verified", "reliability": "B", "credibility": 2, "note": ""},
    ),
    "POST /api/v1/incidents": (
        "na_meo_post_officer",
        lambda x: {
            "type": "smuggling",
            "title": "Hàng lậu qua cửa khẩu",
            "area": "VN-38-15013",
            "severity": "medium",
        },
    ),
    "POST /api/v1/incidents/{incident_id}/transition": (
        "na_meo_post_officer",
        lambda x: {"status": "acknowledged", "reason": ""},
    ),
    "POST /api/v1/incidents/{incident_id}/handover": (
        "border_guard_commander",
        lambda x: {"unit_id": str(x.unit("BP-DON-BAT-MOT").pk), "reason": "Đồn Bát Mọt gần hơn"},
    ),
    "POST /api/v1/incidents/{incident_id}/tasks": (
        "na_meo_post_officer",
        lambda x: {"title": "Tuần tra khu vực", "unit_id": str(x.unit("BP-DON-NA-MEO").pk), "due_at": FUTURE},
    ),
    "PATCH /api/v1/tasks/{task_id}": (
        "na_meo_post_officer",
        lambda x: {"state": "in_progress", "result": ""},
    ),
    "PUT /api/v1/incidents/{incident_id}/outcome": (
        "na_meo_post_officer",
        lambda x: {"arrested": 1, "seizures": [{"kind": "heroin_g", "quantity": "12.5", "note": ""}]},
    ),
    "POST /api/v1/incidents/{incident_id}/people": (
        "na_meo_post_officer",
        lambda x: {
            "role": "victim",
            "label": "Nạn nhân 1",
            "identity": {"full_name": "X", "birth_year": 1990},
        },
    ),
    "POST /api/v1/incidents/{incident_id}/named-units": (
        "na_meo_post_officer",
        lambda x: {"unit_id": str(x.unit("CA-XA-NA-MEO").pk)},
    ),
    "POST /api/v1/incidents/{incident_id}/items": (
        "na_meo_post_officer",
        lambda x: {"item_id": str(x.item.pk)},
    ),
    "POST /api/v1/plans": (
        "police_analyst",
        lambda x: {
            "type": "fire",
            "title": "Phương án cháy rừng",
            "steps": [
                {"title": "Dập lửa", "responsible": "lead", "deadline_minutes": 30, "notify": ["government"]}
            ],
        },
    ),
    "PUT /api/v1/lead-rules": (
        "police_administrator",
        lambda x: {
            "type": "fire",
            "area_kind": "inland",
            "severity": "",
            "lead_force": "police",
            "supporting_forces": ["military"],
        },
    ),
    "POST /api/v1/risk-zones": (
        "police_administrator",
        lambda x: {
            "name": "Vùng lũ quét suối Na Mèo",
            "kind": "flash_flood",
            "note": "",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[104.6, 20.28], [104.66, 20.28], [104.66, 20.32], [104.6, 20.28]]],
            },
        },
    ),
    "PUT /api/v1/risk-zones/{zone_id}": (
        "police_administrator",
        lambda x: {
            "name": "Vùng sạt lở",
            "kind": "landslide",
            "note": "",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[104.6, 20.28], [104.66, 20.28], [104.66, 20.32], [104.6, 20.28]]],
            },
        },
    ),
    # Patrols (issue 16): x.patrol is a planned patrol of the Na Mèo post whose window is now, with
    # the post's marker on its route; x.checkin a check-in of it.
    "POST /api/v1/patrol-plans": (
        "na_meo_post_officer",
        lambda x: {"post": "BP-DON-NA-MEO", "month": "2030-03-01", "note": ""},
    ),
    "POST /api/v1/patrols": (
        "na_meo_post_officer",
        lambda x: {
            "kind": "routine",
            "starts_at": "2030-01-02T07:00:00+07:00",
            "ends_at": "2030-01-02T15:00:00+07:00",
            "people": 6,
            "route": [{"segment": "SEG-NA-MEO"}, {"marker": x.marker.number}],
            "participants": [],
            "purpose": "",
        },
    ),
    "POST /api/v1/patrols/{patrol_id}/transition": (
        "na_meo_post_officer",
        lambda x: {"status": "under_way", "reason": ""},
    ),
    "POST /api/v1/patrols/{patrol_id}/checkins": (
        "na_meo_post_officer",
        lambda x: {
            "at": x.now_iso,
            "lat": x.marker.place.lat,
            "lon": x.marker.place.lon,
            "marker": x.marker.number,
            "condition": "intact",
            "note": "",
        },
    ),
    "POST /api/v1/checkins/{checkin_id}/findings": (
        "na_meo_post_officer",
        lambda x: {
            "as": "item",
            "title": "Dấu vết đào bới",
            "body": "",
            "category": "smuggling",
            "tlp": "amber",
        },
    ),
    "PUT /api/v1/patrol-coverage/settings": (
        "na_meo_post_commander",
        lambda x: {"post": "BP-DON-NA-MEO", "days": 20},
    ),
    "POST /api/v1/patrol-markers/import": (
        "border_guard_administrator",
        lambda x: {"csv": "number,lat,lon,type\n901,20.3,104.6,main\n", "source": "khảo sát"},
    ),
}
# programs (issue 17): x.programs is tests/programs/support.Programs
VALID |= {
    "POST /api/v1/programs": (
        "police_analyst",
        lambda x: {
            "name_vi": "Thu hồi vũ khí 2027",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "template": "weapons-hand-in",
            "communes": [{"commune": "VN-38-15013", "unit": "CA-XA-NA-MEO"}],
        },
    ),
    "PATCH /api/v1/programs/{program_id}": ("police_analyst", lambda x: {"name_en": "Weapons 2026"}),
    "PUT /api/v1/programs/{program_id}/targets": (
        "police_analyst",
        lambda x: {"targets": [{"indicator": "detonators", "commune": "VN-38-15013", "number": 40}]},
    ),
    "POST /api/v1/programs/{program_id}/entries": (
        "na_meo_commune_police",
        lambda x: {
            "commune": "VN-38-15013",
            "month": str(x.programs_month),
            "values": [{"indicator": "detonators", "value": 5}],
        },
    ),
    "POST /api/v1/entries/{entry_id}/return": ("police_analyst", lambda x: {"reason": "Thiếu số liệu"}),
    "POST /api/v1/entries/{entry_id}/resubmit": (
        "na_meo_commune_police",
        lambda x: {"values": [{"indicator": "detonators", "value": 6}]},
    ),
    "POST /api/v1/entries/{entry_id}/corrections": (
        "na_meo_commune_police",
        lambda x: {"values": [{"indicator": "detonators", "value": 7}], "reason": "Đếm lại"},
    ),
    # briefings (issue 18)
    "POST /api/v1/briefings": (
        "border_guard_analyst",
        lambda x: {"period_kind": "quarter", "scope_kind": "province"},
    ),
    "PATCH /api/v1/briefings/{briefing_id}": ("border_guard_analyst", lambda x: {"situation": "Ổn định"}),
    "PUT /api/v1/briefings/{briefing_id}/meeting": (
        "border_guard_commander",
        lambda x: {
            "held_on": "2026-10-05",
            "place": "Thanh Hóa",
            "chair": "Đại tá A",
            "participants": ["BP-TH"],
        },
    ),
    "PUT /api/v1/briefings/{briefing_id}/agreements": ("border_guard_analyst", lambda x: {"agreements": []}),
    "POST /api/v1/briefings/{briefing_id}/conclusions": (
        "border_guard_commander",
        lambda x: {"text": "Tăng cường tuần tra", "unit": "BP-DON-NA-MEO", "due_on": "2026-12-31"},
    ),
    "PATCH /api/v1/conclusions/{conclusion_id}": (
        "na_meo_post_officer",
        lambda x: {"state": "done", "result": "Xong"},
    ),
    "POST /api/v1/agreements": (
        "border_guard_commander",
        lambda x: {
            "title": "Quy chế phối hợp",
            "parties": "BĐBP; Công an tỉnh",
            "signed_on": "2025-01-10",
            "review_on": "2027-01-10",
        },
    ),
    # field reporting (issue 19): CAP publication and the SMS registrations
    "POST /api/v1/incidents/{incident_id}/public": (
        "na_meo_post_officer",  # the duty officer of the incident's lead unit (the Na Mèo post)
        lambda x: {
            "reason": "Dân cần biết",
            "vi": {"event": "Lũ quét", "headline": "Lũ quét ở Na Mèo"},
            "lo": {"event": "ນ້ຳຖ້ວມ", "headline": "ນ້ຳຖ້ວມ ນາແມວ"},
        },
    ),
    "POST /api/v1/incidents/{incident_id}/public/withdraw": (
        "na_meo_post_officer",
        lambda x: {"reason": "Nước đã rút"},
    ),
    "PUT /api/v1/field/phones/{user_id}": ("police_administrator", lambda x: {"number": "0912 000 111"}),
    "POST /api/v1/field/gateways": ("police_administrator", lambda x: {"name": "Kannel Na Mèo"}),
    "PUT /api/v1/program-templates/{code}": (
        "police_administrator",
        lambda x: {
            "indicators": [{"code": "households_moved", "name_vi": "Số hộ đã di dời", "kind": "count"}]
        },
    ),
}
# Writes without a JSON body: covered by their own tests (tests/accounts, tests/intel, tests/patrols,
# tests/programs).
NO_BODY = {
    "DELETE /api/v1/tokens/{token_id}",
    "POST /api/v1/items/{item_id}/acknowledge",
    "POST /api/v1/items/{item_id}/attachments",
    "POST /api/v1/plans/{plan_id}/approve",
    "POST /api/v1/patrol-plans/{plan_id}/approve",
    # programs (issue 17): tests/programs
    "POST /api/v1/programs/{program_id}/activate",
    "POST /api/v1/programs/{program_id}/close",
    "POST /api/v1/entries/{entry_id}/approve",
    # briefings (issue 18): tests/briefings
    "POST /api/v1/briefings/{briefing_id}/approve",
    "POST /api/v1/briefings/{briefing_id}/issue",
    "POST /api/v1/briefings/{briefing_id}/documents",
    "POST /api/v1/agreements/{agreement_id}/file",  # multipart: tests/briefings/test_agreements.py
}


class Ctx:
    def __init__(self, unit):
        import datetime as dt

        from liaison.core import clock
        from liaison.intel import services
        from liaison.intel.models import Category
        from tests.conftest import cast_actor

        self.unit = unit
        post = cast_actor("na_meo_post_officer")

        def make(title):
            it = services.item_create(
                post,
                title=title,
                body="Nội dung",
                reliability="C",
                credibility=3,
                category=Category.objects.get(code="smuggling"),
                observed_at=clock.now() - dt.timedelta(hours=2),
            )
            services.item_share(post, item=it, units=[unit("CA-XA-NA-MEO"), unit("CA-TH-PC04")])
            return it

        self.item, self.other = make("Tin thử 1"), make("Tin thử 2")
        self.request = services.verification_request(
            post, item=self.item, unit=unit("CA-XA-NA-MEO"), due_at=clock.now() + dt.timedelta(days=1)
        )
        from liaison.geo.models import Area
        from liaison.incidents import services as incidents
        from liaison.incidents.models import IncidentType

        self.incident = incidents.incident_open(
            post,
            incident_type=IncidentType.objects.get(code="smuggling"),
            title="Vụ thử",
            area=Area.objects.get(code="VN-38-15013"),
        )
        self.task = self.incident.tasks.filter(unit=unit("BP-DON-NA-MEO")).first()
        from liaison.org.actor import Actor
        from liaison.situation.services import risk_zone_save

        self.zone = risk_zone_save(
            Actor.system(),
            name="Vùng thử",
            kind="landslide",
            geometry={
                "type": "Polygon",
                "coordinates": [[[104.6, 20.2], [104.7, 20.2], [104.7, 20.3], [104.6, 20.2]]],
            },
        )

        # programs (issue 17)
        from tests.programs.support import Programs, months_ago

        self.programs, self.programs_month = Programs(), months_ago(4)

    @property
    def marker(self):
        from liaison.patrols.models import Marker

        return Marker.objects.select_related("place").filter(segment__post__code="BP-DON-NA-MEO").first()

    @property
    def now_iso(self) -> str:
        from liaison.core import clock

        return clock.now().isoformat()

    def _patrol(self):
        if not hasattr(self, "patrol"):
            import datetime as dt

            from liaison.core import clock
            from liaison.patrols import services as patrols
            from liaison.patrols.models import Segment
            from tests.conftest import cast_actor

            post = cast_actor("na_meo_post_officer")
            now = clock.now()
            self.patrol = patrols.patrol_create(
                post,
                lead_unit=post.unit,
                kind="routine",
                starts_at=now - dt.timedelta(hours=3),
                ends_at=now + dt.timedelta(hours=5),
                people=6,
                route=[Segment.objects.get(code="SEG-NA-MEO"), self.marker],
            )
            self.checkin = patrols.checkin_record(
                post,
                patrol=self.patrol,
                marker=self.marker,
                at=now - dt.timedelta(hours=1),
                lat=self.marker.place.lat,
                lon=self.marker.place.lon,
                condition="intact",
            )
        return self.patrol

    def _published(self):
        """The test incident made public first, so that there is an alert to withdraw."""
        from liaison.field import cap
        from tests.conftest import cast_actor

        cap.publish(
            cast_actor("na_meo_post_officer"),
            self.incident,
            reason="Dân cần biết",
            texts={
                "vi": {"event": "Lũ quét", "headline": "Lũ quét ở Na Mèo"},
                "lo": {"event": "ນ້ຳຖ້ວມ", "headline": "ນ້ຳຖ້ວມ ນາແມວ"},
            },
        )

    def _briefing(self):
        if not hasattr(self, "briefing"):
            import datetime as dt

            from liaison.briefings import services as briefings
            from tests.conftest import cast_actor

            commander = cast_actor("border_guard_commander")
            self.briefing = briefings.briefing_create(cast_actor("border_guard_analyst"))
            briefings.meeting_record(
                commander, briefing=self.briefing, held_on=self.briefing.ends_on, place="Thanh Hóa", chair="A"
            )
            self.conclusion = briefings.conclusion_assign(
                commander,
                briefing=self.briefing,
                text="Kết luận thử",
                unit="BP-DON-NA-MEO",
                due_on=self.briefing.ends_on + dt.timedelta(days=30),
            )
        return self.briefing

    def path(self, template: str) -> str:
        template = self.programs.path(template)
        if template.endswith("/public/withdraw"):
            self._published()
        if "{user_id}" in template:
            from tests.conftest import cast_actor

            template = template.replace("{user_id}", str(cast_actor("na_meo_commune_police").user.pk))
        if "{briefing_id}" in template or "{conclusion_id}" in template:
            self._briefing()
            template = template.replace("{briefing_id}", str(self.briefing.pk)).replace(
                "{conclusion_id}", str(self.conclusion.pk)
            )
        if "{patrol_id}" in template or "{checkin_id}" in template:
            self._patrol()
            template = template.replace("{patrol_id}", str(self.patrol.pk)).replace(
                "{checkin_id}", str(self.checkin.pk)
            )
        return (
            template.replace("{item_id}", str(self.item.pk))
            .replace("{request_id}", str(self.request.pk))
            .replace("{incident_id}", str(self.incident.pk))
            .replace("{task_id}", str(self.task.pk))
            .replace("{zone_id}", str(self.zone.pk))
        )


def _membership(username):
    from liaison.org.models import Membership

    return str(Membership.objects.filter(user__username=username).order_by("-created_at").first().pk)


def write_operations():
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if method in ("post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", op, schema


def _body_schema(op, schema):
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.split("/")[-1]]


def _row_counts():
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"core", "org", "geo", "audit", "accounts", "programs", "briefings"}:
            counts[model._meta.label] = model._default_manager.count()
    return counts


def test_every_write_endpoint_has_a_case():
    missing = {key for key, _, _ in write_operations()} - set(VALID) - NO_BODY
    assert not missing, f"write endpoints without a bad-input case: {missing}"


def _cases(props, required):
    """(description, payload mutation, field expected in the error)"""
    for name in required:
        yield f"missing {name}", lambda p, n=name: {k: v for k, v in p.items() if k != n}, name
    for name, spec in props.items():
        yield f"wrong type {name}", lambda p, n=name: {**p, n: [1, 2]}, name
        if spec.get("maxLength"):
            yield f"oversized {name}", lambda p, n=name, s=spec: {**p, n: "x" * (s["maxLength"] + 1)}, name
        if spec.get("type") == "integer" and spec.get("maximum") is not None:
            yield f"too large {name}", lambda p, n=name, s=spec: {**p, n: s["maximum"] + 1}, name
        if spec.get("format") == "uuid":
            yield f"malformed {name}", lambda p, n=name: {**p, n: "not-a-uuid"}, name
        if spec.get("enum"):
            yield f"unknown choice {name}", lambda p, n=name: {**p, n: "nonexistent"}, name


@pytest.mark.parametrize("key", sorted(VALID))
def test_bad_input_names_the_field_and_writes_nothing(key, unit):
    member, build = VALID[key]
    method, path = key.split(" ", 1)
    op = next(op for k, op, _ in write_operations() if k == key)
    body = _body_schema(op, api.get_openapi_schema())
    props = body.get("properties", {})
    resolved = {}
    for name, spec in props.items():
        if "anyOf" in spec:
            spec = next((s for s in spec["anyOf"] if s.get("type") != "null"), spec)
        if "$ref" in spec:
            spec = api.get_openapi_schema()["components"]["schemas"][spec["$ref"].split("/")[-1]]
        resolved[name] = spec
    client = signed_in_client(member)
    x = Ctx(unit)
    valid = build(x)
    path = x.path(path)
    before = _row_counts()
    checked = 0
    for description, mutate, field in _cases(resolved, body.get("required", [])):
        r = client.generic(method, path, json.dumps(mutate(valid)), content_type="application/json")
        assert 400 <= r.status_code < 500, f"{key} {description}: {r.status_code}"
        problem = r.json()
        assert r["Content-Type"] == "application/problem+json"
        assert any(e["field"] == field or e["field"].startswith(field + ".") for e in problem["errors"]), (
            f"{key} {description}: {problem}"
        )
        checked += 1
    for raw, field in (("{not json", "body"), ("", "body"), ("[]", None)):
        r = client.generic(method, path, raw, content_type="application/json")
        assert 400 <= r.status_code < 500, f"{key} body {raw!r}: {r.status_code}"
        if field:
            assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    r = client.generic(
        method, path, json.dumps({**valid, "pad": "x" * 1_100_000}), content_type="application/json"
    )
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "body"
    after = _row_counts()
    # Refusals are not writes of records (the audit log may hold refusal events).
    changed = {k for k in before if before[k] != after[k]} - {"audit.AuditEvent", "audit.AuditHead"}
    assert not changed, f"{key}: bad input wrote {changed}"
    # And the valid payload itself is accepted: each case failed only by its one mutation.
    ok = client.generic(method, path, json.dumps(valid), content_type="application/json")
    assert ok.status_code < 300, f"{key}: the valid payload is refused: {ok.content[:300]}"
    assert checked >= len(body.get("required", []))


def test_unknown_ids_are_404_not_500(client_for):
    c = client_for("province_commander")
    for url in (
        "/api/v1/units/00000000-0000-0000-0000-000000000000",
        "/api/v1/areas/not-a-uuid",
        "/units/00000000-0000-0000-0000-000000000000/",
        "/api/v1/posts/00000000-0000-0000-0000-000000000000",
    ):
        r = c.get(url)
        assert r.status_code in (404, 422), (url, r.status_code)

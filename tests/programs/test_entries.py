"""Programs through the API: the lifecycle, the entries' rules and bad input (a 4xx naming the field,
nothing written), retried submissions, corrections as new versions, missing months."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from liaison.core import clock
from liaison.core.models import Event
from liaison.org.actor import Actor
from liaison.programs import services
from liaison.programs.models import Entry, EntryValue, MissingNotice, Program
from tests.conftest import cast_actor

from .support import BAT_MOT, NA_MEO, PU_NHI, area, make_program, months_ago, this_month


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def counts():
    return (Program.objects.count(), Entry.objects.count(), EntryValue.objects.count())


@pytest.fixture
def program(db):
    return make_program()


def entry_body(month=None, values=None, commune=NA_MEO):
    return {
        "commune": commune,
        "month": str(month or months_ago(1)),
        "values": values
        or [{"indicator": "detonators", "value": 3}, {"indicator": "explosives", "value": "1.5"}],
    }


def test_a_commune_submits_its_month_and_the_owner_approves(program, client_for):
    c = client_for("na_meo_commune_police")
    r = post(c, f"/api/v1/programs/{program.pk}/entries", entry_body())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "submitted" and body["version"] == 1
    assert {v["indicator"]: v["number"] for v in body["values"]} == {
        "detonators": "3.00",
        "explosives": "1.50",
    }
    # The commune cannot approve its own entry; the owner unit can.
    assert c.post(f"/api/v1/entries/{body['id']}/approve").status_code == 403
    owner = client_for("police_analyst")
    r = owner.post(f"/api/v1/entries/{body['id']}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"values": [{"indicator": "detonators", "value": -1}]}, "values.0.value"),
        ({"values": [{"indicator": "detonators", "value": "2.5"}]}, "values.0.value"),
        ({"values": [{"indicator": "status", "value": "drug_free"}]}, "values.0.indicator"),
        ({"commune": "VN-38-14863"}, "commune"),
        ({"month": "2019-01-01"}, "month"),
        ({"month": str(dt.date(2100, 1, 1))}, "month"),
    ],
)
def test_bad_entries_name_the_field_and_write_nothing(program, client_for, change, field):
    c = client_for("na_meo_commune_police")
    before = counts()
    r = post(c, f"/api/v1/programs/{program.pk}/entries", {**entry_body(), **change})
    assert 400 <= r.status_code < 500, r.content
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    assert counts() == before


def test_an_indicator_of_another_program_is_refused_by_its_id(program, client_for):
    other = make_program("drug-free-commune")
    foreign = other.indicators.get(code="no_users")
    c = client_for("na_meo_commune_police")
    before = counts()
    r = post(
        c,
        f"/api/v1/programs/{program.pk}/entries",
        entry_body(values=[{"indicator": str(foreign.pk), "value": 1}]),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "values.0.indicator"
    assert counts() == before


def test_a_second_entry_for_the_same_month_is_refused(program, client_for):
    c = client_for("na_meo_commune_police")
    assert post(c, f"/api/v1/programs/{program.pk}/entries", entry_body()).status_code == 201
    before = counts()
    r = post(
        c,
        f"/api/v1/programs/{program.pk}/entries",
        entry_body(values=[{"indicator": "detonators", "value": 9}]),
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "month"
    assert counts() == before


def test_a_retried_submission_never_duplicates(program, client_for):
    c = client_for("na_meo_commune_police")
    key = str(uuid.uuid4())
    first = post(c, f"/api/v1/programs/{program.pk}/entries", entry_body(), HTTP_IDEMPOTENCY_KEY=key)
    again = post(c, f"/api/v1/programs/{program.pk}/entries", entry_body(), HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Entry.objects.filter(program=program).count() == 1


def test_only_a_commander_of_the_owner_activates(client_for):
    p = make_program(activate=False)
    assert client_for("police_analyst").post(f"/api/v1/programs/{p.pk}/activate").status_code == 403
    r = client_for("province_commander").post(f"/api/v1/programs/{p.pk}/activate")
    assert r.status_code == 200 and r.json()["status"] == "active"
    # A draft took no entries; a closed program takes none either.
    r = client_for("province_commander").post(f"/api/v1/programs/{p.pk}/close")
    assert r.json()["status"] == "closed"
    r = post(client_for("na_meo_commune_police"), f"/api/v1/programs/{p.pk}/entries", entry_body())
    assert r.status_code == 403


def test_return_with_a_reason_then_resubmit(program, client_for):
    c, owner = client_for("na_meo_commune_police"), client_for("police_analyst")
    eid = post(c, f"/api/v1/programs/{program.pk}/entries", entry_body()).json()["id"]
    assert post(owner, f"/api/v1/entries/{eid}/return", {"reason": ""}).status_code == 422
    r = post(owner, f"/api/v1/entries/{eid}/return", {"reason": "Số kíp nổ chưa khớp biên bản"})
    assert r.json()["status"] == "returned" and r.json()["return_reason"]
    r = post(c, f"/api/v1/entries/{eid}/resubmit", {"values": [{"indicator": "detonators", "value": 4}]})
    assert r.json()["status"] == "submitted"
    assert [v["number"] for v in r.json()["values"]] == ["4.00"]


def test_a_correction_after_approval_is_a_new_version_and_the_old_is_kept(program, client_for):
    c, owner = client_for("na_meo_commune_police"), client_for("police_analyst")
    eid = post(c, f"/api/v1/programs/{program.pk}/entries", entry_body()).json()["id"]
    owner.post(f"/api/v1/entries/{eid}/approve")
    r = post(
        c,
        f"/api/v1/entries/{eid}/corrections",
        {"values": [{"indicator": "detonators", "value": 5}], "reason": ""},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = post(
        c,
        f"/api/v1/entries/{eid}/corrections",
        {"values": [{"indicator": "detonators", "value": 5}], "reason": "Đếm lại"},
    )
    assert r.status_code == 201, r.content
    new = r.json()
    assert new["version"] == 2 and new["status"] == "submitted" and new["correction_reason"] == "Đếm lại"
    assert [v["version"] for v in new["versions"]] == [2, 1]
    old = Entry.objects.get(pk=eid)
    assert not old.is_current and old.status == "approved"
    assert old.values.get(indicator__code="detonators").number == 3
    # Figures count the current approved version only: the correction awaits approval.
    owner.post(f"/api/v1/entries/{new['id']}/approve")
    assert Entry.objects.filter(program=program, is_current=True, status="approved").count() == 1


def test_missing_months_are_listed_and_notified_once_after_ten_days(program, client_for):
    commune = cast_actor("na_meo_commune_police")
    for n in (5, 4, 3, 2):
        services.entry_submit(
            commune, program=program, commune=area(NA_MEO), month=months_ago(n), values={"detonators": 1}
        )
    rows = client_for("police_analyst").get(f"/api/v1/programs/{program.pk}/missing").json()
    due = {(r["commune_code"], r["month"]) for r in rows}
    assert (NA_MEO, str(months_ago(1))) in due and (BAT_MOT, str(months_ago(5))) in due
    assert (NA_MEO, str(months_ago(2))) not in due
    assert all(r["month"] != str(this_month()) for r in rows)  # the month under way is not due
    # A commune sees its own missing months only.
    own = client_for("na_meo_commune_police").get(f"/api/v1/programs/{program.pk}/missing").json()
    assert {r["commune_code"] for r in own} == {NA_MEO}
    # Notices: Bát Mọt's months due more than ten days ago, to its police and the police above it.
    on = services.today()
    overdue = services.overdue_months(program, on)
    services.missing_notify(Actor.system(), on)
    expected = len(overdue) + len([m for m in overdue if m == months_ago(1)])
    assert MissingNotice.objects.filter(program=program).count() == expected
    assert services.missing_notify(Actor.system(), on) == 0
    notices = MissingNotice.objects.filter(program=program)
    events = Event.objects.filter(
        kind="program.entry_missing", object_id__in=[str(x.participation_id) for x in notices]
    )
    assert events.count() == expected
    for ev in events:
        units = set(ev.audience.values_list("unit__code", flat=True))
        assert units in ({"CA-XA-BAT-MOT", "CA-TH"}, {"CA-XA-NA-MEO", "CA-TH"})


def test_ten_days_is_not_yet_overdue(program):
    with clock.frozen(clock.now()):
        month = months_ago(1)
        due = services.due_on(month)
        assert month not in services.overdue_months(program, due + dt.timedelta(days=10))
        assert month in services.overdue_months(program, due + dt.timedelta(days=11))


def test_the_worker_runs_the_missing_months_job():
    from liaison.core import worker

    assert "programs.missing" in {job.name for job in worker.periodic()}


def test_pu_nhi_is_outside_the_test_program(program):
    assert not program.participations.filter(commune__code=PU_NHI).exists()

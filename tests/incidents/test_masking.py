"""People in an incident (PRODUCT.md, "People in records"): victims', informants' (protected persons')
identities are shown only to the current lead unit and the units it names; suspects' and witnesses'
to whoever sees the incident; identities are encrypted at rest and never reach the audit log, the
timeline or the feed; revealing a protected identity is audited (that it was read, never what).

The case: a human-trafficking incident in Bát Mọt opened by the Bát Mọt post's duty officer. The
border guard leads through the Bát Mọt post (BP-DON-BAT-MOT); the Bát Mọt commune police and the
provincial military command support. The lead names the Na Mèo commune police (CA-XA-NA-MEO).
Every expectation below is stated by hand for each member of the cast.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.models import Max

from liaison.audit.models import AuditEvent
from liaison.core.models import Event
from liaison.incidents.models import Person, TimelineEvent
from tests.incidents.incident_helpers import BAT_MOT

VICTIM, INFORMANT, SUSPECT, WITNESS = "Nguyễn Thị Nạn Nhân", "Lò Văn Báo Tin", "Vàng A Nghi", "Hà Văn Chứng"
PROTECTED = {VICTIM, INFORMANT}
EVERYONE_WHO_SEES = {SUSPECT, WITNESS}

ALL_CAST = [
    "command_centre_officer",
    "na_meo_commune_police",
    "na_meo_post_officer",
    "bat_mot_post_officer",
    "na_meo_customs_officer",
    "military_officer",
    "police_analyst",
    "border_guard_analyst",
    "province_commander",
    "border_guard_commander",
    "na_meo_post_commander",
    "liaison_officer",
    "police_administrator",
    "border_guard_administrator",
    "auditor",
    "hua_phan_partner",
]

# Before any handover: who sees the incident, and who of them sees protected identities.
# Everyone else gets 404: other units' staff, the analysts and administrators of the provincial
# commands (an administrator sees nothing by being one), the auditor, the partner.
SEES_BEFORE = {
    "bat_mot_post_officer",  # the lead unit (and the opener)
    "na_meo_commune_police",  # named by the lead
    "province_commander",  # commander of CA-TH: the Bát Mọt commune police (supporting) lie below it
    "border_guard_commander",  # commander of BP-TH: the lead post lies below it
}
PROTECTED_BEFORE = {"bat_mot_post_officer", "na_meo_commune_police"}

# After the provincial border-guard commander hands the lead to the Na Mèo post: the Bát Mọt post
# still sees the incident (it holds tasks) but no longer the protected identities; the Na Mèo
# commune police were named by the old lead only, so they lose them too.
SEES_AFTER_HANDOVER = {
    "bat_mot_post_officer",
    "na_meo_post_officer",
    "na_meo_post_commander",
    "province_commander",
    "border_guard_commander",
}
PROTECTED_AFTER_HANDOVER = {"na_meo_post_officer", "na_meo_post_commander"}
# Whether a unit named by the old lead keeps seeing the incident itself is not this test's business:
# either 404 or masked.
EITHER_AFTER_HANDOVER = {"na_meo_commune_police"}
ID_NUMBER = "HT038190012345"  # ASCII, so that a clear-text copy could not hide behind escaping


@pytest.fixture
def case(cast, clients, unit, open_incident):
    audit_start = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
    inc = open_incident(
        "bat_mot_post_officer", "human_trafficking", area=BAT_MOT, title="Nghi vấn đưa phụ nữ qua biên giới"
    )
    inc.audit_start = audit_start
    lead = clients("bat_mot_post_officer")
    for role, label, name in (
        ("victim", "Nạn nhân 1", VICTIM),
        ("informant", "Người báo tin", INFORMANT),
        ("suspect", "Đối tượng 1", SUSPECT),
        ("witness", "Nhân chứng 1", WITNESS),
    ):
        r = lead.post(
            f"/api/v1/incidents/{inc.pk}/people",
            {
                "role": role,
                "label": label,
                "identity": {"full_name": name, "birth_year": 1990, "id_number": ID_NUMBER},
            },
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        assert r.json()["identity"]["full_name"] == name  # the lead sees what it wrote
    r = lead.post(
        f"/api/v1/incidents/{inc.pk}/named-units",
        {"unit_id": str(unit("CA-XA-NA-MEO").pk)},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return inc


def names_seen(client, inc):
    """(status, full names in the response, the people rows)."""
    r = client.get(f"/api/v1/incidents/{inc.pk}/people")
    if r.status_code != 200:
        return r.status_code, set(), []
    rows = r.json()
    return 200, {(p["identity"] or {}).get("full_name") for p in rows} - {None}, rows


def check_matrix(clients, inc, sees, protected, either=()):
    for who in ALL_CAST:
        status, names, rows = names_seen(clients(who), inc)
        raw = json.dumps(rows, ensure_ascii=False)
        if who in either:
            assert status in (200, 404) and not names & PROTECTED, who
            continue
        if who not in sees:
            assert status == 404, who
            continue
        assert status == 200, who
        assert len(rows) == 4 and {p["role"] for p in rows} == {"victim", "informant", "suspect", "witness"}
        if who in protected:
            assert names == PROTECTED | EVERYONE_WHO_SEES, who
        else:
            assert names == EVERYONE_WHO_SEES, who
            assert VICTIM not in raw and INFORMANT not in raw, who
            masked = {p["role"]: p["masked"] for p in rows}
            assert masked == {"victim": True, "informant": True, "suspect": False, "witness": False}, who
        # The non-identifying labels are shown to everyone who sees the incident.
        assert {p["label"] for p in rows} == {"Nạn nhân 1", "Người báo tin", "Đối tượng 1", "Nhân chứng 1"}


def test_the_cast_sees_what_the_matrix_says(clients, case):
    check_matrix(clients, case, SEES_BEFORE, PROTECTED_BEFORE)


def test_after_a_handover_the_old_lead_no_longer_sees_protected_identities(clients, unit, case):
    r = clients("border_guard_commander").post(
        f"/api/v1/incidents/{case.pk}/handover",
        {"unit_id": str(unit("BP-DON-NA-MEO").pk), "reason": "Nạn nhân được đưa về Na Mèo"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    check_matrix(clients, case, SEES_AFTER_HANDOVER, PROTECTED_AFTER_HANDOVER, EITHER_AFTER_HANDOVER)


def test_a_unit_named_by_the_new_lead_sees_them_again(clients, unit, case):
    clients("border_guard_commander").post(
        f"/api/v1/incidents/{case.pk}/handover",
        {"unit_id": str(unit("BP-DON-NA-MEO").pk), "reason": "Chuyển địa bàn"},
        content_type="application/json",
    )
    r = clients("na_meo_post_officer").post(
        f"/api/v1/incidents/{case.pk}/named-units",
        {"unit_id": str(unit("CA-XA-NA-MEO").pk)},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert names_seen(clients("na_meo_commune_police"), case)[1] == PROTECTED | EVERYONE_WHO_SEES
    # The old lead does not name units any more.
    r = clients("bat_mot_post_officer").post(
        f"/api/v1/incidents/{case.pk}/named-units",
        {"unit_id": str(unit("CA-XA-BAT-MOT").pk)},
        content_type="application/json",
    )
    assert r.status_code == 403


@pytest.mark.parametrize("who", ["province_commander", "border_guard_commander", "na_meo_commune_police"])
def test_only_the_lead_names_units(clients, unit, case, who):
    """A commander above the lead, or a named unit, cannot widen who sees protected identities."""
    r = clients(who).post(
        f"/api/v1/incidents/{case.pk}/named-units",
        {"unit_id": str(unit("HQ-NA-MEO").pk)},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert names_seen(clients("na_meo_customs_officer"), case)[0] == 404


def test_identities_are_encrypted_at_rest(case):
    table = Person._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT identity_sealed, label FROM {table} WHERE incident_id = %s",  # noqa: S608
            [case.pk.hex if connection.vendor == "sqlite" else case.pk],
        )
        rows = cur.fetchall()
    assert len(rows) == 4
    for sealed, _label in rows:
        assert sealed  # something is stored...
        for clear in (VICTIM, INFORMANT, SUSPECT, WITNESS, ID_NUMBER, "Nguy", "\\u"):
            assert clear not in sealed  # ...but not in clear, nor JSON-escaped


def test_names_never_reach_the_audit_log_the_timeline_or_the_feed(clients, case):
    # Read them, as the lead and as the named unit, so that the reads are audited too.
    for who in ("bat_mot_post_officer", "na_meo_commune_police", "province_commander"):
        assert names_seen(clients(who), case)[0] == 200
    events = AuditEvent.objects.filter(id__gt=case.audit_start)
    assert events.filter(object_id=str(case.pk)).count() >= 8  # opened, 4 added, named, identity reads
    rows = [
        json.dumps({f.name: str(getattr(e, f.name)) for f in AuditEvent._meta.fields}, ensure_ascii=False)
        for e in events
    ]
    timeline = [json.dumps(e.data, ensure_ascii=False) for e in TimelineEvent.objects.filter(incident=case)]
    feed = [
        json.dumps(e.data, ensure_ascii=False) + e.object_ref
        for e in Event.objects.filter(object_id=str(case.pk))
    ]
    for text in rows + timeline + feed:
        for clear in (VICTIM, INFORMANT, SUSPECT, WITNESS, ID_NUMBER):
            assert clear not in text


def test_reading_a_protected_identity_is_audited(clients, case):
    def reads(username):
        return AuditEvent.objects.filter(verb=208, object_id=str(case.pk), actor_name=username).count()

    assert names_seen(clients("na_meo_commune_police"), case)[0] == 200
    assert reads("trucban.ca.nameo") == 1
    assert names_seen(clients("na_meo_commune_police"), case)[0] == 200
    assert reads("trucban.ca.nameo") == 2  # one event per request
    # A reader to whom they stay masked reveals nothing, so nothing is recorded as revealed.
    assert names_seen(clients("province_commander"), case)[0] == 200
    assert reads("chihuy.ca") == 0


def test_there_are_no_fields_for_ethnicity_religion_or_political_opinion(clients, case):
    forbidden = ("ethnic", "religio", "politic", "dan_toc", "ton_giao")
    assert not [f.name for f in Person._meta.get_fields() if any(w in f.name.lower() for w in forbidden)]
    lead = clients("bat_mot_post_officer")
    r = lead.post(
        f"/api/v1/incidents/{case.pk}/people",
        {
            "role": "witness",
            "label": "Nhân chứng 2",
            "identity": {"full_name": "Người Thứ Năm", "ethnicity": "X", "religion": "Y", "political": "Z"},
        },
        content_type="application/json",
    )
    # Refused naming the field, or accepted with nothing of it kept: never stored.
    if r.status_code == 201:
        assert set(r.json()["identity"]) <= {"full_name", "birth_year", "id_number", "address", "contact"}
    else:
        assert r.status_code == 422
    _, _, rows = names_seen(lead, case)
    for p in rows:
        assert not set(p["identity"] or {}) - {"full_name", "birth_year", "id_number", "address", "contact"}

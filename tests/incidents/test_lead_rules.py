"""The lead-force rules table (PRODUCT.md, "Incidents"): which force leads, which unit of it, and which
forces support, by incident type, kind of place and severity; administrators change the rules;
handing over the lead is a commander's action with a reason.

The expectations are stated here, from PRODUCT.md's defaults (border area -> border guard; inland ->
police; armed or defence situations -> military) and the shipped table
(incidents/migrations/0002_defaults.py, RULES):

    (any type,      border) -> border_guard; supporting police, military
    (any type,      gate)   -> border_guard; supporting customs, police
    (any type,      inland) -> police;       supporting military
    (armed_group,   any)    -> military;     supporting police, border_guard
    (flash_flood,   inland) -> police;       supporting military, government
    (flash_flood,   border) -> border_guard; supporting military, government
    (search_rescue, border) -> border_guard; supporting military, government
    (smuggling,     gate)   -> customs;      supporting border_guard, police

The lead unit is the unit of that force responsible for the place: the border post that covers the
commune, the gate's own station at the gate, the commune police; where the force has no unit for
the commune, its provincial command.
"""

from __future__ import annotations

import pytest

from liaison.core.errors import Invalid, NotPermitted
from liaison.geo.models import Area
from liaison.incidents import services
from liaison.incidents.models import Incident, IncidentType, LeadRule, Participant, TimelineEvent
from liaison.org.models import Unit
from tests.incidents.incident_helpers import BAT_MOT, GATE, INLAND, NA_MEO, PU_NHI, audit_count

STATION = "BP-TRAM-CKQT-NA-MEO"  # the border-guard station of the Na Mèo international gate


def where(area=None, place=None):
    return {"area": area, "place": place}


def row(type_code, place, severity, force, unit_code, supporting, *marks):
    label = f"{type_code}@{place['place'] or place['area']}/{severity}"
    return pytest.param(type_code, place, severity, force, unit_code, supporting, marks=marks, id=label)


# (type, where, severity) -> (lead force, lead unit, supporting forces)
TABLE = [
    # Border-area communes: the border guard leads, through the post that covers the commune.
    row(
        "drug_trafficking",
        where(area=BAT_MOT),
        "high",
        "border_guard",
        "BP-DON-BAT-MOT",
        {"police", "military"},
    ),
    row("smuggling", where(area=PU_NHI), "medium", "border_guard", "BP-DON-PU-NHI", {"police", "military"}),
    row(
        "illegal_crossing",
        where(area=BAT_MOT),
        "low",
        "border_guard",
        "BP-DON-BAT-MOT",
        {"police", "military"},
    ),
    row(
        "drug_trafficking",
        where(area=NA_MEO),
        "high",
        "border_guard",
        "BP-DON-NA-MEO",
        {"police", "military"},
    ),
    row(
        "flash_flood",
        where(area=BAT_MOT),
        "high",
        "border_guard",
        "BP-DON-BAT-MOT",
        {"military", "government"},
    ),
    row(
        "flash_flood", where(area=NA_MEO), "high", "border_guard", "BP-DON-NA-MEO", {"military", "government"}
    ),
    row(
        "search_rescue",
        where(area=PU_NHI),
        "medium",
        "border_guard",
        "BP-DON-PU-NHI",
        {"military", "government"},
    ),
    # The gate zone: the border guard (the gate's own station) leads, customs and police support...
    row("drug_trafficking", where(place=GATE), "high", "border_guard", STATION, {"customs", "police"}),
    row("illegal_crossing", where(place=GATE), "medium", "border_guard", STATION, {"customs", "police"}),
    row("flash_flood", where(place=GATE), "high", "border_guard", STATION, {"customs", "police"}),
    # ...except smuggling at the gate, which customs leads.
    row("smuggling", where(place=GATE), "medium", "customs", "HQ-NA-MEO", {"border_guard", "police"}),
    row(
        "smuggling",
        where(area=NA_MEO, place=GATE),
        "critical",
        "customs",
        "HQ-NA-MEO",
        {"border_guard", "police"},
    ),
    # Inland: the police lead (the provincial police: the commune has no police unit of its own).
    row("drug_trafficking", where(area=INLAND), "high", "police", "CA-TH", {"military"}),
    row("public_disorder", where(area=INLAND), "low", "police", "CA-TH", {"military"}),
    row("search_rescue", where(area=INLAND), "high", "police", "CA-TH", {"military"}),
    row("flash_flood", where(area=INLAND), "high", "police", "CA-TH", {"military", "government"}),
    # Armed or defence situations: the military leads, anywhere and at any severity.
    row("armed_group", where(area=BAT_MOT), "critical", "military", "QS-TH", {"police", "border_guard"}),
    row("armed_group", where(area=INLAND), "critical", "military", "QS-TH", {"police", "border_guard"}),
    row("armed_group", where(place=GATE), "high", "military", "QS-TH", {"police", "border_guard"}),
    row("armed_group", where(area=PU_NHI), "low", "military", "QS-TH", {"police", "border_guard"}),
]


def supporting_forces(inc: Incident) -> set[str]:
    return set(
        Participant.objects.filter(incident=inc, role=Participant.Role.SUPPORTING, active=True).values_list(
            "unit__force", flat=True
        )
    )


def lead_of(inc: Incident) -> tuple[str, str]:
    inc = Incident.objects.select_related("lead_unit").get(pk=inc.pk)
    return inc.lead_force, inc.lead_unit.code


def test_the_places_are_what_the_table_assumes():
    """Preconditions of the table, so that a changed demo deployment fails here and not obscurely."""
    assert Area.objects.get(code=BAT_MOT).is_border_area and Area.objects.get(code=NA_MEO).is_border_area
    inland = Area.objects.get(code=INLAND)
    assert inland.kind == "commune" and not inland.is_border_area and inland.code.startswith("VN-38-")
    assert not Unit.objects.filter(area=inland).exists()
    assert Unit.objects.get(code=STATION).parent.code == "BP-DON-NA-MEO"


@pytest.mark.parametrize("type_code, place, severity, force, unit_code, supporting", TABLE)
def test_the_rules_table(open_incident, type_code, place, severity, force, unit_code, supporting):
    inc = open_incident("command_centre_officer", type_code, severity=severity, **place)
    assert lead_of(inc) == (force, unit_code)
    assert supporting_forces(inc) == supporting
    # The lead unit is a participant in the role "lead", and the only one.
    assert list(
        Participant.objects.filter(incident=inc, role=Participant.Role.LEAD, active=True).values_list(
            "unit__code", flat=True
        )
    ) == [unit_code]


def test_the_kind_of_place_is_recorded(open_incident):
    assert open_incident(area=BAT_MOT).area_kind == "border"
    assert open_incident(place=GATE, area=None).area_kind == "gate"
    assert open_incident(area=INLAND).area_kind == "inland"


# --- administrators change the rules ---------------------------------------------------------


@pytest.mark.parametrize("admin", ["police_administrator", "border_guard_administrator"])
def test_an_administrator_changes_a_rule_and_the_next_incident_follows_it(cast, open_incident, admin):
    before = open_incident("command_centre_officer", "public_disorder", area=INLAND, severity="critical")
    assert lead_of(before) == ("police", "CA-TH")
    services.lead_rule_set(
        cast(admin),
        incident_type=IncidentType.objects.get(code="public_disorder"),
        area_kind="inland",
        severity="critical",
        lead_force="military",
        supporting_forces=["police"],
    )
    after = open_incident("command_centre_officer", "public_disorder", area=INLAND, severity="critical")
    assert lead_of(after) == ("military", "QS-TH")
    assert supporting_forces(after) == {"police"}
    # Only the new, more specific rule changed: another severity still goes to the police...
    other = open_incident("command_centre_officer", "public_disorder", area=INLAND, severity="medium")
    assert lead_of(other) == ("police", "CA-TH")
    # ...and the incident opened before keeps its lead.
    assert lead_of(before) == ("police", "CA-TH")


def test_an_administrator_replaces_a_default_rule_for_any_type(cast, open_incident):
    services.lead_rule_set(
        cast("border_guard_administrator"),
        incident_type=None,
        area_kind="border",
        severity="",
        lead_force="police",
        supporting_forces=["border_guard"],
    )
    inc = open_incident("command_centre_officer", "drug_trafficking", area=BAT_MOT)
    assert lead_of(inc) == ("police", "CA-XA-BAT-MOT")
    assert supporting_forces(inc) == {"border_guard"}


def test_a_rule_for_any_type_and_one_severity_applies(cast, open_incident):
    services.lead_rule_set(
        cast("police_administrator"),
        incident_type=None,
        area_kind="inland",
        severity="critical",
        lead_force="military",
        supporting_forces=["police"],
    )
    assert lead_of(
        open_incident("command_centre_officer", "public_disorder", area=INLAND, severity="critical")
    ) == ("military", "QS-TH")


def test_an_administrator_changes_a_rule_through_the_api(client_for, open_incident):
    c = client_for("police_administrator")
    r = c.put(
        "/api/v1/lead-rules",
        {
            "type": "smuggling",
            "area_kind": "border",
            "severity": "",
            "lead_force": "customs",
            "supporting_forces": ["border_guard"],
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["lead_force"] == "customs"
    inc = open_incident("command_centre_officer", "smuggling", area=BAT_MOT)
    assert lead_of(inc) == ("customs", "HQ-TH")  # no customs unit in Bát Mọt: the provincial branch
    assert supporting_forces(inc) == {"border_guard"}


NON_ADMINISTRATORS = [
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
    "auditor",
    "hua_phan_partner",
]


@pytest.mark.parametrize("who", NON_ADMINISTRATORS)
def test_nobody_but_an_administrator_changes_a_rule(cast, client_for, open_incident, who):
    rules_before = list(LeadRule.objects.order_by("pk").values())
    with pytest.raises(NotPermitted):
        services.lead_rule_set(
            cast(who),
            incident_type=None,
            area_kind="inland",
            severity="",
            lead_force="military",
            supporting_forces=[],
        )
    r = client_for(who).put(
        "/api/v1/lead-rules",
        {"area_kind": "inland", "lead_force": "military"},
        content_type="application/json",
    )
    assert r.status_code in (401, 403), (who, r.status_code)
    assert list(LeadRule.objects.order_by("pk").values()) == rules_before
    assert lead_of(open_incident("command_centre_officer", "public_disorder", area=INLAND)) == (
        "police",
        "CA-TH",
    )


def test_a_rule_for_the_partner_or_an_unknown_force_is_refused(cast):
    admin = cast("police_administrator")
    for bad in (
        {"lead_force": "foreign_partner"},
        {"lead_force": "navy"},
        {"supporting_forces": ["foreign_partner"]},
        {"area_kind": "sea"},
        {"severity": "extreme"},
    ):
        kw = {
            "incident_type": None,
            "area_kind": "inland",
            "severity": "",
            "lead_force": "military",
            "supporting_forces": [],
            **bad,
        }
        with pytest.raises(Invalid) as e:
            services.lead_rule_set(admin, **kw)
        assert {f.field for f in e.value.errors} == {next(iter(bad))}
    assert not LeadRule.objects.filter(lead_force__in=["foreign_partner", "navy"]).exists()


# --- handing over the lead -------------------------------------------------------------------
# A search-and-rescue incident in Bát Mọt (the typed rule: the border guard, i.e. the Bát Mọt post,
# leads), opened by the provincial police command centre, so that the provincial police commander
# sees it (the opening unit lies below CA-TH) without commanding the lead unit.


@pytest.fixture
def rescue(open_incident):
    return lambda: open_incident("command_centre_officer", "search_rescue", area=BAT_MOT)


def test_a_handover_needs_a_reason(cast, unit, rescue):
    inc = rescue()
    for reason in ("", "   "):
        with pytest.raises(Invalid) as e:
            services.incident_handover(
                cast("border_guard_commander"), incident=inc, unit=unit("BP-DON-NA-MEO"), reason=reason
            )
        assert {f.field for f in e.value.errors} == {"reason"}
    assert lead_of(inc) == ("border_guard", "BP-DON-BAT-MOT")


@pytest.mark.parametrize(
    "who",
    [
        "bat_mot_post_officer",  # a duty officer of the lead unit, not a commander
        "province_commander",  # a commander who sees the incident (it was opened below CA-TH)
        "na_meo_post_commander",  # a commander of a sibling post
        "border_guard_analyst",  # the provincial border-guard command, but not a commander
        "border_guard_administrator",
        "military_officer",
    ],
)
def test_only_a_commander_of_the_lead_unit_or_above_hands_over(cast, unit, rescue, who):
    inc = rescue()
    with pytest.raises(NotPermitted):
        services.incident_handover(cast(who), incident=inc, unit=unit("BP-DON-NA-MEO"), reason="Điều chỉnh")
    assert lead_of(inc) == ("border_guard", "BP-DON-BAT-MOT")
    assert not TimelineEvent.objects.filter(incident=inc, kind="handover").exists()


def test_a_commander_above_the_lead_hands_over_and_the_lead_moves(cast, unit, rescue):
    inc = rescue()
    audited = audit_count(verb=202, object_id=str(inc.pk))
    services.incident_handover(
        cast("border_guard_commander"),
        incident=inc,
        unit=unit("BP-DON-NA-MEO"),
        reason="Đối tượng di chuyển về địa bàn Na Mèo",
    )
    assert lead_of(inc) == ("border_guard", "BP-DON-NA-MEO")
    leads = dict(Participant.objects.filter(incident=inc, role="lead").values_list("unit__code", "active"))
    assert leads == {"BP-DON-BAT-MOT": False, "BP-DON-NA-MEO": True}
    [ev] = TimelineEvent.objects.filter(incident=inc, kind="handover")
    assert ev.data["reason"] == "Đối tượng di chuyển về địa bàn Na Mèo"
    assert ev.actor.username == "chihuy.bp"
    assert audit_count(verb=202, object_id=str(inc.pk)) == audited + 1
    # Now a commander of the new lead unit itself may hand over again, even to another force.
    services.incident_handover(
        cast("na_meo_post_commander"),
        incident=inc,
        unit=unit("CA-XA-NA-MEO"),
        reason="Chuyển công an xã điều tra",
    )
    assert lead_of(inc) == ("police", "CA-XA-NA-MEO")


def test_a_handover_through_the_api(client_for, unit, rescue):
    inc = rescue()
    r = client_for("border_guard_commander").post(
        f"/api/v1/incidents/{inc.pk}/handover",
        {"unit_id": str(unit("BP-DON-NA-MEO").pk), "reason": "Theo chỉ đạo của Bộ Chỉ huy"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["lead_unit"] == unit("BP-DON-NA-MEO").name
    r = client_for("bat_mot_post_officer").post(
        f"/api/v1/incidents/{inc.pk}/handover",
        {"unit_id": str(unit("BP-DON-BAT-MOT").pk), "reason": "Lấy lại"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert lead_of(inc) == ("border_guard", "BP-DON-NA-MEO")


@pytest.mark.parametrize("code", ["LA-HP-BV", "BP-DON-BAT-MOT"])
def test_the_lead_is_never_handed_to_the_partner_nor_to_itself(cast, unit, rescue, code):
    inc = rescue()
    with pytest.raises(Invalid):
        services.incident_handover(cast("border_guard_commander"), incident=inc, unit=unit(code), reason="x")
    assert lead_of(inc) == ("border_guard", "BP-DON-BAT-MOT")


def test_the_types_armed_flag_matches_product(db):
    """Only the armed-group type is an armed or defence situation in the shipped taxonomy."""
    assert set(IncidentType.objects.filter(is_armed=True).values_list("code", flat=True)) == {"armed_group"}

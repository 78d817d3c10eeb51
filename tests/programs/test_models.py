"""Programs: the defaults the migration creates, and the database's own guards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from liaison.programs.models import ProgramTemplate, TemplateIndicator


def test_the_three_default_programs_exist_with_their_indicators():
    codes = set(ProgramTemplate.objects.values_list("code", flat=True))
    assert {"weapons-hand-in", "drug-free-commune", "flash-flood-resettlement"} <= codes
    weapons = {i.code: i for i in TemplateIndicator.objects.filter(template__code="weapons-hand-in")}
    assert {
        "guns_military",
        "guns_hunting",
        "guns_homemade",
        "ammunition",
        "explosives",
        "detonators",
        "support_tools",
    } <= set(weapons)
    assert weapons["explosives"].kind == "amount" and weapons["explosives"].unit == "kg"
    assert weapons["ammunition"].unit == "rounds"
    drugs = {i.code: i for i in TemplateIndicator.objects.filter(template__code="drug-free-commune")}
    assert (
        drugs["status"].kind == "status" and [c["code"] for c in drugs["status"].choices][-1] == "drug_free"
    )
    assert sum(1 for i in drugs.values() if i.kind == "criterion") >= 4
    flood = set(
        TemplateIndicator.objects.filter(template__code="flash-flood-resettlement").values_list(
            "code", flat=True
        )
    )
    assert flood == {"households_at_risk", "households_planned", "households_moved", "people_moved"}
    for t in ProgramTemplate.objects.all():
        assert t.name_vi and t.name_en and t.name_lo


def test_one_current_entry_per_commune_and_month_in_the_database(cast, unit):
    from liaison.geo.models import Area
    from liaison.org.actor import Actor
    from liaison.programs import services
    from liaison.programs.models import Entry

    system = Actor.system()
    commune = Area.objects.get(code="VN-38-15013")
    p = services.program_create(
        system,
        name_vi="Thử",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 1),
        template=ProgramTemplate.objects.get(code="weapons-hand-in"),
        communes=[(commune, unit("CA-XA-NA-MEO"))],
        owner_unit=unit("CA-TH"),
    )
    services.program_activate(system, p)
    e = services.entry_submit(
        system, program=p, commune=commune, month=dt.date(2026, 2, 1), values={"detonators": 3}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            ref="X-1",
            program=p,
            participation=e.participation,
            month=e.month,
            version=2,
            correction_reason="x",
            submitted_by_unit=e.submitted_by_unit,
            submitted_at=e.submitted_at,
        )

"""A program for the tests: owned by the police drug department (CA-TH-PC04), active, with Na Mèo
and Bát Mọt reported by their commune police, over the six months up to this one."""

from __future__ import annotations

import datetime as dt

from liaison.core import clock
from liaison.geo.models import Area
from liaison.org.actor import Actor
from liaison.org.models import Unit
from liaison.programs import services
from liaison.programs.models import ProgramTemplate

NA_MEO, BAT_MOT, PU_NHI = "VN-38-15013", "VN-38-15607", "VN-38-14863"


def this_month() -> dt.date:
    return services.month_of(services.today())


def months_ago(n: int) -> dt.date:
    m = this_month()
    for _ in range(n):
        m = services.month_of(m - dt.timedelta(days=1))
    return m


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def make_program(template: str = "weapons-hand-in", *, activate: bool = True, owner: str = "CA-TH-PC04"):
    system = Actor.system()
    p = services.program_create(
        system,
        name_vi="Chương trình thử",
        name_en="Test programme",
        name_lo="ໂຄງການທົດລອງ",
        starts_on=months_ago(5),
        ends_on=this_month(),
        template=ProgramTemplate.objects.get(code=template),
        communes=[
            (area(NA_MEO), Unit.objects.get(code="CA-XA-NA-MEO")),
            (area(BAT_MOT), Unit.objects.get(code="CA-XA-BAT-MOT")),
        ],
        owner_unit=Unit.objects.get(code=owner),
    )
    if activate:
        services.program_activate(system, p)
    return p


class Programs:
    """A program with a submitted, a returned and an approved entry of Na Mèo."""

    def __init__(self):
        from tests.conftest import cast_actor

        self.program = make_program()
        commune = cast_actor("na_meo_commune_police")
        owner = cast_actor("police_analyst")
        na_meo = area(NA_MEO)
        self.submitted = services.entry_submit(
            commune, program=self.program, commune=na_meo, month=months_ago(1), values={"detonators": 2}
        )
        self.returned = services.entry_submit(
            commune, program=self.program, commune=na_meo, month=months_ago(2), values={"detonators": 3}
        )
        services.entry_return(owner, self.returned, reason="Thiếu số liệu đạn")
        self.approved = services.entry_submit(
            commune, program=self.program, commune=na_meo, month=months_ago(3), values={"detonators": 4}
        )
        services.entry_approve(owner, self.approved)
        assert clock.now()

    def path(self, template: str) -> str:
        entry = self.submitted
        if template.endswith("/resubmit"):
            entry = self.returned
        elif template.endswith("/corrections"):
            entry = self.approved
        return (
            template.replace("{program_id}", str(self.program.pk))
            .replace("{entry_id}", str(entry.pk))
            .replace("{code}", "flash-flood-resettlement")
        )

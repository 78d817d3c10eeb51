"""A realistic set of open and closed incidents with outcomes, through the services. Deterministic."""

from __future__ import annotations

import datetime as dt
import random

from liaison.core import clock
from liaison.geo.models import Area, Place
from liaison.incidents import services
from liaison.incidents.models import Incident, IncidentType, Status
from liaison.intel.models import Item, Tlp
from liaison.org.actor import Actor
from liaison.org.models import Membership, Role

SEED = 4242
CLOSED = 36
OPEN = 8

TITLES = {
    "drug_trafficking": ("Bắt giữ vụ vận chuyển ma túy tại {p}", [("heroin_g", 320), ("meth_pills", 6000)]),
    "human_trafficking": ("Ngăn chặn đưa người trái phép qua biên giới tại {p}", []),
    "smuggling": ("Thu giữ hàng nhập lậu tại {p}", [("goods_vnd", 185_000_000)]),
    "illegal_crossing": ("Xử lý nhóm người xuất cảnh trái phép tại {p}", []),
    "armed_group": (
        "Phát hiện nhóm đối tượng mang vũ khí tại {p}",
        [("guns", 2), ("explosives_kg", 3), ("detonators", 15)],
    ),
    "flash_flood": ("Lũ quét, sạt lở tại {p}", []),
    "search_rescue": ("Tìm kiếm người mất tích trong rừng tại {p}", []),
    "fire": ("Cháy rừng tại {p}", []),
    "public_disorder": ("Gây rối trật tự tại {p}", []),
}


def _member(unit, roles=(Role.DUTY_OFFICER, Role.COMMANDER, Role.ANALYST)):
    m = (
        Membership.objects.filter(unit=unit, status="active", role__in=roles)
        .select_related("user", "unit")
        .first()
    )
    return Actor(m.user, m) if m else None


def _commander_above(unit):
    u = unit
    while u is not None:
        m = (
            Membership.objects.filter(unit=u, status="active", role=Role.COMMANDER)
            .select_related("user", "unit")
            .first()
        )
        if m:
            return Actor(m.user, m)
        u = u.parent
    return Actor.system()


def run(stdout=None) -> int:
    if Incident.objects.exists():
        return Incident.objects.count()
    rng = random.Random(SEED)
    types = {t.code: t for t in IncidentType.objects.all()}
    communes = list(Area.objects.filter(is_border_area=True).order_by("code"))
    inland = list(
        Area.objects.filter(kind="commune", country="VN", is_border_area=False).order_by("code")[:40]
    )
    gate = Place.objects.filter(code="GATE-NA-MEO").first()
    openers = [
        m
        for m in Membership.objects.filter(status="active", role=Role.DUTY_OFFICER, unit__country="VN")
        .select_related("user", "unit")
        .order_by("user__username")
    ]
    items = list(Item.objects.exclude(tlp=Tlp.RED).order_by("received_at"))
    now = clock.now().replace(microsecond=0)
    made = 0
    for i in range(CLOSED + OPEN):
        closed = i < CLOSED
        when = (
            now - dt.timedelta(days=rng.randrange(3, 360))
            if closed
            else now - dt.timedelta(hours=rng.randrange(1, 60))
        )
        code = rng.choice(list(TITLES))
        title, seizures = TITLES[code]
        where = rng.random()
        place = gate if where < 0.12 else None
        area = None if place else (rng.choice(communes) if where < 0.8 else rng.choice(inland))
        name = place.name if place else area.name.removeprefix("Xã ")
        m = rng.choice(openers)
        opener = Actor(m.user, m)
        linked = [rng.choice(items)] if items and rng.random() < 0.3 else []
        with clock.frozen(when) as clk:
            inc = services.incident_open(
                opener,
                incident_type=types[code],
                title=title.format(p=name),
                description="Tình huống do lực lượng tại chỗ báo cáo.",
                area=area,
                place=place,
                is_drill=(i == CLOSED + 1),
                items=linked,
            )
            lead = _member(inc.lead_unit) or _commander_above(inc.lead_unit)
            boss = _commander_above(inc.lead_unit)
            steps = [Status.ACKNOWLEDGED, Status.RESPONDING, Status.CONTAINED, Status.RESOLVED]
            upto = len(steps) if closed else rng.randrange(0, 3)
            for s in steps[:upto]:
                clk.advance(dt.timedelta(minutes=rng.randrange(5, 90)))
                services.incident_transition(lead, incident=inc, to=s)
            if closed:
                counts = {"arrested": rng.randrange(0, 4), "detained": rng.randrange(0, 3)}
                if code in ("flash_flood", "search_rescue"):
                    counts = {"rescued": rng.randrange(1, 8), "evacuated": rng.randrange(0, 60)}
                services.outcome_record(
                    lead,
                    incident=inc,
                    seizures=[(k, q * rng.randrange(1, 4), "") for k, q in seizures],
                    **counts,
                )
                clk.advance(dt.timedelta(hours=rng.randrange(2, 48)))
                services.incident_transition(boss, incident=inc, to=Status.CLOSED, reason="Đã xử lý xong.")
        made += 1
    if stdout:
        stdout.write(f"incidents: {made} ({CLOSED} closed)")
    return made

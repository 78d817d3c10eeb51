"""The three default programs in Thanh Hoa's six border communes over the last two quarters, through
the services: monthly entries submitted by the commune and approved by the owner unit, with one
commune behind (Mường Lát) and one month missing (Pù Nhi, the last month due). Deterministic."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from liaison.core import clock
from liaison.demo.org import BORDER_COMMUNES_WITH_POLICE, _slug
from liaison.geo.models import Area
from liaison.org.actor import Actor
from liaison.org.models import Membership, Role, Unit
from liaison.programs import services
from liaison.programs.models import Program, ProgramTemplate

SEED = 1717
BEHIND = "VN-38-14845"  # Mường Lát: reports little
MISSING = "VN-38-14863"  # Pù Nhi: the last month due is not reported

# template code -> (owner unit code, reporting unit prefix, total targets, per-commune targets)
PROGRAMS = {
    "weapons-hand-in": (
        "CA-TH",
        "CA-XA-",
        {
            "guns_military": 12,
            "guns_hunting": 60,
            "guns_homemade": 90,
            "ammunition": 3000,
            "explosives": 40,
            "detonators": 300,
            "support_tools": 48,
        },
    ),
    "drug-free-commune": ("CA-TH-PC04", "CA-XA-", {}),
    "flash-flood-resettlement": ("UB-TH", "UB-XA-", {"households_moved": 240, "people_moved": 1000}),
}


def _actor(unit_code: str, roles=(Role.DUTY_OFFICER, Role.ANALYST, Role.COMMANDER)) -> Actor:
    m = (
        Membership.objects.filter(unit__code=unit_code, status="active", role__in=roles)
        .select_related("user", "unit")
        .order_by("role", "created_at")
        .first()
    )
    return Actor(m.user, m) if m else Actor.system()


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _values(code: str, commune: str, month_index: int, rng: random.Random) -> dict:
    behind = commune == BEHIND
    if code == "weapons-hand-in":
        k = 0.3 if behind else 1.0
        return {
            "guns_military": int(rng.randint(0, 1) * k),
            "guns_hunting": int(rng.randint(1, 4) * k),
            "guns_homemade": int(rng.randint(2, 6) * k),
            "ammunition": int(rng.randint(60, 180) * k),
            "explosives": (Decimal(rng.randint(2, 18)) / 10 * Decimal(str(k))).quantize(Decimal("0.01")),
            "detonators": int(rng.randint(4, 20) * k),
            "support_tools": int(rng.randint(1, 5) * k),
        }
    if code == "drug-free-commune":
        met = month_index + (0 if behind else 2)
        criteria = ["no_trafficking", "no_users", "no_cultivation", "no_hotspots", "after_care"]
        out = {c: i < met for i, c in enumerate(criteria)}
        out["status"] = "drug_free" if met >= 5 else "building" if met >= 2 else "troubled"
        return out
    at_risk = rng.randint(40, 80)
    return {
        "households_at_risk": at_risk,
        "households_planned": at_risk - rng.randint(0, 10),
        "households_moved": rng.randint(0, 2) if behind else rng.randint(5, 14),
        "people_moved": rng.randint(0, 8) if behind else rng.randint(20, 60),
    }


def run(stdout=None) -> int:
    if Program.objects.exists():
        return 0
    rng = random.Random(SEED)
    today = timezone.localtime(clock.now()).date()
    first = _quarter_start(_quarter_start(today) - dt.timedelta(days=1))  # the previous quarter's start
    last = services.month_of(_quarter_start(today) + dt.timedelta(days=62))  # the current quarter's end
    due = [m for m in services.months(first, last) if services.due_on(m) <= today]
    communes = {a.code: a for a in Area.objects.filter(code__in=BORDER_COMMUNES_WITH_POLICE)}
    made = 0
    for code, (owner_code, prefix, totals) in PROGRAMS.items():
        template = ProgramTemplate.objects.get(code=code)
        owner = Unit.objects.get(code=owner_code)
        pairs = []
        for area_code, name in BORDER_COMMUNES_WITH_POLICE.items():
            unit = Unit.objects.filter(code=f"{prefix}{_slug(name)}").first()
            if unit is not None and area_code in communes:
                pairs.append((communes[area_code], unit))
        creator = _actor(owner_code)
        with clock.frozen(_at(first - dt.timedelta(days=10))):
            program = services.program_create(
                creator,
                name_vi=f"{template.name_vi} {first.year}",
                name_en=f"{template.name_en} {first.year}",
                name_lo=f"{template.name_lo} {first.year}",
                starts_on=first,
                ends_on=last,
                template=template,
                communes=pairs,
                owner_unit=owner,
            )
            targets = [{"indicator": k, "commune": None, "number": Decimal(v)} for k, v in totals.items()]
            for k, v in totals.items():
                for area, _unit in pairs:
                    share = Decimal(round(v / len(pairs)))
                    targets.append({"indicator": k, "commune": area, "number": share})
            if targets:
                services.program_targets_set(creator, program, targets=targets)
            services.program_activate(_actor(owner_code, (Role.COMMANDER,)), program)
        owner_actor = _actor(owner_code, (Role.COMMANDER, Role.ANALYST, Role.DUTY_OFFICER))
        for i, month in enumerate(due):
            for area, unit in pairs:
                if area.code == MISSING and month == due[-1]:
                    continue
                reporter = _actor(unit.code)
                with clock.frozen(_at(services.due_on(month) + dt.timedelta(days=rng.randint(0, 6)))):
                    entry = services.entry_submit(
                        reporter,
                        program=program,
                        commune=area,
                        month=month,
                        values=_values(code, area.code, i, rng),
                    )
                    made += 1
                    if month == due[-1] and rng.random() < 0.4:
                        continue  # the last month: some still await approval
                with clock.frozen(_at(services.due_on(month) + dt.timedelta(days=8))):
                    services.entry_approve(owner_actor, entry)
    if stdout:
        stdout.write(f"programs: {Program.objects.count()}, entries: {made}")
    return made

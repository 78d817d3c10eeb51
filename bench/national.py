"""The national organisation for the benchmarks: every land-border province of Vietnam with its
units, officers, border communes and border-guard posts, placed along the real border line.

Provinces and communes come from the reference package (vietnam-provinces, after the 2025
reorganisation: 22 of its 34 provinces have a land border). The border line is Natural Earth's
(world-atlas), Quảng Ninh's coast along China, Laos and Cambodia to An Giang. Each province gets
the stretch of that line given by its share of the land border; the shares are the provinces'
published border lengths in km, rounded, summed over the provinces merged in 2025. Stretches, and
so the posts and places on them, are approximate: good for spreading benchmark data along the
border, not for drawing a province's real border. Thanh Hóa keeps the reference deployment's own
stretch, units and officers.

Which communes touch the border is not in the reference package; for each province the generator
picks communes (rural "Xã", deterministic by seed) as its border communes and flags them.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# Along the border from the Gulf of Tonkin: (code in vietnam-provinces, short code, km of land
# border, neighbour countries). Sources: the provinces' published border lengths (rounded).
BORDER_PROVINCES: list[tuple[int, str, int, str]] = [
    (22, "QNI", 119, "CN"),  # Quảng Ninh
    (20, "LSN", 232, "CN"),  # Lạng Sơn
    (4, "CBG", 333, "CN"),  # Cao Bằng
    (8, "TQG", 277, "CN"),  # Tuyên Quang (with Hà Giang)
    (15, "LCI", 183, "CN"),  # Lào Cai
    (12, "LCU", 273, "CN"),  # Lai Châu
    (11, "DBN", 401, "CN LA"),  # Điện Biên
    (14, "SLA", 250, "LA"),  # Sơn La
    (38, "TH", 213, "LA"),  # Thanh Hóa (the reference deployment)
    (40, "NAN", 419, "LA"),  # Nghệ An
    (42, "HTH", 164, "LA"),  # Hà Tĩnh
    (44, "QTR", 408, "LA"),  # Quảng Trị (with Quảng Bình)
    (46, "HUE", 88, "LA"),  # Huế
    (48, "DNG", 142, "LA"),  # Đà Nẵng (with Quảng Nam)
    (51, "QNG", 283, "LA KH"),  # Quảng Ngãi (with Kon Tum)
    (52, "GLA", 90, "KH"),  # Gia Lai
    (66, "DLK", 73, "KH"),  # Đắk Lắk
    (68, "LDG", 130, "KH"),  # Lâm Đồng (with Đắk Nông)
    (75, "DNI", 258, "KH"),  # Đồng Nai (with Bình Phước)
    (80, "TNH", 373, "KH"),  # Tây Ninh (with Long An)
    (82, "DTP", 48, "KH"),  # Đồng Tháp
    (91, "AGG", 160, "KH"),  # An Giang (with Kiên Giang)
]
KM_PER_POST = 30  # about one border-guard post per 30 km of border
BENCH_SOURCE = "benchmark position, approximate (province's share of the Natural Earth border line)"


@dataclass
class Province:
    code: int
    short: str
    name: str
    km: int
    stretch: list[tuple[float, float]]  # (lon, lat) along the border
    border_communes: list[tuple[str, str]]  # (area code, name)
    units: list[tuple]  # (unit id, code, force, level) of the province's units


def slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return "-".join(s.upper().split())[:18]


def bare(commune: str) -> str:
    return commune.removeprefix("Xã ").removeprefix("Phường ")


def stretches() -> dict[int, list[tuple[float, float]]]:
    """Each border province's stretch of the land border line, by its share of the border."""
    from liaison.geo import reference

    line = reference.vietnam_land_border()
    total = sum(reference.km(line[i], line[i + 1]) for i in range(len(line) - 1))
    published = sum(km for _c, _s, km, _n in BORDER_PROVINCES)
    out, at = {}, 0.0
    for code, _short, km, _n in BORDER_PROVINCES:
        length = total * km / published
        out[code] = reference.line_stretch(line, at, at + length) or [line[-1]]
        at += length
    out[38] = reference.thanh_hoa_border()
    return out


def load(rng: random.Random, password_hash: str) -> list[Province]:
    """Areas, units, officers and posts for every border province (idempotent: existing codes are
    kept). Units go through the organisation service (paths, levels, audit); officers and their
    memberships are written in bulk with one shared password hash (benchmark accounts)."""
    from django.db import transaction
    from vietnam_provinces import Province as RefProvince
    from vietnam_provinces import ProvinceCode

    from liaison.geo import reference
    from liaison.geo import services as geo
    from liaison.geo.models import Area, PlaceKind
    from liaison.org import services as org
    from liaison.org.actor import Actor
    from liaison.org.models import Membership, Unit, User

    system = Actor.system()
    geo.reference_import(system, province_codes=[c for c, *_ in BORDER_PROVINCES])
    lines = stretches()
    provinces: list[Province] = []
    for code, short, km, _neighbours in BORDER_PROVINCES:
        name = RefProvince.from_code(ProvinceCode(code)).name
        communes = list(
            Area.objects.filter(kind="commune", parent__code=f"VN-{code:02d}")
            .order_by("code")
            .values_list("code", "name")
        )
        line = lines[code]
        n_posts = max(3, round(km / KM_PER_POST))
        if code == 38:
            border = list(
                Area.objects.filter(kind="commune", is_border_area=True).values_list("code", "name")
            )
        else:
            rural = [c for c in communes if c[1].startswith("Xã ")] or communes
            border = rng.sample(rural, k=min(len(rural), n_posts))
        p = Province(code, short, name, km, line, border, [])
        provinces.append(p)
        if code != 38:
            _load_units(org, system, p, n_posts)
            spots = reference.points_along(line, len(p.border_communes) + 2)[1:-1] if len(line) > 1 else []
            for (area_code, commune), (lon, lat) in zip(p.border_communes, spots, strict=False):
                Area.objects.filter(code=area_code).update(
                    is_border_area=True,
                    lat=round(lat, 5),
                    lon=round(lon + 0.03, 5),
                    position_approximate=True,
                )
                unit = Unit.objects.filter(code=f"BP-{short}-{slug(bare(commune))}").first()
                if unit:
                    geo.place_upsert(
                        system,
                        code=f"POST-{short}-{slug(bare(commune))}",
                        kind=PlaceKind.POST,
                        name=unit.name,
                        lat=round(lat, 5),
                        lon=round(lon + 0.03, 5),
                        source=BENCH_SOURCE,
                        approximate=True,
                        area=Area.objects.get(code=area_code),
                        unit=unit,
                    )
    rows = list(Unit.objects.filter(country="VN", is_active=True).values_list("id", "code", "force", "level"))
    th = _thanh_hoa_codes()
    for p in provinces:
        if p.code == 38:
            p.units = [r for r in rows if r[1] in th]
        else:
            p.units = [r for r in rows if r[1].split("-")[1] == p.short]
    # One duty officer for every unit without an active member, a commander for each command.
    with transaction.atomic():
        have = set(Membership.objects.filter(status="active").values_list("unit_id", flat=True))
        users, members = [], []
        for unit in Unit.objects.filter(country="VN", is_active=True).exclude(id__in=have).order_by("code"):
            base = unit.code.lower().replace("-", ".")
            roles = ["duty_officer"] + (["commander", "analyst"] if unit.kind == "province_command" else [])
            for role in roles:
                u = User(
                    username=f"bench.{role[:4]}.{base}"[:150],
                    full_name=f"Cán bộ {unit.short_name or unit.name}"[:150],
                )
                u.password = password_hash
                users.append(u)
                members.append(Membership(user=u, unit=unit, role=role, status="active"))
        User.objects.bulk_create(users, batch_size=1000)
        Membership.objects.bulk_create(members, batch_size=1000)
    return provinces


def _thanh_hoa_codes() -> set[str]:
    from liaison.demo import org as demo_org

    return {u[0] for u in demo_org.units() if u[7] == "VN"}


def _load_units(org, system, p: Province, n_posts: int) -> None:
    from liaison.geo.models import Area
    from liaison.org.models import Unit

    areas = {a.code: a for a in Area.objects.filter(code__startswith=f"VN-{p.code:02d}")}
    prov_area = areas.get(f"VN-{p.code:02d}")
    place = p.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    s = p.short
    spec: list[tuple[str, str, str, str, str, str | None, str | None]] = [
        (
            f"CA-{s}",
            f"Công an {p.name[0].lower()}{p.name[1:]}",
            "CA tỉnh",
            "police",
            "province_command",
            None,
            None,
        ),
        (
            f"CA-{s}-PC04",
            "Phòng Cảnh sát điều tra tội phạm về ma túy",
            "PC04",
            "police",
            "province_department",
            f"CA-{s}",
            None,
        ),
        (
            f"BP-{s}",
            f"Bộ Chỉ huy Bộ đội Biên phòng {place}",
            "BĐBP tỉnh",
            "border_guard",
            "province_command",
            None,
            None,
        ),
        (f"QS-{s}", f"Bộ Chỉ huy Quân sự {place}", "CHQS tỉnh", "military", "province_command", None, None),
        (f"HQ-{s}", f"Hải quan {place}", "Hải quan tỉnh", "customs", "province_command", None, None),
        (f"UB-{s}", f"Ủy ban nhân dân {place}", "UBND tỉnh", "government", "province_committee", None, None),
    ]
    for area_code, commune in p.border_communes[:n_posts]:
        short = commune.removeprefix("Xã ").removeprefix("Phường ")
        spec.append(
            (
                f"BP-{s}-{slug(short)}",
                f"Đồn Biên phòng {short}",
                f"Đồn {short}",
                "border_guard",
                "border_post",
                f"BP-{s}",
                area_code,
            )
        )
    for area_code, commune in p.border_communes[:3]:
        short = commune.removeprefix("Xã ").removeprefix("Phường ")
        spec.append(
            (
                f"CA-{s}-X-{slug(short)}",
                f"Công an xã {short}",
                f"CA xã {short}",
                "police",
                "commune_police",
                f"CA-{s}",
                area_code,
            )
        )
    area_code, commune = p.border_communes[0]
    short = commune.removeprefix("Xã ").removeprefix("Phường ")
    spec.append(
        (
            f"HQ-{s}-CK",
            f"Hải quan cửa khẩu {short}",
            f"HQ {short}",
            "customs",
            "customs_branch",
            f"HQ-{s}",
            area_code,
        )
    )
    for code, name, short_name, force, kind, parent, area in spec:
        if Unit.objects.filter(code=code).exists():
            continue
        org.unit_create(
            system,
            code=code,
            name=name,
            short_name=short_name,
            force=force,
            kind=kind,
            parent=Unit.objects.get(code=parent) if parent else None,
            country="VN",
            area=areas.get(area) if area else prov_area,
        )

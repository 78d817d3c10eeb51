"""`liaison demo`: load the reference deployment through the services, re-runnably."""

from __future__ import annotations

import base64
import binascii
import time
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts import services as accounts
from liaison.demo import org as demo_org
from liaison.geo import reference
from liaison.geo import services as geo
from liaison.geo.models import Area, Place, PlaceKind
from liaison.org import services as org
from liaison.org.actor import Actor
from liaison.org.models import TWO_FACTOR_ROLES, Membership, Unit, User

DEMO_PASSWORD = "Bienphong-2026"  # noqa: S105 (demo only, printed by `make demo`)
MARKERS = 12
# Printed besides the first login of each role.
SECOND_LOGINS = {
    "quantri2": "administrator 2",
    "doitac.huaphan": "partner (sees nothing)",
}


def run(stdout=None, with_items: bool = True) -> list[tuple[str, str, str, str, str]]:
    """Load every part, saying what it does and how long each step took."""
    system = Actor.system()
    say = (lambda s: stdout.write(s)) if stdout else (lambda s: None)

    @contextmanager
    def step(what: str):
        say(f"  {what} …")
        began = time.monotonic()
        yield
        say(f"  {what}: done in {time.monotonic() - began:.1f} s")

    with step("areas of Thanh Hoa and Hua Phan"):
        result = geo.reference_import(system, province_codes=[38])
        say(f"    areas: {result['total']} ({result['created']} new)")
    with step("units"):
        load_units(system)
    with step("border places"):
        load_places(system)
    with step("users, memberships and two-factor devices"):
        logins = load_users(system)
    if with_items:
        from liaison.demo import incidents, intel

        with step("information items (a year of them)"):
            intel.run(stdout=stdout)
        with step("incidents"):
            incidents.run(stdout=stdout)
        from liaison.demo import patrols, programs

        with step("patrols (a quarter of plans and patrols)"):
            patrols.run(stdout=stdout)
        with step("programs (three campaigns over two quarters)"):
            programs.run(stdout=stdout)
        from liaison.demo import field

        with step("field reporting (an officer's SMS number, three tips from the public)"):
            field.run(stdout=stdout)
        from liaison.demo import briefings

        with step("briefings (last two quarters, a meeting, conclusions, the agreement with Hua Phan)"):
            briefings.run(stdout=stdout)
        from liaison.demo import exchange

        with step("items and incident summaries released by the partner node (Hua Phan, in Lao)"):
            exchange.run(stdout=stdout)
    # Link what was written (decision 0018): the chain covers the demo at once, without the worker.
    from liaison.audit.chainer import link_all

    link_all()
    say(f"units: {Unit.objects.count()}, places: {Place.objects.count()}, users: {User.objects.count()}")
    return logins


def load_units(system: Actor) -> None:
    areas = {a.code: a for a in Area.objects.all()}
    for code, name, short, force, kind, parent, area, country in demo_org.units():
        if Unit.objects.filter(code=code).exists():
            continue
        org.unit_create(
            system,
            code=code,
            name=name,
            short_name=short,
            force=force,
            kind=kind,
            parent=Unit.objects.get(code=parent) if parent else None,
            country=country,
            area=areas.get(area) if area else None,
        )


def load_places(system: Actor) -> None:
    towns = reference.geonames_positions()
    areas = {a.code: a for a in Area.objects.all()}
    for key, (lat, lon) in towns.items():
        geo.place_upsert(
            system,
            code=f"TOWN-{key.upper()}",
            kind=PlaceKind.TOWN,
            name=_town_name(key),
            lat=lat,
            lon=lon,
            source=reference.GEONAMES_SOURCE,
            approximate=False,
        )
    lat, lon = towns["na-meo"]
    geo.place_upsert(
        system,
        code="GATE-NA-MEO",
        kind=PlaceKind.GATE,
        name="Cửa khẩu quốc tế Na Mèo",
        lat=lat,
        lon=lon,
        source=reference.GEONAMES_SOURCE + " (Na Mèo)",
        approximate=False,
        area=areas.get("VN-38-15013"),
        unit=Unit.objects.filter(code="BP-TRAM-CKQT-NA-MEO").first(),
    )
    line = reference.thanh_hoa_border()
    along = reference.points_along(line, len(demo_org.POSTS) + 2)[1:-1]
    for i, (suffix, name, area) in enumerate(demo_org.POSTS):
        lon, lat = along[i]
        # Demo position: on the border line, moved about 3 km inland (east); labelled approximate.
        geo.place_upsert(
            system,
            code=f"POST-{suffix}",
            kind=PlaceKind.POST,
            name=name,
            lat=round(lat, 5),
            lon=round(lon + 0.03, 5),
            source="demo position, approximate (near the border line)",
            approximate=True,
            area=areas.get(area),
            unit=Unit.objects.get(code=f"BP-DON-{suffix}"),
        )
    for i, (lon, lat) in enumerate(reference.points_along(line, MARKERS), start=1):
        geo.place_upsert(
            system,
            code=f"MARKER-DEMO-{i:02d}",
            kind=PlaceKind.MARKER,
            name=f"Mốc giới minh họa {i:02d}",
            lat=round(lat, 5),
            lon=round(lon, 5),
            source="demo position, approximate: evenly spaced on " + reference.NATURAL_EARTH_SOURCE,
            approximate=True,
        )


def _town_name(key: str) -> str:
    return {
        "muong-lat": "Mường Lát",
        "quan-son": "Quan Sơn",
        "na-meo": "Na Mèo",
        "quan-hoa": "Quan Hóa",
        "lang-chanh": "Lang Chánh",
        "thuong-xuan": "Thường Xuân",
        "thanh-hoa": "Thanh Hóa",
        "xam-nua": "Xam Nua (Sầm Nưa)",
        "viengxay": "Viengxay (Viêng Xay)",
        "xamtai": "Xamtai (Xam Tải)",
        "huameung": "Huameuang (Hủa Mương)",
        "viengthong": "Viengthong (Viêng Thong)",
    }[key]


def load_users(system: Actor) -> list[tuple[str, str, str, str, str]]:
    logins = []
    # One argon2 hash for the one published demo password (hashing it per user took most of this step).
    hashed = None
    for username, full_name, unit_code, role in [*demo_org.USERS, *demo_org.field_users()]:
        user = User.objects.filter(username=username).first()
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = org.user_create(
                system, username=username, full_name=full_name, password=hashed, password_hashed=True
            )
        unit = Unit.objects.get(code=unit_code)
        if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
            org.membership_grant(system, user=user, unit=unit, role=role)
        secret = ""
        if role in TWO_FACTOR_ROLES:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = accounts.totp_enrol(system, user=user)
            secret = base64.b32encode(binascii.unhexlify(device.key)).decode()
        logins.append((role, username, unit.name, secret, full_name))
    for username, unit_code, role in demo_org.EXTRA_MEMBERSHIPS:
        user, unit = User.objects.get(username=username), Unit.objects.get(code=unit_code)
        if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
            with transaction.atomic():
                org.membership_grant(system, user=user, unit=unit, role=role)
    return logins


def print_logins(logins, out) -> None:
    seen: set[str] = set()
    out.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
    out.write(f"{'role':<16} {'username':<20} {'unit':<45} two-factor (TOTP secret)\n")
    for role, username, unit, secret, _name in logins:
        if role in seen and username not in SECOND_LOGINS:
            continue
        seen.add(role)
        label = SECOND_LOGINS.get(username, role)
        out.write(f"{label:<16} {username:<20} {unit[:45]:<45} {secret or '-'}\n")
    out.write(
        "\nTwo-factor: add the secret to any authenticator app, or print the current code with\n"
        "  make otp USER=USERNAME   (demo only; make verify checks the audit chain)\n"
    )
    out.write("Open http://127.0.0.1:8000/ — API docs at http://127.0.0.1:8000/api/v1/docs\n")

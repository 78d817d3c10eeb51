"""Check-ins: each bad input refused naming its field with nothing written, the marker's condition and
its history, a retried check-in that never duplicates, a photo stripped of EXIF, findings that become
an item or an incident through their own services and link back."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
from PIL import Image

from liaison import policy
from liaison.audit.models import AuditEvent
from liaison.core import clock
from liaison.core.errors import Invalid
from liaison.incidents.models import Incident
from liaison.intel.models import Item
from liaison.intel.services.attachments import path_for
from liaison.patrols import services
from liaison.patrols.models import CheckIn, Finding, Marker, MarkerCondition
from tests.conftest import cast_actor

from .conftest import make_patrol, na_meo_marker, other_marker


def _counts():
    return (CheckIn.objects.count(), MarkerCondition.objects.count(), AuditEvent.objects.count())


def _valid(patrol, **over):
    m = na_meo_marker()
    args = {
        "patrol": patrol,
        "marker": m,
        "at": clock.now() - dt.timedelta(hours=1),
        "lat": m.place.lat + 0.01,
        "lon": m.place.lon + 0.01,
        "condition": "intact",
        "note": "",
    }
    args.update(over)
    return args


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("marker not on the route", "marker", "not_on_route"),
        ("more than a day before the window", "at", "outside_window"),
        ("more than a day after the window", "at", "outside_window"),
        ("in the future", "at", "in_future"),
        ("60 km from the marker", "lat", "too_far"),
        ("no condition at a marker", "condition", "required"),
        ("a condition at a waypoint", "condition", "no_marker"),
        ("a cancelled patrol", "patrol", "cancelled"),
        ("a file that is no image", "photo", "file_type"),
    ],
)
def test_a_bad_check_in_names_its_field_and_writes_nothing(patrol, case, field, code):
    officer = cast_actor("na_meo_post_officer")
    m = na_meo_marker()
    over = {
        "marker not on the route": {"marker": other_marker()},
        "more than a day before the window": {"at": patrol.starts_at - dt.timedelta(days=1, minutes=5)},
        "more than a day after the window": {"at": patrol.ends_at + dt.timedelta(days=1, minutes=5)},
        "in the future": {"at": clock.now() + dt.timedelta(hours=2)},
        "60 km from the marker": {"lat": m.place.lat + 0.54},
        "no condition at a marker": {"condition": ""},
        "a condition at a waypoint": {"marker": None},
        "a cancelled patrol": {},
        "a file that is no image": {"photo": services.Photo("a.pdf", b"%PDF-1.4\n%%EOF\n")},
    }[case]
    if case == "more than a day after the window":
        patrol = make_patrol(hours_ago=24 * 3)
        over["at"] = patrol.ends_at + dt.timedelta(days=1, minutes=5)
    if case == "a cancelled patrol":
        services.patrol_transition(officer, patrol=patrol, to="cancelled", reason="mưa lũ")
        patrol.refresh_from_db()
    before = _counts()
    condition_before = Marker.objects.get(pk=m.pk).condition
    with pytest.raises(Invalid) as e:
        services.checkin_record(officer, **_valid(patrol, **over))
    assert (field, code) in {(x.field, x.code) for x in e.value.errors}, e.value.errors
    assert _counts() == before
    assert Marker.objects.get(pk=m.pk).condition == condition_before


def test_within_a_day_of_the_window_and_50_km_is_accepted(patrol):
    officer = cast_actor("na_meo_post_officer")
    c = services.checkin_record(officer, **_valid(patrol, at=patrol.starts_at - dt.timedelta(hours=23)))
    assert c.pk
    c = services.checkin_record(officer, **_valid(patrol, marker=None, condition="", lat=20.0, lon=104.0))
    assert c.marker is None  # a waypoint: its position is not tied to a marker


def test_a_check_in_sets_the_marker_condition_and_its_history(patrol):
    officer = cast_actor("na_meo_post_officer")
    m = na_meo_marker()
    services.checkin_record(officer, **_valid(patrol, condition="moved"))
    m.refresh_from_db()
    assert m.condition == "moved"
    assert m.history.order_by("-at").first().condition == "moved"
    # An older observation sent late joins the history but does not overwrite a newer condition.
    services.checkin_record(officer, **_valid(patrol, condition="intact", at=patrol.starts_at))
    m.refresh_from_db()
    assert m.condition == "moved"
    assert m.history.filter(condition="intact", at=patrol.starts_at).exists()


def _png_with_exif() -> bytes:
    img = Image.new("RGB", (8, 8), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretModel"  # Model
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_retried_check_in_never_duplicates_and_its_photo_has_no_exif(patrol, client_for):
    raw = _png_with_exif()
    assert b"SecretModel" in raw
    m = na_meo_marker()
    body = json.dumps(
        {
            "at": (clock.now() - dt.timedelta(minutes=30)).isoformat(),
            "lat": m.place.lat,
            "lon": m.place.lon,
            "marker": m.number,
            "condition": "damaged",
            "note": "Mốc bị nghiêng",
            "photo": {"filename": "moc.jpg", "data_base64": base64.b64encode(raw).decode()},
        }
    )
    c = client_for("na_meo_post_officer")
    before = CheckIn.objects.count()
    url = f"/api/v1/patrols/{patrol.pk}/checkins"
    r1 = c.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="ci-1")
    r2 = c.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="ci-1")
    assert r1.status_code == r2.status_code == 201, r1.content
    assert r1.json()["id"] == r2.json()["id"] and r1.json()["has_photo"]
    assert CheckIn.objects.count() == before + 1
    checkin = CheckIn.objects.get(pk=r1.json()["id"])
    stored = path_for(checkin.photo_sha256).read_bytes()
    assert b"SecretModel" not in stored and b"PhoneMaker" not in stored
    # The photo goes with the patrol: its post reads it, another post gets the missing answer.
    assert c.get(f"/api/v1/checkins/{checkin.pk}/photo").status_code == 200
    other = client_for("bat_mot_post_officer").get(f"/api/v1/checkins/{checkin.pk}/photo")
    assert other.status_code == 404


def test_a_finding_becomes_an_item_that_links_back(patrol, client_for):
    officer = cast_actor("na_meo_post_officer")
    c = services.checkin_record(officer, **_valid(patrol, note="Dấu chân và bao tải ở lối mòn"))
    client = client_for("na_meo_post_officer")
    body = json.dumps({"as": "item", "title": "Lối mòn vận chuyển hàng lậu", "category": "smuggling"})
    url = f"/api/v1/checkins/{c.pk}/findings"
    r1 = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f-1")
    r2 = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f-1")
    assert r1.status_code == r2.status_code == 201, r1.content
    assert r1.json() == r2.json()
    item = Item.objects.get(ref=r1.json()["ref"])
    assert patrol.ref in item.body and "Dấu chân" in item.body  # prefilled from the check-in
    assert item.origin_unit.code == "BP-DON-NA-MEO" and item.observed_at == c.at
    assert Finding.objects.filter(patrol=patrol, item=item).count() == 1
    detail = client.get(f"/api/v1/patrols/{patrol.pk}").json()
    assert [f["ref"] for f in detail["findings"]] == [item.ref]


def test_a_finding_becomes_an_incident_and_a_bad_one_writes_nothing(patrol):
    officer = cast_actor("na_meo_post_officer")
    c = services.checkin_record(officer, **_valid(patrol))
    from liaison.incidents.models import IncidentType

    before = (Incident.objects.count(), Finding.objects.count(), Item.objects.count())
    with pytest.raises(Invalid):
        services.finding_report(
            officer,
            checkin=c,
            as_="incident",
            title="",
            incident_type=IncidentType.objects.get(code="smuggling"),
        )
    with pytest.raises(Invalid):
        services.finding_report(officer, checkin=c, as_="item", title="Thiếu loại tin", category=None)
    assert (Incident.objects.count(), Finding.objects.count(), Item.objects.count()) == before
    f = services.finding_report(
        officer,
        checkin=c,
        as_="incident",
        title="Người vượt biên trái phép",
        incident_type=IncidentType.objects.get(code="smuggling"),
    )
    assert f.incident.lat == c.lat and patrol.ref in f.incident.description
    # Someone who sees the patrol but not the incident sees the finding without its reference.
    assert policy.visible(cast_actor("na_meo_post_officer"), Incident).filter(pk=f.incident.pk).exists()

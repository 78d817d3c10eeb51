"""The pages of issue 19's administration (items 4 and 6): an administrator registers an officer's
SMS number and an SMS gateway; the lead unit makes an incident public as a CAP 1.2 alert and
withdraws it. Thin pages over the API's services: the same rules, the field errors on the form."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.field.models import CapMessage, OfficerPhone, SmsGateway
from liaison.geo.models import Area
from liaison.incidents import services as incident_services
from liaison.incidents.models import IncidentType
from liaison.org.actor import SESSION_KEY
from liaison.org.models import Membership
from tests.conftest import cast_actor, signed_in_client

pytestmark = pytest.mark.django_db
NA_MEO = "VN-38-15013"  # the commune of Na Mèo


def test_an_administrator_registers_an_officers_number_on_the_page():
    member = cast_actor("na_meo_commune_police").user
    c = signed_in_client("police_administrator")
    assert c.get("/field/phones/").status_code == 200
    r = c.post("/field/phones/", {"username": member.username, "number": "0912 000 222"})
    assert r.status_code == 200
    assert OfficerPhone.objects.get(user=member).number == "+84912000222"
    assert "+84912000222" in r.content.decode()
    r = c.post("/field/phones/", {"username": member.username, "number": "abc"})
    assert r.status_code == 400 and 'id="id_number"' in r.content.decode()
    assert OfficerPhone.objects.get(user=member).number == "+84912000222"  # nothing changed
    r = c.post("/field/phones/", {"username": "khong-co-ai", "number": "0912000333"})
    assert r.status_code == 400
    # An administrator never registers their own number (one person alone could report as others).
    own = cast_actor("police_administrator").user
    r = c.post("/field/phones/", {"username": own.username, "number": "0912000444"})
    assert r.status_code == 400 and not OfficerPhone.objects.filter(user=own).exists()


def test_the_pages_are_refused_to_members_who_are_not_administrators():
    c = signed_in_client("na_meo_post_officer")
    assert c.get("/field/phones/").status_code == 403
    assert c.get("/field/gateways/").status_code == 403


def test_a_gateways_token_is_shown_once_on_the_page():
    c = signed_in_client("police_administrator")
    before = SmsGateway.objects.count()
    r = c.post("/field/gateways/", {"name": "Kannel Bát Mọt"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.content.decode()
    assert 'id="token">sms_' in body
    assert SmsGateway.objects.count() == before + 1
    assert "sms_" not in c.get("/field/gateways/").content.decode()  # never shown again


def lead_incident():
    return incident_services.incident_open(
        cast_actor("na_meo_post_officer"),
        incident_type=IncidentType.objects.get(code="flash_flood"),
        title="Lũ quét bản Pù Quăn",
        description="Nội bộ: không công bố",
        tlp="amber",
        area=Area.objects.get(code=NA_MEO),
    )


def client_of_lead(inc) -> Client:
    """A client signed in as a commander or duty officer of the incident's lead unit (by rule)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    m = (
        Membership.objects.select_related("user")
        .filter(unit=inc.lead_unit, role__in=("commander", "duty_officer"), status="active")
        .first()
    )
    c = Client()
    c.force_login(m.user, backend="django.contrib.auth.backends.ModelBackend")
    session = c.session
    session[SESSION_KEY] = str(m.pk)
    device = TOTPDevice.objects.filter(user=m.user).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.save()
    return c


TEXTS = {
    "reason": "Dân cần tránh suối",
    "category": "Geo",
    "urgency": "Immediate",
    "certainty": "Observed",
    "vi_event": "Lũ quét",
    "vi_headline": "Lũ quét ở Na Mèo",
    "lo_event": "ນ້ຳຖ້ວມ",
    "lo_headline": "ນ້ຳຖ້ວມ ນາແມວ",
}


def test_the_lead_unit_makes_an_incident_public_and_withdraws_it_on_the_page():
    inc = lead_incident()
    c = client_of_lead(inc)
    url = f"/field/incidents/{inc.pk}/public/"
    assert c.get(url).status_code == 200
    assert f'href="{url}"' in c.get(f"/incidents/{inc.pk}/").content.decode()  # linked from the incident
    r = c.post(url, {"do": "publish", **TEXTS, "lo_headline": ""})
    assert r.status_code == 400 and not CapMessage.objects.filter(incident=inc).exists()
    assert 'id="id_lo_headline"' in r.content.decode()
    r = c.post(url, {"do": "publish", **TEXTS})
    assert r.status_code == 302
    assert [m.msg_type for m in CapMessage.objects.filter(incident=inc)] == ["Alert"]
    xml = c.get(f"/cap/{inc.pk}.xml").content.decode()
    assert "Lũ quét ở Na Mèo" in xml and "Nội bộ" not in xml  # only the texts written for the public
    r = c.post(url, {"do": "withdraw", "reason": "Nước đã rút"})
    assert r.status_code == 302
    assert CapMessage.objects.filter(incident=inc).order_by("-sequence").first().msg_type == "Cancel"


def test_another_unit_may_not_make_the_incident_public():
    inc = lead_incident()
    assert inc.lead_unit.code != "BP-DON-BAT-MOT"
    r = signed_in_client("bat_mot_post_officer").get(f"/field/incidents/{inc.pk}/public/")
    assert r.status_code in (403, 404)

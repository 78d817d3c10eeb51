"""CAP 1.2 (issue 19, item 6): the lead unit marks an incident public with a reason; the alert and
the Atom feed are public and valid against the OASIS CAP 1.2 schema (tests/field/CAP-v1.2.xsd); a
withdrawal is a Cancel referencing the earlier messages; an incident never made public (or a drill)
answers 404 exactly like a missing one."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from lxml import etree

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core.errors import Invalid, NotPermitted
from liaison.field import cap
from liaison.incidents.models import Incident
from tests.conftest import cast_actor

pytestmark = pytest.mark.django_db
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("CAP-v1.2.xsd"))))
NS = {"cap": cap.NS, "a": cap.ATOM}
TEXTS = {
    "vi": {"event": "Lũ quét", "headline": "Lũ quét ở Na Mèo", "instruction": "Tránh xa suối."},
    "lo": {"event": "ນ້ຳຖ້ວມ", "headline": "ນ້ຳຖ້ວມ ນາແມວ"},
    "en": {"event": "Flash flood", "headline": "Flash flood at Na Meo"},
}


def valid(xml: bytes) -> etree._Element:
    root = etree.fromstring(xml)
    SCHEMA.assertValid(root)
    return root


def lead_actor_and_incident():
    incident = Incident.objects.filter(is_drill=False).exclude(tlp="red").select_related("lead_unit").first()
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    m = (
        Membership.objects.select_related("user", "unit")
        .filter(unit=incident.lead_unit, role__in=("commander", "duty_officer"), status="active")
        .first()
    )
    return Actor(user=m.user, membership=m), incident


def test_publish_update_and_cancel_are_valid_cap_and_audited():
    actor, incident = lead_actor_and_incident()
    c = Client()
    assert c.get(f"/cap/{incident.pk}.xml").status_code == 404
    first = cap.publish(actor, incident, reason="Dân cần biết", texts=TEXTS, category="Geo")
    r = c.get(f"/cap/{incident.pk}.xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/cap+xml")
    root = valid(r.content)
    assert root.findtext("cap:msgType", namespaces=NS) == "Alert"
    assert root.findtext("cap:status", namespaces=NS) == "Actual"
    assert root.findtext("cap:scope", namespaces=NS) == "Public"
    sent = root.findtext("cap:sent", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", sent)
    assert [i.findtext("cap:language", namespaces=NS) for i in root.findall("cap:info", NS)] == [
        "vi",
        "lo",
        "en",
    ]
    assert incident.description not in r.content.decode() or not incident.description
    cap.publish(actor, incident, reason="Thêm chỉ dẫn", texts=TEXTS)
    update = valid(c.get(f"/cap/{incident.pk}.xml").content)
    assert update.findtext("cap:msgType", namespaces=NS) == "Update"
    assert cap.identifier(first) in update.findtext("cap:references", namespaces=NS)
    cap.withdraw(actor, incident, reason="Nước đã rút")
    cancel = valid(c.get(f"/cap/{incident.pk}.xml").content)
    assert cancel.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert len(cancel.findtext("cap:references", namespaces=NS).split(" ")) == 2
    verbs = list(AuditEvent.objects.filter(object_id=str(incident.pk)).values_list("verb", flat=True))
    assert verbs.count(Verb.INCIDENT_PUBLISHED) == 2 and verbs.count(Verb.INCIDENT_PUBLIC_WITHDRAWN) == 1


def test_the_feed_is_atom_and_every_alert_in_it_is_valid():
    actor, incident = lead_actor_and_incident()
    cap.publish(actor, incident, reason="Dân cần biết", texts=TEXTS)
    r = Client().get("/cap/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(r.content)
    alerts = feed.findall("a:entry/a:content/cap:alert", NS)
    assert alerts
    for alert in alerts:
        SCHEMA.assertValid(etree.fromstring(etree.tostring(alert)))


def test_only_the_lead_unit_publishes_never_a_drill_and_a_reason_is_required():
    actor, incident = lead_actor_and_incident()
    with pytest.raises(Invalid):
        cap.publish(actor, incident, reason=" ", texts=TEXTS)
    with pytest.raises(Invalid):
        cap.publish(actor, incident, reason="x", texts={"vi": TEXTS["vi"]})
    with pytest.raises(NotPermitted):
        cap.publish(cast_actor("hua_phan_partner"), incident, reason="x", texts=TEXTS)
    with pytest.raises(NotPermitted):
        cap.publish(cast_actor("auditor"), incident, reason="x", texts=TEXTS)
    incident.is_drill = True
    with pytest.raises(NotPermitted):
        cap.publish(actor, incident, reason="x", texts=TEXTS)


def test_a_non_public_incident_answers_exactly_like_a_missing_one():
    _, incident = lead_actor_and_incident()
    c = Client()
    hidden, missing = c.get(f"/cap/{incident.pk}.xml"), c.get(f"/cap/{uuid.uuid4()}.xml")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content and hidden["Content-Type"] == missing["Content-Type"]


def _client_of(actor) -> Client:
    from tests.conftest import SESSION_KEY

    client = Client()
    client.force_login(actor.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(actor.membership.pk)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor.user).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_the_api_publishes_and_withdraws_and_names_a_missing_field():
    actor, incident = lead_actor_and_incident()
    c = _client_of(actor)
    url = f"/api/v1/incidents/{incident.pk}/public"
    body = {"reason": "Dân cần biết", "vi": TEXTS["vi"], "lo": TEXTS["lo"]}
    r = c.post(url, {"reason": "x", "vi": TEXTS["vi"]}, content_type="application/json")
    assert r.status_code == 422 and "lo" in r.content.decode()
    r = c.post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["msg_type"] == "Alert"
    r = c.post(url + "/withdraw", {"reason": "Nước đã rút"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["msg_type"] == "Cancel"
    valid(Client().get(f"/cap/{incident.pk}.xml").content)

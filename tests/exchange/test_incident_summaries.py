"""Incident summaries released to the partner (issue 20, "items and incident summaries").

The rules, stated here: a summary carries the incident's title, type, severity, status, handling
level, dates, place (the commune only, for AMBER and stricter; the position too for GREEN and
CLEAR) and outcome totals; never its description, a person (protected or not), a source or an
informant. The gate is the item's: RED never leaves, AMBER waits for a commander of the lead unit or
above who did not propose it, AMBER+STRICT leaves only by its lead unit. On the receiving node the
summary is a partner incident, seen by the units it was released to; later envelopes change its
status and outcome or withdraw it, applied in sequence.
"""

from __future__ import annotations

import json

import pytest

from liaison.core.errors import NotPermitted
from liaison.exchange import selectors, services
from liaison.exchange.models import OutEnvelope, PartnerIncident, Peer, Release
from liaison.geo.models import Area
from liaison.incidents import services as incidents
from liaison.incidents.models import IncidentType
from tests.conftest import cast_actor

from .conftest import as_hua_phan

BAT_MOT = "VN-38-15607"
SECRET_DESCRIPTION = "Người báo tin: anh Lò Văn Pọm, bản Pha Đén"


def open_incident(tlp="green", *, who="liaison_officer", **kw):
    """Opened by the province's liaison officer (the opener sees it); led by the Bát Mọt post."""
    return incidents.incident_open(
        cast_actor(who),
        incident_type=IncidentType.objects.get(code="drug_trafficking"),
        title=kw.pop("title", "Vận chuyển ma túy qua mốc 312"),
        description=SECRET_DESCRIPTION,
        area=Area.objects.get(code=BAT_MOT),
        lat=20.31234,
        lon=104.61234,
        tlp=tlp,
        **kw,
    )


def propose(incident, peer, who="liaison_officer"):
    return services.release_propose(cast_actor(who), incident=incident, peer=peer, to_units=["LA-HP-CA"])


def deliver(wire, key_file):
    with as_hua_phan(key_file):
        return services.envelope_receive(wire)


def test_a_summary_carries_the_facts_and_totals_and_never_a_person_or_the_description(peers):
    inc = open_incident("amber")
    officer = cast_actor("bat_mot_post_officer")
    incidents.person_add(
        officer, incident=inc, role="informant", label="Nguồn 1", identity={"full_name": "Lò Văn Pọm"}
    )
    incidents.person_add(officer, incident=inc, role="suspect", label="Đối tượng 1")
    incidents.outcome_record(officer, incident=inc, arrested=2, seizures=[("heroin_g", "350", "bánh")])
    preview = services.release_preview(cast_actor("liaison_officer"), incident=inc)
    text = json.dumps(preview, ensure_ascii=False)
    for secret in (SECRET_DESCRIPTION, "Pọm", "Nguồn 1", "Đối tượng 1", "bánh", "informant", "suspect"):
        assert secret not in text
    assert preview["title"] == "Vận chuyển ma túy qua mốc 312" and preview["language"] == "vi"
    assert preview["type"]["code"] == "drug_trafficking" and preview["status"] == "reported"
    assert preview["outcome"]["arrested"] == 2 and preview["outcome"]["seizures"] == {"heroin_g": 350}
    # AMBER: the commune, not the position.
    assert preview["place"] == {"area_code": BAT_MOT, "area_name": Area.objects.get(code=BAT_MOT).name}
    green = open_incident("green", title="Cháy rừng gần đồn")
    assert services.release_preview(cast_actor("liaison_officer"), incident=green)["place"]["lat"] == 20.31234
    r = propose(inc, peers[0])
    assert r.payload == preview and r.state == Release.State.PROPOSED


def test_the_gate_is_the_items_red_never_amber_by_a_commander_strict_by_the_lead_unit(peers):
    with pytest.raises(NotPermitted):
        propose(open_incident("red"), peers[0])
    assert not OutEnvelope.objects.filter(peer=peers[0]).exists()
    r = propose(open_incident("amber"), peers[0])
    with pytest.raises(NotPermitted):
        services.release_approve(cast_actor("na_meo_post_commander"), release=r)  # not above Bát Mọt
    services.release_approve(cast_actor("border_guard_commander"), release=r)
    r.refresh_from_db()
    assert r.state == Release.State.SENT and OutEnvelope.objects.filter(release=r).count() == 1
    strict = open_incident("amber_strict")
    with pytest.raises(NotPermitted):  # the province's liaison officer is not the lead unit
        propose(strict, peers[0])
    green = propose(open_incident("green", title="Sạt lở đường 15C"), peers[0])
    assert green.state == Release.State.SENT


def test_a_summary_arrives_as_a_partner_incident_seen_by_its_recipients_and_updates_follow(
    peers, hua_phan_key_file
):
    inc = open_incident("green")
    r = propose(inc, peers[0])
    officer = cast_actor("bat_mot_post_officer")
    incidents.outcome_record(officer, incident=inc, arrested=3)
    incidents.incident_transition(officer, incident=inc, to="acknowledged")
    services.release_regrade(cast_actor("liaison_officer"), release=r)  # the status, from the page
    services.release_withdraw(cast_actor("liaison_officer"), release=r)
    release, update, withdrawal = OutEnvelope.objects.filter(peer=peers[0]).order_by("seq")
    assert json.loads(update.wire)["envelope"]["body"]["status"] == "acknowledged"
    # Out of order, each three times: applied in sequence, stored once.
    for wire in (withdrawal.wire, update.wire, release.wire) * 3:
        deliver(wire, hua_phan_key_file)
    with as_hua_phan(hua_phan_key_file):
        pinc = PartnerIncident.objects.get(release_id=r.pk)
        assert pinc.status == "acknowledged" and pinc.outcome["arrested"] == 3
        assert pinc.state == PartnerIncident.State.WITHDRAWN and pinc.version == 3
        assert pinc.owner_unit.code == "BP-DON-BAT-MOT" and pinc.peer.name == "thanh-hoa"
        assert Peer.objects.get(name="thanh-hoa").in_applied == 3
        partner = cast_actor("hua_phan_partner")  # an officer of LA-HP-CA, a recipient
        assert list(selectors.partner_incident_list(partner)) == [pinc]
        services.partner_incident_open(partner, incident=pinc)
        services.partner_incident_acknowledge(partner, incident=pinc)
        receipts = list(OutEnvelope.objects.filter(peer__name="thanh-hoa", kind="receipt").order_by("seq"))
    assert [json.loads(e.wire)["envelope"]["body"]["event"] for e in receipts] == [
        "delivered",
        "read",
        "acknowledged",
    ]
    # On Thanh Hoa, the partner's record is nobody's to read.
    assert pinc not in list(selectors.partner_incident_list(cast_actor("liaison_officer")))
    for e in receipts:
        services.envelope_receive(e.wire)
    r.refresh_from_db()
    assert r.delivered_at and r.read_at and r.acknowledged_at


def test_a_summary_raised_to_red_is_withdrawn_instead_of_updated(peers):
    inc = open_incident("green")
    r = propose(inc, peers[0])
    type(inc).objects.filter(pk=inc.pk).update(tlp="red")
    services.release_regrade(cast_actor("liaison_officer"), release=r)
    r.refresh_from_db()
    last = OutEnvelope.objects.filter(peer=peers[0]).order_by("-seq").first()
    assert r.state == Release.State.WITHDRAWN
    assert json.loads(last.wire)["envelope"]["body"] == {"release": str(r.pk), "action": "withdraw"}


def test_a_summary_with_a_malformed_outcome_is_refused(peers, hua_phan_key_file):
    from liaison.audit.checkpoints import load_or_create_key
    from liaison.core import clock
    from liaison.exchange import envelope as envl

    inc = open_incident("green")
    payload = services.incident_summary_payload(inc) | {"outcome": {"arrested": "many"}}
    wire = envl.seal(
        load_or_create_key(),
        sender="thanh-hoa",
        to="xam-nua",
        seq=1,
        kind="release",
        at=clock.now().isoformat(),
        body={
            "release": "00000000-0000-4000-8000-000000000001",
            "to_units": ["LA-HP-CA"],
            "incident": payload,
        },
    )
    with pytest.raises(envl.EnvelopeError, match="schema"):
        deliver(wire, hua_phan_key_file)
    with as_hua_phan(hua_phan_key_file):
        assert not PartnerIncident.objects.filter(peer__name="thanh-hoa").exists()


# --- pages -----------------------------------------------------------------------------------------


def test_the_summary_preview_page_shows_exactly_what_leaves_and_the_release_page_regrades_and_withdraws(
    peers,
):
    from tests.conftest import signed_in_client

    inc = open_incident("green", title="Bắt giữ 2 đối tượng tại Bát Mọt")
    incidents.person_add(cast_actor("bat_mot_post_officer"), incident=inc, role="victim", label="Nạn nhân A")
    officer = signed_in_client("liaison_officer")
    assert f"/exchange/release-incident/{inc.pk}/" in officer.get(f"/incidents/{inc.pk}/").content.decode()
    page = officer.get(f"/exchange/release-incident/{inc.pk}/").content.decode()
    assert "Bắt giữ 2 đối tượng tại Bát Mọt" in page and "20,31234" in page  # the reader's decimal comma
    assert SECRET_DESCRIPTION not in page and "Nạn nhân A" not in page
    r = officer.post(
        f"/exchange/release-incident/{inc.pk}/", {"peer": str(peers[0].pk), "to_units": "LA-HP-CA"}
    )
    release = Release.objects.get(incident=inc)
    assert r.status_code == 302 and release.state == Release.State.SENT
    page = officer.get(f"/exchange/releases/{release.pk}/").content.decode()
    assert "/regrade/" in page and "/withdraw/" in page
    assert officer.post(f"/exchange/releases/{release.pk}/regrade/").status_code == 302
    assert officer.post(f"/exchange/releases/{release.pk}/withdraw/").status_code == 302
    release.refresh_from_db()
    actions = [
        json.loads(e.wire)["envelope"]["body"].get("action")
        for e in OutEnvelope.objects.filter(release=release).order_by("seq")
    ]
    assert release.state == Release.State.WITHDRAWN and actions == [None, "summary", "withdraw"]
    # Nothing is offered once withdrawn; an unknown action is a 404.
    assert "/regrade/" not in officer.get(f"/exchange/releases/{release.pk}/").content.decode()
    assert officer.post(f"/exchange/releases/{release.pk}/nothing/").status_code == 404


def test_an_item_is_regraded_from_its_release_page(peers):
    from liaison.intel.models import Item
    from tests.conftest import signed_in_client

    from .conftest import make_item

    item = make_item(tlp="green")
    release = services.release_propose(
        cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    Item.objects.filter(pk=item.pk).update(tlp="amber")
    officer = signed_in_client("liaison_officer")
    assert officer.post(f"/exchange/releases/{release.pk}/regrade/").status_code == 302
    last = OutEnvelope.objects.filter(release=release).order_by("-seq").first()
    assert json.loads(last.wire)["envelope"]["body"]["action"] == "regrade"
    assert json.loads(last.wire)["envelope"]["body"]["tlp"] == "amber"


def test_the_partner_officer_reads_and_acknowledges_a_summary_in_lao(peers, hua_phan_key_file):
    from tests.conftest import signed_in_client

    inc = open_incident("green", title="Cháy rừng gần mốc 312")
    r = propose(inc, peers[0])
    deliver(OutEnvelope.objects.get(release=r, kind="release").wire, hua_phan_key_file)
    with as_hua_phan(hua_phan_key_file):
        pinc = PartnerIncident.objects.get(release_id=r.pk)
        client = signed_in_client("hua_phan_partner")
        client.cookies["liaison-lang"] = "lo"
        hub = client.get("/exchange/", HTTP_ACCEPT_LANGUAGE="lo").content.decode()
        assert f'data-partner-incident="{pinc.pk}"' in hub
        page = client.get(
            f"/exchange/partner-incidents/{pinc.pk}/", HTTP_ACCEPT_LANGUAGE="lo"
        ).content.decode()
        assert "Cháy rừng gần mốc 312" in page and "ຢືນຢັນການຮັບ" in page  # "acknowledge receipt"
        client.post(f"/exchange/partner-incidents/{pinc.pk}/")
        pinc.refresh_from_db()
        assert pinc.read_at and pinc.acknowledged_at
    # Thanh Hoa's own officers: as if it did not exist.
    assert (
        signed_in_client("liaison_officer").get(f"/exchange/partner-incidents/{pinc.pk}/").status_code == 404
    )

"""The exchange's pages: the release preview and gate, a release with its receipt, a partner item
with its translation (in Lao for the partner's officer), the peer page's gaps, the pull endpoint."""

from __future__ import annotations

import base64
import json

from django.test import Client, override_settings

from liaison.audit.checkpoints import load_or_create_key
from liaison.core import clock
from liaison.exchange import services, wire
from liaison.exchange.models import OutEnvelope, PartnerItem, Release
from tests.conftest import cast_actor, signed_in_client

from .conftest import PARTNER_NODE, as_hua_phan, make_item


def test_the_preview_shows_exactly_what_leaves_and_the_commander_approves(peers):
    item = make_item(tlp="amber", body="Văn bản gốc, như đã viết.")
    officer = signed_in_client("liaison_officer")
    r = officer.get(f"/exchange/release/{item.pk}/")
    assert r.status_code == 200 and "Văn bản gốc, như đã viết." in r.content.decode()
    r = officer.post(f"/exchange/release/{item.pk}/", {"peer": str(peers[0].pk), "to_units": "LA-HP-CA"})
    release = Release.objects.get(item=item)
    assert r.status_code == 302 and release.state == Release.State.PROPOSED
    r = signed_in_client("border_guard_commander").post(f"/exchange/releases/{release.pk}/approve/")
    release.refresh_from_db()
    assert r.status_code == 302 and release.state == Release.State.SENT
    page = officer.get(f"/exchange/releases/{release.pk}/").content.decode()
    assert "LA-HP-CA" in page and "Văn bản gốc, như đã viết." in page


def test_a_red_item_has_no_release_page_but_the_reason(peers):
    item = make_item(tlp="red")
    r = signed_in_client("liaison_officer").get(f"/exchange/release/{item.pk}/")
    assert r.status_code == 200 and 'name="to_units"' not in r.content.decode()


def test_the_partner_officer_reads_translates_and_acknowledges_in_lao(peers, hua_phan_key_file):
    item = make_item(tlp="green", title="Hàng lậu qua mốc 312", body="Ba người mang hàng.")
    release = services.release_propose(
        cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    with as_hua_phan(hua_phan_key_file):
        services.envelope_receive(OutEnvelope.objects.get(release=release).wire)
        pi = PartnerItem.objects.get(release_id=release.pk)
        client = signed_in_client("hua_phan_partner")
        client.cookies["liaison-lang"] = "lo"
        page = client.get(f"/exchange/partner-items/{pi.pk}/", HTTP_ACCEPT_LANGUAGE="lo").content.decode()
        assert "Hàng lậu qua mốc 312" in page and "ເພີ່ມຄຳແປ" in page  # "add a translation"
        client.post(
            f"/exchange/partner-items/{pi.pk}/", {"title": "ສິນຄ້າເຖື່ອນ", "body": "ສາມຄົນ", "language": "lo"}
        )
        client.post(f"/exchange/partner-items/{pi.pk}/", {"action": "acknowledge"})
        pi.refresh_from_db()
        assert pi.translated_title == "ສິນຄ້າເຖື່ອນ" and pi.acknowledged_at and pi.title == "Hàng lậu qua mốc 312"
        hub = client.get("/exchange/").content.decode()
        assert f'data-id="{pi.pk}"' in hub


def test_the_peer_page_shows_a_gap(peers, hua_phan_key_file):
    officer = cast_actor("liaison_officer")
    r1 = services.release_propose(officer, item=make_item(tlp="green"), peer=peers[0], to_units=["LA-HP-CA"])
    services.release_propose(officer, item=make_item(tlp="green"), peer=peers[0], to_units=["LA-HP-CA"])
    second = OutEnvelope.objects.filter(peer=peers[0]).exclude(release=r1).get()
    with as_hua_phan(hua_phan_key_file):
        services.envelope_receive(second.wire)
    page = (
        signed_in_client("border_guard_administrator").get(f"/exchange/peers/{peers[1].pk}/").content.decode()
    )
    assert "<strong>" in page and ": 1</strong>" in page


def test_the_pull_endpoint_answers_only_a_request_signed_by_the_peer(peers, hua_phan_key_file):
    officer = cast_actor("liaison_officer")
    services.release_propose(officer, item=make_item(tlp="green"), peer=peers[0], to_units=["LA-HP-CA"])
    date = clock.now().isoformat()
    key = load_or_create_key(hua_phan_key_file)
    with override_settings():
        from django.conf import settings

        text = wire.pull_signature_text(PARTNER_NODE, settings.NODE_NAME, 0, date)
    headers = {
        "HTTP_X_LIAISON_DATE": date,
        "HTTP_X_LIAISON_SIGNATURE": base64.b64encode(key.sign(text)).decode(),
    }
    r = Client().get("/exchange/outbox/", {"peer": PARTNER_NODE, "after": 0}, **headers)
    assert r.status_code == 200 and len(r.content.decode().splitlines()) == 1
    wrong = {
        **headers,
        "HTTP_X_LIAISON_SIGNATURE": base64.b64encode(load_or_create_key().sign(text)).decode(),
    }
    assert Client().get("/exchange/outbox/", {"peer": PARTNER_NODE, "after": 0}, **wrong).status_code == 404


def test_the_partner_keeps_our_checkpoints_and_verify_compares_with_them(
    peers, hua_phan_key_file, monkeypatch, link
):
    from liaison.audit.checkpoints import write_checkpoint
    from liaison.audit.management.commands.audit import compare_with_witness
    from liaison.audit.models import AuditEvent
    from liaison.exchange import tasks
    from liaison.exchange.models import WitnessedCheckpoint

    link()  # the chainer's pass: the checkpoint covers what the peers' set-up wrote
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    cp = write_checkpoint(force=True)
    assert cp.seq == AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert services.checkpoints_send(peers[0]) >= 1
    for e in OutEnvelope.objects.filter(peer=peers[0], kind="checkpoint").order_by("seq"):
        with as_hua_phan(hua_phan_key_file):
            services.envelope_receive(e.wire)
    with as_hua_phan(hua_phan_key_file):
        kept = list(
            WitnessedCheckpoint.objects.filter(peer__name="thanh-hoa")
            .order_by("n")
            .values_list("line", flat=True)
        )
    assert kept
    peers[0].base_url = "http://xam-nua.invalid"
    peers[0].save()

    class Answer:
        def __init__(self, lines):
            self.text = "".join(x + "\n" for x in lines)

        def raise_for_status(self):
            return None

    monkeypatch.setattr(tasks, "signed_get", lambda *a, **k: Answer(kept))
    assert compare_with_witness(PARTNER_NODE)[0] == 0
    last = json.loads(kept[-1])
    last["hash"] = "0" * 64
    tampered = [*kept[:-1], json.dumps(last)]
    monkeypatch.setattr(tasks, "signed_get", lambda *a, **k: Answer(tampered))
    assert compare_with_witness(PARTNER_NODE)[0] == 1


def test_an_administrator_registers_and_revokes_a_partner_node_on_the_page(db):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from liaison.exchange import envelope as envl
    from liaison.exchange.models import Peer

    key = envl.public_b64(Ed25519PrivateKey.generate().public_key())
    form = {"name": "viengxay", "unit": "LA-HP-BV", "base_url": "https://viengxay.example", "public_key": key}
    assert signed_in_client("liaison_officer").post("/exchange/peers/new/", form).status_code == 403
    admin = signed_in_client("border_guard_administrator")
    r = admin.post("/exchange/peers/new/", form)
    peer = Peer.objects.get(name="viengxay")
    assert r.status_code == 302 and peer.country == "LA" and peer.unit.code == "LA-HP-BV"
    page = admin.get(f"/exchange/peers/{peer.pk}/").content.decode()
    assert envl.fingerprint_words(peer.keys.get().fingerprint) in page
    admin.post(f"/exchange/peers/{peer.pk}/revoke/")
    peer.refresh_from_db()
    assert peer.state == Peer.State.REVOKED


def test_the_explainer_covers_the_partner_node(peers):
    item = make_item(tlp="green")
    services.release_propose(cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"])
    page = signed_in_client("liaison_officer").get(f"/items/{item.pk}/access/").content.decode()
    assert PARTNER_NODE in page and "LA-HP-CA" in page

"""The exchange's rules, in one database (tests/exchange/conftest.py): the release gate, what leaves,
what a receiver refuses, exactly once, partner items, receipts."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison import policy
from liaison.audit.checkpoints import load_or_create_key
from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core.errors import NotPermitted
from liaison.exchange import envelope as envl
from liaison.exchange import selectors, services
from liaison.exchange.models import InEnvelope, OutEnvelope, PartnerItem, Peer, Release
from liaison.geo.models import Area
from liaison.org.actor import Actor
from tests.conftest import cast_actor

from .conftest import PARTNER_NODE, as_hua_phan, make_item, partner_envelope


def refusals(reason):
    return AuditEvent.objects.filter(verb=Verb.ENVELOPE_REFUSED, object_ref__startswith=reason + " ").count()


def test_fingerprint_reads_as_hex_groups_and_eight_words():
    fp = envl.fingerprint(bytes(32))
    assert envl.fingerprint_groups(fp).count(" ") == 7
    assert len(envl.fingerprint_words(fp).split()) == 8


# --- the release gate ------------------------------------------------------------------------------


def test_red_never_leaves(peers):
    item = make_item(tlp="red")
    with pytest.raises(NotPermitted):
        services.release_propose(
            cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
        )
    assert not OutEnvelope.objects.filter(peer=peers[0]).exists()


def test_green_leaves_on_a_liaison_officers_proposal(peers):
    item = make_item(tlp="green")
    r = services.release_propose(
        cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    assert r.state == Release.State.SENT
    env = OutEnvelope.objects.get(release=r)
    assert env.seq == 1 and json.loads(env.wire)["envelope"]["body"]["item"] == r.payload
    assert AuditEvent.objects.filter(verb=Verb.RELEASE_SENT, object_id=str(r.pk)).exists()


def test_only_a_liaison_officer_proposes(peers):
    item = make_item(tlp="green")
    with pytest.raises(NotPermitted):
        services.release_propose(
            cast_actor("border_guard_commander"), item=item, peer=peers[0], to_units=["X"]
        )


def test_amber_waits_for_a_commander_who_is_not_the_proposer(peers):
    item = make_item(tlp="amber")
    r = services.release_propose(
        cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    assert r.state == Release.State.PROPOSED and not OutEnvelope.objects.filter(peer=peers[0]).exists()
    with pytest.raises(NotPermitted):
        services.release_approve(cast_actor("na_meo_post_commander"), release=r)  # not above BP-TH
    services.release_approve(cast_actor("border_guard_commander"), release=r)
    r.refresh_from_db()
    assert r.state == Release.State.SENT and OutEnvelope.objects.filter(release=r).count() == 1


def test_amber_strict_leaves_only_by_its_originating_unit(peers):
    item = make_item(who="na_meo_post_officer", tlp="amber_strict")
    # The province's liaison officer does not even see it; the post's commander (originating unit) may.
    assert not policy.can(cast_actor("liaison_officer"), "release.propose", item)
    assert policy.can(cast_actor("na_meo_post_commander"), "release.propose", item)
    r = services.release_propose(
        cast_actor("na_meo_post_commander"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    # The commander above (border guard province) is not the originating unit.
    assert not policy.can(cast_actor("border_guard_commander"), "release.approve", r)
    assert r.state == Release.State.PROPOSED


def test_the_preview_is_the_payload_and_amber_places_are_generalised_to_the_commune(peers):
    area = Area.objects.filter(kind="commune", country="VN").first()
    item = make_item(tlp="amber", lat=20.1, lon=104.5, area=area, body="Nguồn tin: người dân báo.")
    preview = services.release_preview(cast_actor("liaison_officer"), item=item)
    assert "lat" not in preview["place"] and preview["place"]["area_code"] == area.code
    assert preview["body"] == "Nguồn tin: người dân báo." and preview["language"] == "vi"
    assert not {"origin_officer", "attachments", "shares", "persons"} & set(preview)
    r = services.release_propose(
        cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    assert r.payload == preview
    green = make_item(tlp="green", lat=20.1, lon=104.5, area=area)
    assert services.release_preview(cast_actor("liaison_officer"), item=green)["place"]["lat"] == 20.1


# --- receiving ------------------------------------------------------------------------------------


def _deliver_to_partner(env_wire, key_file):
    with as_hua_phan(key_file):
        return services.envelope_receive(env_wire)


def test_a_release_becomes_a_partner_item_seen_by_its_recipients_and_receipts_come_back(
    peers, hua_phan_key_file
):
    item = make_item(tlp="green", title="ສິນຄ້າເຖື່ອນ ຜ່ານດ່ານ", body="ພົບເຫັນ 3 ຄົນ")
    r = services.release_propose(
        cast_actor("liaison_officer"), item=item, peer=peers[0], to_units=["LA-HP-CA"]
    )
    wire = OutEnvelope.objects.get(release=r).wire
    for _ in range(3):  # delivered three times, stored once
        _deliver_to_partner(wire, hua_phan_key_file)
    with as_hua_phan(hua_phan_key_file):
        pi = PartnerItem.objects.get(release_id=r.pk)
        assert pi.language == "lo" and pi.owner_unit.code == "BP-TH" and pi.peer.name == "thanh-hoa"
        partner = cast_actor("hua_phan_partner")
        assert list(selectors.partner_item_list(partner)) == [pi]
        # Opening it sends a "read" receipt; a translation sits beside the original.
        services.partner_item_open(partner, item=pi)
        services.partner_item_translate(
            partner, item=pi, title="Hàng lậu qua cửa khẩu", body="Phát hiện 3 người", language="vi"
        )
        pi.refresh_from_db()
        assert pi.title == "ສິນຄ້າເຖື່ອນ ຜ່ານດ່ານ" and pi.translated_title == "Hàng lậu qua cửa khẩu"
        receipts = list(OutEnvelope.objects.filter(peer__name="thanh-hoa", kind="receipt").order_by("seq"))
        assert [json.loads(e.wire)["envelope"]["body"]["event"] for e in receipts] == ["delivered", "read"]
    # Thanh Hoa's officers see nothing of it: it is Hua Phan's record now.
    assert pi not in list(selectors.partner_item_list(cast_actor("liaison_officer")))
    for e in receipts:
        services.envelope_receive(e.wire)
    r.refresh_from_db()
    assert r.delivered_at and r.read_at and not r.acknowledged_at


def test_updates_apply_in_sequence_and_a_gap_is_shown(peers, hua_phan_key_file):
    item = make_item(tlp="green")
    officer = cast_actor("liaison_officer")
    r = services.release_propose(officer, item=item, peer=peers[0], to_units=["LA-HP-CA"])
    services.release_withdraw(officer, release=r)
    first, second = OutEnvelope.objects.filter(peer=peers[0]).order_by("seq")
    _deliver_to_partner(second.wire, hua_phan_key_file)  # the withdrawal first: held back
    with as_hua_phan(hua_phan_key_file):
        peer = Peer.objects.get(name="thanh-hoa")
        assert selectors.gaps(peer) == [1] and not PartnerItem.objects.filter(peer=peer).exists()
    _deliver_to_partner(first.wire, hua_phan_key_file)
    with as_hua_phan(hua_phan_key_file):
        peer.refresh_from_db()
        assert selectors.gaps(peer) == [] and peer.in_applied == 2
        assert PartnerItem.objects.get(release_id=r.pk).state == PartnerItem.State.WITHDRAWN


def test_every_invalid_envelope_is_refused_audited_and_stores_nothing(peers, hua_phan_key_file):
    partner_key = load_or_create_key(hua_phan_key_file)
    good = partner_envelope(partner_key, 1)
    assert services.envelope_receive(good)["status"] == "stored"

    def refused(wire, reason):
        before = refusals(reason)
        with pytest.raises(envl.EnvelopeError) as e:
            services.envelope_receive(wire)
        assert e.value.reason == reason and refusals(reason) == before + 1

    changed = partner_envelope(partner_key, 2).replace('"read"', '"reax"')
    refused(changed, "signature")
    refused(partner_envelope(Ed25519PrivateKey.generate(), 3), "unknown_key")
    refused(partner_envelope(partner_key, 4, to="someone-else"), "addressee")
    refused(partner_envelope(partner_key, 5, sender="nobody"), "unknown_peer")
    refused(partner_envelope(partner_key, 1), "replay")  # an old number under a new id
    refused("{not json", "schema")
    refused(partner_envelope(partner_key, 6, kind="release", body={"release": "x"}), "schema")
    services.peer_revoke(Actor.system(), peer=peers[0])
    refused(partner_envelope(partner_key, 7), "revoked_peer")
    assert InEnvelope.objects.filter(peer=peers[0]).count() == 1


def test_a_rotated_key_is_accepted_during_its_overlap_only(peers, hua_phan_key_file):
    old = load_or_create_key(hua_phan_key_file)
    new = Ed25519PrivateKey.generate()
    services.peer_key_rotate(
        Actor.system(), peer=peers[0], public_key=envl.public_b64(new.public_key()), overlap_days=0
    )
    with pytest.raises(envl.EnvelopeError):
        services.envelope_receive(partner_envelope(old, 1))
    assert services.envelope_receive(partner_envelope(new, 1))["status"] == "stored"


def test_a_file_carries_envelopes_exactly_once(peers, hua_phan_key_file, tmp_path):
    from django.core.management import call_command

    for _ in range(3):
        services.release_propose(
            cast_actor("liaison_officer"), item=make_item(tlp="green"), peer=peers[0], to_units=["LA-HP-CA"]
        )
    path = tmp_path / "usb.jsonl"
    call_command("exchange", "export", PARTNER_NODE, str(path))
    with as_hua_phan(hua_phan_key_file):
        call_command("exchange", "import", str(path))
        call_command("exchange", "import", str(path))
        assert PartnerItem.objects.filter(peer__name="thanh-hoa").count() == 3


def test_the_command_line_registers_rotates_and_revokes_a_peer(db, capsys):
    from django.core.management import call_command

    first, second = (envl.public_b64(Ed25519PrivateKey.generate().public_key()) for _ in range(2))
    call_command("exchange", "peer-add", "houaphanh", "--country", "LA", "--unit", "LA-HP-BV", "--key", first)
    call_command("exchange", "peer-add", "houaphanh", "--country", "LA", "--unit", "LA-HP-BV", "--key", first)
    assert "already registered" in capsys.readouterr().out
    call_command("exchange", "peer-rotate", "houaphanh", "--key", second, "--overlap-days", "3")
    peer = Peer.objects.get(name="houaphanh")
    old, new = peer.keys.order_by("created_at")
    assert old.valid_until is not None and new.valid_until is None
    call_command("exchange", "peer-revoke", "houaphanh")
    call_command("exchange", "identity")
    out = capsys.readouterr().out
    assert "fingerprint_words:" in out
    peer.refresh_from_db()
    assert peer.state == Peer.State.REVOKED


def test_a_peer_that_answers_again_gets_what_waited_in_backoff_at_once(peers, monkeypatch):
    """The rule: when a push succeeds, every envelope for that peer still waiting out a backoff is
    due now (the lower numbers that failed while it was down follow at once, no gap for an hour)."""
    import datetime as dt

    from liaison.core import clock
    from liaison.exchange import tasks

    officer = cast_actor("liaison_officer")
    for _ in range(2):
        services.release_propose(officer, item=make_item(tlp="green"), peer=peers[0], to_units=["LA-HP-CA"])
    first, second = OutEnvelope.objects.filter(peer=peers[0]).order_by("seq")
    later = clock.now() + dt.timedelta(hours=1)
    OutEnvelope.objects.filter(pk=first.pk).update(attempts=5, next_attempt_at=later)

    class Answer:
        status_code, text = 200, "{}"

    class Client:
        def post(self, *a, **k):
            return Answer()

    monkeypatch.setattr(tasks, "client", lambda: Client())
    Peer.objects.filter(pk=peers[0].pk).update(base_url="http://partner.invalid")
    second.refresh_from_db()
    assert tasks.push_one(second)
    first.refresh_from_db()
    assert first.delivered_at is None and first.next_attempt_at <= clock.now()

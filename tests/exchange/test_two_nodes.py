"""Two sovereign nodes on one machine (issue 20, "Tests that matter").

Thanh Hoa is this test's database; Hua Phan is a node of its own (its own database, its own key,
`LIAISON_NODE_NAME=hua-phan`, `LIAISON_NODE_COUNTRY=LA`) served by a real `liaison serve` process.
Thanh Hoa releases items through its services; the envelopes travel over HTTP, each delivered three
times and out of order, beside a forged few; then the receiver is killed (SIGKILL) in the middle of
a batch and everything is delivered again. Hua Phan's database is read with plain SQL.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from liaison.audit.checkpoints import load_or_create_key
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.exchange import envelope as envl
from liaison.exchange import services
from liaison.exchange.models import OutEnvelope, Peer
from liaison.org.actor import Actor
from liaison.org.models import Unit
from tests.conftest import cast_actor
from tests.support.node import Node

from .conftest import PARTNER_NODE, make_item

OLD_PARTNER = Ed25519PrivateKey.generate()

SEED = """
import os
from liaison.demo import load
from liaison.exchange import services
from liaison.org.actor import Actor
from liaison.org.models import Unit
load.run(with_items=False)
for name, key in (("thanh-hoa", os.environ["SENDER_KEY"]), ("old-partner", os.environ["OLD_KEY"])):
    peer = services.peer_register(Actor.system(), name=name, country="VN", base_url="", public_key=key,
                                  unit=Unit.objects.get(code="BP-TH"))
services.peer_revoke(Actor.system(), peer=peer)
"""


@pytest.fixture(scope="module")
def hua_phan(tmp_path_factory, django_db_blocker):
    with django_db_blocker.unblock():
        node = Node(
            tmp_path_factory.mktemp("hua-phan"),
            # Named after this run's own test database: two runs side by side never share it.
            name=f"{connection.settings_dict['NAME']}_node_b",
            LIAISON_NODE_NAME=PARTNER_NODE,
            LIAISON_NODE_COUNTRY="LA",
            LIAISON_CHECKPOINT_INTERVAL="3600",
        )
    try:
        node.run("migrate", "--noinput", "-v0")
        node.env["SENDER_KEY"] = services.node_identity()["public_key"]
        node.env["OLD_KEY"] = envl.public_b64(OLD_PARTNER.public_key())
        node.run("shell", "-c", SEED)
        yield node
    finally:
        with django_db_blocker.unblock():
            node.close()


def release_many(n: int, *, after: int = 0) -> list[OutEnvelope]:
    """n green items released to the partner, numbered after `after` (each test's own transaction
    rolls back, so the numbers the receiver already holds are skipped here, as a live sender's would)."""
    peer = Peer.objects.filter(name=PARTNER_NODE).first() or services.peer_register(
        Actor.system(),
        name=PARTNER_NODE,
        country="LA",
        base_url="",
        public_key=envl.public_b64(Ed25519PrivateKey.generate().public_key()),
        unit=Unit.objects.get(code="LA-HP-CA"),
    )
    Peer.objects.filter(pk=peer.pk).update(out_seq=after)
    officer = cast_actor("liaison_officer")
    for i in range(n):
        item = make_item(tlp="green", title=f"Tin trao đổi số {i}", body=f"Nội dung số {i} — ນີ້ແມ່ນຂໍ້ຄວາມ")
        services.release_propose(officer, item=item, peer=peer, to_units=["LA-HP-CA"])
    return list(OutEnvelope.objects.filter(peer=peer).order_by("seq"))


def post_all(base: str, wires: list[str], threads: int = 4, after=None) -> dict[str, int]:
    """Deliver every wire (in the order given) from a few threads; count the answers. `after`:
    (n, action) runs `action` once, as soon as n answers have come back."""
    counts: dict[str, int] = {}
    answered = [0]
    lock = threading.Lock()
    todo = list(enumerate(wires))

    def run():
        with httpx.Client(timeout=10) as c:
            while True:
                with lock:
                    if not todo:
                        return
                    _, wire = todo.pop(0)
                try:
                    r = c.post(base + "/exchange/inbox/", content=wire.encode())
                    key = r.json().get("status") or "refused:" + r.json().get("refused", "?")
                except (httpx.HTTPError, ValueError):
                    key = "error"
                with lock:
                    counts[key] = counts.get(key, 0) + 1
                    answered[0] += 1
                    now = after is not None and answered[0] == after[0]
                if now:
                    after[1]()

    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return counts


def refused(node: Node) -> dict[str, int]:
    rows = node.query("SELECT object_ref FROM audit_auditevent WHERE verb = ?", int(Verb.ENVELOPE_REFUSED))
    out: dict[str, int] = {}
    for (ref,) in rows:
        out[ref.split()[0]] = out.get(ref.split()[0], 0) + 1
    return out


def stored(node: Node) -> tuple[int, int, int, int]:
    [(envelopes, distinct)] = node.query("SELECT COUNT(*), COUNT(DISTINCT seq) FROM exchange_inenvelope")
    [(items,)] = node.query("SELECT COUNT(*) FROM exchange_partneritem")
    [(applied,)] = node.query("SELECT in_applied FROM exchange_peer WHERE name = 'thanh-hoa'")
    return envelopes, distinct, items, applied


def test_each_valid_envelope_is_stored_once_and_each_invalid_one_refused_and_audited(hua_phan, db):
    base = hua_phan.serve()
    wires = [e.wire for e in release_many(100)]
    me = load_or_create_key()
    # One with a byte changed, one signed by a wrong key, one from a revoked peer, an old one replayed.
    changed = wires[10].replace("Tin trao đổi số 10", "Tin trao đổi số 19")
    assert changed != wires[10]
    stranger = envl.seal(
        Ed25519PrivateKey.generate(),
        sender="thanh-hoa",
        to=PARTNER_NODE,
        seq=101,
        kind="receipt",
        at=clock.now().isoformat(),
        body={"release": str(uuid.uuid4()), "event": "read", "at": ""},
    )
    revoked = envl.seal(
        OLD_PARTNER,
        sender="old-partner",
        to=PARTNER_NODE,
        seq=1,
        kind="receipt",
        at=clock.now().isoformat(),
        body={"release": str(uuid.uuid4()), "event": "read", "at": ""},
    )
    replayed = envl.seal(
        me,
        sender="thanh-hoa",
        to=PARTNER_NODE,
        seq=5,
        kind="receipt",
        at=clock.now().isoformat(),
        body={"release": str(uuid.uuid4()), "event": "read", "at": ""},
    )
    batch = wires * 3
    random.Random(20).shuffle(batch)
    # The replay comes after its number was stored (the shuffled batch may hold it back otherwise).
    counts = post_all(base, [changed, stranger, revoked, *batch])
    counts |= post_all(base, [replayed])
    assert counts["stored"] == 100 and counts["duplicate"] == 200, counts
    assert stored(hua_phan) == (100, 100, 100, 100)
    assert refused(hua_phan) == {"signature": 1, "unknown_key": 1, "revoked_peer": 1, "replay": 1}


def test_a_receiver_killed_mid_batch_loses_nothing_and_duplicates_nothing(hua_phan, db):
    before, *_ = stored(hua_phan)
    base = hua_phan.serve()
    wires = [e.wire for e in release_many(60, after=before)]  # the next 60 in sequence
    random.Random(9).shuffle(wires)
    # Killed once 20 answers are back: mid-batch whatever the machine's speed (a timer was not);
    # the whole receiver, its server's workers and stream process with it (its process group).
    first = post_all(
        base, wires, threads=2, after=(20, lambda: os.killpg(hua_phan.server.pid, signal.SIGKILL))
    )
    assert hua_phan.server.wait(10) == -signal.SIGKILL
    assert first.get("error", 0) > 0, f"the receiver was killed after the batch: {first}"
    base = hua_phan.serve()
    again = post_all(base, wires)
    # Every one answered now; each answered "stored" before the kill is a duplicate now (one whose
    # answer the kill cut off may be either: it committed, or it rolled back with the process).
    assert again.get("stored", 0) + again.get("duplicate", 0) == 60, (first, again)
    assert again.get("duplicate", 0) >= first.get("stored", 0), (first, again)
    assert stored(hua_phan) == (before + 60, before + 60, before + 60, before + 60)

"""Two nodes in one database, for the rules (the two-process tests are in test_two_nodes.py).

Thanh Hoa is this test database's node. Hua Phan is the same database seen with other settings
(`as_hua_phan()`: NODE_NAME, NODE_COUNTRY=LA and its own key file): its peers, inbox and partner
items are rows of their own, named by the peer, so the two never mix. An envelope travels by hand,
exactly as a file would.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import override_settings

from liaison.audit.checkpoints import load_or_create_key
from liaison.core import clock
from liaison.exchange import envelope as envl
from liaison.exchange import services
from liaison.intel.models import Category
from liaison.intel.services.items import item_create
from liaison.org.actor import Actor
from liaison.org.models import Unit
from tests.conftest import cast_actor

PARTNER_NODE = "xam-nua"  # not the demo's "hua-phan" peer: a partner node of the tests' own


@pytest.fixture
def hua_phan_key_file(tmp_path):
    return tmp_path / "hua-phan-ed25519.pem"


@contextmanager
def as_hua_phan(key_file):
    with override_settings(NODE_NAME=PARTNER_NODE, NODE_COUNTRY="LA", NODE_KEY_FILE=key_file):
        yield


def public_b64_of(key_file=None) -> str:
    return envl.public_b64(load_or_create_key(key_file).public_key())


@pytest.fixture
def peers(db, hua_phan_key_file):
    """Each node registers the other (the keys read over the phone, in the story)."""
    me = public_b64_of()
    partner = public_b64_of(hua_phan_key_file)
    to_partner = services.peer_register(
        Actor.system(),
        name=PARTNER_NODE,
        country="LA",
        base_url="",
        public_key=partner,
        unit=Unit.objects.get(code="LA-HP-CA"),
    )
    with as_hua_phan(hua_phan_key_file):
        to_us = services.peer_register(
            Actor.system(),
            name="thanh-hoa",
            country="VN",
            base_url="",
            public_key=me,
            unit=Unit.objects.get(code="BP-TH"),
        )
    return to_partner, to_us


def make_item(who="liaison_officer", tlp="green", **kw):
    actor = cast_actor(who)
    return item_create(
        actor,
        title=kw.pop("title", "Nhóm người lạ qua mốc 312"),
        body=kw.pop("body", "Phát hiện 3 người mang hàng qua đường mòn gần mốc 312."),
        category=Category.objects.filter(state="active").first(),
        observed_at=clock.now() - dt.timedelta(hours=2),
        reliability="B",
        credibility=2,
        tlp=tlp,
        **kw,
    )


def partner_envelope(key: Ed25519PrivateKey, seq: int, *, to="thanh-hoa", kind="receipt", body=None, **kw):
    """An envelope as Hua Phan would sign it (with any key: the tests sign with wrong ones too)."""
    return envl.seal(
        key,
        sender=kw.pop("sender", PARTNER_NODE),
        to=to,
        seq=seq,
        kind=kind,
        at=clock.now().isoformat(),
        body=body
        or {
            "release": "00000000-0000-0000-0000-000000000000",
            "event": "read",
            "at": clock.now().isoformat(),
        },
        **kw,
    )

"""The demo's cross-border exchange: items Hua Phan released to Thanh Hoa's units, in Lao.

The demo registers Hua Phan's earlier node under a throwaway key (its private half is used once, here, and
never kept), and imports three signed envelopes through the same receiving service as a file
carried by hand. `make demo-partner` then starts the live Hua Phan node (scripts/demo-partner).
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from liaison.core import clock
from liaison.exchange import envelope as envl
from liaison.exchange import services
from liaison.exchange.models import Peer
from liaison.org.actor import Actor
from liaison.org.models import Unit

# The partner's earlier node, whose items reached Thanh Hoa on a USB stick before the link existed;
# `make demo-partner` registers the live Hua Phan node beside it as "hua-phan".
PARTNER = "hua-phan-archive"

# (title, body, handling level, area, the Thanh Hoa units it is released to)
RELEASES = [
    (
        "ກຸ່ມຄົນແປກໜ້າ ຂົນສິນຄ້າ ຜ່ານທາງດ່ານ ໃກ້ຫຼັກໝາຍ",
        "ພົບເຫັນ 4 ຄົນ ຂົນສິນຄ້າ ຜ່ານທາງຍ່າງ ໄປຫາຝັ່ງຫວຽດນາມ ເວລາ 02:00.",
        "amber",
        ["BP-DON-NA-MEO", "CA-XA-NA-MEO"],
    ),
    (
        "ນ້ຳຖ້ວມ ເສັ້ນທາງ 6A ຖືກຕັດ",
        "ເສັ້ນທາງ ຈາກຊຳໃຕ້ ຫາດ່ານນາແມວ ຖືກນ້ຳຖ້ວມ ຕັດຂາດ 2 ມື້.",
        "green",
        ["BP-TH", "CA-TH"],
    ),
    (
        "ສົງໄສ ການຄ້າຢາເສບຕິດ ໃນເຂດຊາຍແດນ",
        "ມີຂໍ້ມູນວ່າ ກຸ່ມໜຶ່ງ ກຳລັງກະກຽມ ຂົນຢາເສບຕິດ ຜ່ານເຂດປ່າ.",
        "amber",
        ["BP-DON-BAT-MOT"],
    ),
]


def run(stdout=None) -> int:
    if settings.NODE_COUNTRY != "VN" or Peer.objects.filter(name=PARTNER).exists():
        return 0
    key = Ed25519PrivateKey.generate()
    peer = services.peer_register(
        Actor.system(),
        name=PARTNER,
        country="LA",
        base_url="",
        public_key=envl.public_b64(key.public_key()),
        unit=Unit.objects.get(code="LA-HP-CA"),
    )
    now = clock.now()
    for seq, (title, body, tlp, to_units) in enumerate(RELEASES, start=1):
        observed = (now - dt.timedelta(days=4 - seq)).astimezone(dt.UTC)
        wire = envl.seal(
            key,
            sender=PARTNER,
            to=settings.NODE_NAME,
            seq=seq,
            kind="release",
            at=observed.isoformat(),
            body={
                "release": f"00000000-0000-4000-8000-{seq:012d}",
                "to_units": to_units,
                "item": {
                    "ref": f"HP-2026-{seq:04d}",
                    "title": title,
                    "body": body,
                    "language": "lo",
                    "category": {"code": "smuggling", "vi": "", "en": "", "lo": ""},
                    "tlp": tlp,
                    "reliability": "B",
                    "credibility": 2,
                    "observed_at": observed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "origin_unit": "LA-HP-CA",
                    "place": {},
                },
            },
        )
        services.envelope_receive(wire, via="file")
    if stdout:
        stdout.write(f"    partner items from {peer.name}: {len(RELEASES)}\n")
    return len(RELEASES)

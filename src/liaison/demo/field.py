"""Demo field reporting (issue 19): the Na Mèo post officer's SMS number, and three tips from the
public (one with the sender's consent to keep the number)."""

from __future__ import annotations

from liaison.field import services, tips
from liaison.org.actor import Actor
from liaison.org.models import User

TIPS = [
    ("VN-38-15013", "Tối qua có hai người lạ gùi hàng qua đường mòn gần mốc 299.", "0987 654 321", True),
    ("VN-38-15607", "Có xe máy chở hàng qua suối lúc 5 giờ sáng, không đi qua trạm.", "", False),
    ("VN-38-14863", "Nước suối lên nhanh, đường vào bản bị sạt một đoạn.", "0912 000 111", False),
]


def run(stdout=None) -> None:
    system = Actor.system()
    services.phone_register(system, user=User.objects.get(username="trucban.don.nameo"), number="0912345678")
    for i, (commune, text, number, consent) in enumerate(TIPS):
        tips.tip_submit(
            channel="web",
            commune_code=commune,
            text=text,
            address=f"demo-{i}",
            number=number,
            consent=consent,
        )

"""Several hundred realistic information items over the last four quarters, through the services.

Deterministic (seeded). Texts are built from templates and real place names; they describe events,
never people: no names, no ethnicity, religion or political opinion.
"""

from __future__ import annotations

import datetime as dt
import random

from liaison.core import clock
from liaison.geo.models import Area, Place
from liaison.intel import services
from liaison.intel.models import Category, Item, Tlp
from liaison.org.actor import Actor
from liaison.org.models import Membership, Unit

SEED = 20261123
COUNT = 420

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "drug_trafficking": [
        (
            "Nghi vận chuyển ma túy qua đường mòn khu vực {place}",
            "Khoảng {hour} giờ, tổ công tác của {unit} nhận tin báo có {n} đối tượng mang ba lô đi theo đường mòn "
            "từ hướng biên giới vào khu vực {place}, nghi vận chuyển ma túy. Đề nghị các lực lượng phối hợp nắm "
            "tình hình, xác minh và có phương án ngăn chặn.",
        ),
        (
            "Phát hiện dấu hiệu tập kết ma túy gần {place}",
            "Qua nắm địa bàn, {unit} phát hiện dấu hiệu tập kết hàng nghi là ma túy tại khu vực rẫy cách {place} "
            "khoảng {km} km. Chưa xác định được số lượng. Đề nghị trao đổi thông tin với lực lượng chức năng.",
        ),
    ],
    "human_trafficking": [
        (
            "Nghi có người bị dụ dỗ sang Lào làm việc qua {place}",
            "{unit} nhận tin {n} người ở địa phương được giới thiệu sang Lào làm việc với thu nhập cao, dự kiến "
            "xuất cảnh qua khu vực {place} trong tuần. Có dấu hiệu mua bán người. Đề nghị xác minh, ngăn chặn.",
        ),
    ],
    "smuggling": [
        (
            "Hàng hóa nhập lậu qua đường mòn {place}",
            "Khoảng {hour} giờ, lực lượng {unit} phát hiện nhóm vận chuyển {n} kiện hàng (thuốc lá, hàng tiêu "
            "dùng) không có hóa đơn, chứng từ qua đường mòn gần {place}. Đã lập biên bản, tạm giữ hàng hóa.",
        ),
        (
            "Gỗ không rõ nguồn gốc tập kết gần {place}",
            "{unit} phát hiện khoảng {n} m³ gỗ không rõ nguồn gốc tập kết ven suối gần {place}, nghi chuẩn bị "
            "vận chuyển trái phép qua biên giới. Đề nghị phối hợp kiểm tra.",
        ),
    ],
    "illegal_crossing": [
        (
            "Xuất cảnh trái phép qua lối mở gần {place}",
            "Tổ tuần tra của {unit} phát hiện {n} người đi qua lối mở không phải cửa khẩu gần {place}, không có "
            "giấy tờ xuất nhập cảnh. Đã hướng dẫn quay lại, lập biên bản. Đề nghị tăng cường tuần tra khu vực.",
        ),
    ],
    "weapons_explosives": [
        (
            "Vận động giao nộp vũ khí, vật liệu nổ tại {place}",
            "Trong đợt vận động thu hồi vũ khí, vật liệu nổ, công cụ hỗ trợ, {unit} tiếp nhận {n} khẩu súng "
            "tự chế và một số kíp nổ do người dân tự nguyện giao nộp tại {place}.",
        ),
        (
            "Nghi tàng trữ vật liệu nổ trái phép gần {place}",
            "{unit} nhận tin báo về việc cất giấu vật liệu nổ (thuốc nổ, kíp nổ) trong hang đá gần {place}. "
            "Đề nghị lực lượng quân sự phối hợp xác minh, bảo đảm an toàn.",
        ),
    ],
    "cyber_fraud": [
        (
            "Lừa đảo chiếm đoạt tài sản qua mạng tại {place}",
            "{unit} tiếp nhận trình báo của {n} người dân bị lừa chuyển tiền qua mạng xã hội với thủ đoạn giả "
            "danh cơ quan chức năng. Tổng số tiền khoảng {m} triệu đồng. Đề nghị phối hợp truy vết.",
        ),
    ],
    "public_order": [
        (
            "Tranh chấp đất rẫy gây mất trật tự tại {place}",
            "Tại {place} xảy ra tranh chấp đất rẫy giữa hai hộ gia đình, có xô xát nhẹ. {unit} đã có mặt, hòa "
            "giải bước đầu. Đề nghị chính quyền xã tiếp tục giải quyết.",
        ),
    ],
    "natural_disaster": [
        (
            "Nguy cơ lũ ống, lũ quét khu vực {place}",
            "Mưa lớn kéo dài, mực nước suối khu vực {place} lên nhanh, xuất hiện vết nứt sườn đồi phía sau {n} "
            "hộ dân. {unit} đề nghị khẩn trương di dời dân khỏi khu vực nguy hiểm.",
        ),
        (
            "Sạt lở đường giao thông tại {place}",
            "Sạt lở taluy dương làm ách tắc tuyến đường qua {place}, khối lượng khoảng {n}0 m³. {unit} đã cắm "
            "biển cảnh báo, đề nghị đơn vị quản lý đường bộ khắc phục.",
        ),
    ],
    "search_rescue": [
        (
            "Người đi rừng mất liên lạc gần {place}",
            "{unit} nhận tin {n} người dân đi rừng từ sáng chưa trở về, mất liên lạc ở khu vực giáp biên gần "
            "{place}. Đề nghị các lực lượng phối hợp tổ chức tìm kiếm.",
        ),
    ],
    "other": [
        (
            "Thông tin khác từ địa bàn {place}",
            "{unit} ghi nhận {n} phương tiện lạ ra vào khu vực {place} vào ban đêm. Chưa xác định mục đích. "
            "Tiếp tục theo dõi, nắm tình hình.",
        ),
    ],
}
CATEGORY_WEIGHTS = {
    "drug_trafficking": 22,
    "smuggling": 16,
    "illegal_crossing": 14,
    "human_trafficking": 8,
    "weapons_explosives": 9,
    "cyber_fraud": 6,
    "public_order": 8,
    "natural_disaster": 9,
    "search_rescue": 4,
    "other": 4,
}
TLP_WEIGHTS = {Tlp.RED: 5, Tlp.AMBER_STRICT: 10, Tlp.AMBER: 45, Tlp.GREEN: 32, Tlp.CLEAR: 8}


def _pick(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def run(stdout=None) -> int:
    if Item.objects.exists():
        return Item.objects.count()
    rng = random.Random(SEED)
    authors = [
        m
        for m in Membership.objects.select_related("unit", "user")
        .filter(status="active", unit__country="VN", role__in=["duty_officer", "analyst"])
        .order_by("user__username")
    ]
    categories = {c.code: c for c in Category.objects.filter(state="active")}
    communes = list(Area.objects.filter(is_border_area=True).order_by("code"))
    places = list(Place.objects.filter(kind__in=["post", "gate", "marker"]).order_by("code"))
    units_by_force: dict[str, list[Unit]] = {}
    for u in Unit.objects.filter(country="VN", is_active=True).order_by("code"):
        units_by_force.setdefault(u.force, []).append(u)
    now = clock.now().replace(microsecond=0)
    start = now - dt.timedelta(days=365)
    created: list[Item] = []
    times = sorted(
        start + dt.timedelta(seconds=rng.randrange(int((now - start).total_seconds() - 7200)))
        for _ in range(COUNT)
    )
    for when in times:
        m = rng.choice(authors)
        actor = Actor(m.user, m)
        code = _pick(rng, CATEGORY_WEIGHTS)
        title_t, body_t = rng.choice(TEMPLATES[code])
        use_place = rng.random() < 0.5
        place = rng.choice(places) if use_place else None
        area = (place.area if place else None) or rng.choice(communes)
        where = place.name if place else area.name.removeprefix("Xã ")
        fill = {
            "place": where,
            "unit": m.unit.short_name or m.unit.name,
            "hour": rng.randrange(5, 23),
            "n": rng.randrange(2, 9),
            "km": rng.randrange(1, 6),
            "m": rng.randrange(30, 900),
        }
        lat = lon = None
        if area.lat is not None and not place:
            lat, lon = area.lat + rng.uniform(-0.03, 0.03), area.lon + rng.uniform(-0.03, 0.03)
        with clock.frozen(when) as clk:
            item = services.item_create(
                actor,
                title=title_t.format(**fill),
                body=body_t.format(**fill),
                category=categories[code],
                observed_at=when - dt.timedelta(minutes=rng.randrange(20, 600)),
                reliability=rng.choice("ABBBCCCDF"),
                credibility=rng.choice([2, 2, 3, 3, 3, 4, 6]),
                tlp=_pick(rng, TLP_WEIGHTS),
                lat=lat,
                lon=lon,
                area=area,
                place=place,
            )
            created.append(item)
            if rng.random() < 0.85:
                clk.advance(dt.timedelta(minutes=rng.randrange(5, 240)))
                others = [f for f in units_by_force if f != m.unit.force]
                targets = []
                for f in rng.sample(others, k=min(len(others), rng.choice([1, 1, 2, 3]))):
                    targets.append(rng.choice(units_by_force[f]))
                if rng.random() < 0.3:
                    targets.append(rng.choice(units_by_force[m.unit.force]))
                targets = [t for t in dict.fromkeys(targets) if t.pk != m.unit_id]
                if targets:
                    receipts = services.item_share(actor, item=item, units=targets)
                    for r in receipts:
                        if rng.random() < 0.75:
                            clk.advance(dt.timedelta(minutes=rng.randrange(3, 300)))
                            reader = (
                                Membership.objects.filter(unit=r.unit, status="active")
                                .exclude(role="auditor")
                                .first()
                            )
                            if reader and clock.now() < now:
                                services.item_acknowledge(Actor(reader.user, reader), item=item)
            if rng.random() < 0.2 and item.tlp != Tlp.RED:
                verifier = rng.choice(
                    [u for f, us in units_by_force.items() if f != "government" for u in us]
                )
                if verifier.pk != m.unit_id:
                    due = clock.now() + dt.timedelta(hours=rng.choice([12, 24, 48, 72]))
                    req = services.verification_request(
                        actor,
                        item=item,
                        unit=verifier,
                        due_at=due,
                        question="Đề nghị xác minh, đánh giá độ tin cậy.",
                    )
                    answerer = (
                        Membership.objects.filter(unit=verifier, status="active")
                        .exclude(role="auditor")
                        .first()
                    )
                    if answerer and due + dt.timedelta(hours=2) < now and rng.random() < 0.8:
                        clk.advance(dt.timedelta(hours=rng.randrange(1, 12)))
                        services.verification_answer(
                            Actor(answerer.user, answerer),
                            request=req,
                            result=rng.choice(["verified", "verified", "refuted", "inconclusive"]),
                            reliability=rng.choice("BBC"),
                            credibility=rng.choice([1, 2, 3]),
                            note="Đã kiểm tra thực địa.",
                        )
    # Some items from different forces describe the same event: same category, within two days.
    linked = 0
    by_cat: dict = {}
    for it in created:
        by_cat.setdefault(it.category_id, []).append(it)
    for items in by_cat.values():
        for a, b in zip(items, items[1:], strict=False):
            if (
                linked >= 30
                or a.origin_unit.force == b.origin_unit.force
                or a.tlp == Tlp.RED
                or b.tlp == Tlp.RED
            ):
                continue
            if abs(b.received_at - a.received_at) < dt.timedelta(days=2):
                with clock.frozen(max(a.received_at, b.received_at) + dt.timedelta(hours=1)):
                    services.item_link(Actor.system(), item=a, other=b, kind="same_event")
                linked += 1
    if stdout:
        stdout.write(f"information items: {len(created)}")
    return len(created)

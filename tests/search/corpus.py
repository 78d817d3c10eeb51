"""The search test corpus: short Vietnamese and Lao sentences as they appear in public news and
reference pages (each cited), an English one, and the queries officers type with the hits expected.

Every text carries the marker word `zzcorpus` (the demo deployment mentions Na Mèo and Mường Lát
too), and every query starts with it, so a query's hits are counted among the corpus alone. The
marker goes first so that the last word typed stays the one matched as a prefix.

Sources (sentences shortened to the part that matters; the Lao ones keep the spelling of the source,
old and new forms of ຳ, ໜ/ຫນ, ຫຼ/ຫລ side by side, as they are met in print):
- ZNEWS  https://lifestyle.znews.vn/nguy-trang-hon-26000-vien-ma-tuy-trong-lon-bia-post796910.html
- BDT    https://baodantoc.vn/thanh-hoa-bat-qua-doi-tuong-van-chuyen-trai-phep-ma-tuy-1633085151399.htm
- KHUM   http://khumkomlao.com/2021/tag/ແຂວງ-ຫົວພັນ  (khumkomlao.com, tag "ແຂວງ ຫົວພັນ")
- SANOOK https://muan.sanook.com/902/
- KPL    https://kpl.gov.la/Page/Footer/Luangnamtha.aspx  (Lao News Agency)
- RFA    https://www.rfa.org/lao/daily/women-children/laos-xiengkhouang-woman-way-of-life-09262017161932.html
"""

from __future__ import annotations

MARK = "zzcorpus"

# key -> (title, body, source). Created in this order: later ones are newer.
ITEMS: dict[str, tuple[str, str, str]] = {
    "vi_na_meo_title": (
        "Bắt quả tang vận chuyển ma túy tại xã Na Mèo",
        "Đồn Biên phòng Cửa khẩu quốc tế Na Mèo bắt quả tang hai người đàn ông có hành vi vận chuyển ma túy.",
        "ZNEWS",
    ),
    "vi_lon_bia": (
        "Ma túy giấu trong lon bia",
        "Cả hai cất giấu số ma túy vào trong các lon bia, lon nước ngọt rồi vận chuyển về Việt Nam.",
        "ZNEWS",
    ),
    "vi_muong_lat": (
        "Thu giữ ma túy tổng hợp trên Quốc lộ 15C",
        "Tại km 76 Quốc lộ 15C, thuộc bản Chim, xã Nhi Sơn, huyện biên giới Mường Lát; tang vật thu giữ"
        " 950 viên ma túy tổng hợp. Tin liên quan: Na Mèo.",
        "BDT",
    ),
    "en_shipment": (
        "Border guards seized shipments of synthetic drug tablets",
        "The tablets were hidden in beer cans and carried across from Laos.",
        "ZNEWS (in English)",
    ),
    "lo_cave_old": (
        "ຖໍ້າປະຫວັດສາດທ່ານຜູ້ນໍາ",
        "ຖໍ້າປະຫວັດສາດທ່ານຜູ້ນໍາ ຕັ້ງຢູ່ເມືອງ ວຽງໄຊ ແຂວງ ຫົວພັນ ຫ່າງຈາກຕົວເມືອງ ຊໍາເໜືອ 28km.",
        "KHUM",
    ),
    "lo_shelter": (
        "ບ່ອນກໍາບັງການຖິ້ມລະເບີດ",
        "ເປັນທີ່ຢູ່ອາໄສຂອງພໍ່ແມ່ປະຊາຊົນຫຼາຍກ່ວາ 23.000 ຄົນ",
        "KHUM",
    ),
    "lo_cave_new": (
        "ຖ້ຳປະຫວັດສາດເຂດຫາງລ້ອງ ແຂວງຫົວພັນ",
        "ແຂວງຫົວພັນ ຖີ່ນກຳເນີດຂະບວນການປະຕິວັດແມ່ນໜຶ່ງໃນບັນດາແຂວງພາກເໜືອຂອງລາວ",
        "SANOOK",
    ),
    "lo_namtha": (
        "ແຂວງຫລວງນໍ້າທາ",
        "ແຂວງຫລວງນ້ຳທາ ເປັນແຂວງເໜືອສຸດທາງທິດຕາເວັນຕົກ",
        "KPL",
    ),
    "lo_many": (
        "ແມ່ຍິງ ຊາວເມືອງແປກ ແຂວງຊຽງຂວາງ",
        "ແມ່ຍິງ ຊາວເມືອງແປກ ແຂວງຊຽງຂວາງ ສ່ວນຫຼາຍ ກໍພາກັນ ປູກຜັກ",
        "RFA",
    ),
}

# (query without the marker, expected hits). Exact sets: a corpus text not listed must not match.
QUERIES: list[tuple[str, set[str]]] = [
    # Vietnamese: accents, case, đ, prefixes of the last word, syllables typed without spaces
    ("na meo", {"vi_na_meo_title", "vi_muong_lat"}),
    ("NA MÈO", {"vi_na_meo_title", "vi_muong_lat"}),
    ("Mườ", {"vi_muong_lat"}),
    ("muo", {"vi_muong_lat"}),
    ("na m", {"vi_na_meo_title", "vi_muong_lat"}),  # "Na M…" as typed so far
    ("muonglat", {"vi_muong_lat"}),
    ("quoclo 15c", {"vi_muong_lat"}),
    ("đồn biên phòng", {"vi_na_meo_title"}),
    ("nhi son", {"vi_muong_lat"}),
    # operators
    ('"lon bia"', {"vi_lon_bia"}),
    ('"bia ma tuy"', set()),  # a phrase does not run from the title into the text
    ("ma tuy -bia", {"vi_na_meo_title", "vi_muong_lat"}),
    ('ma tuy -"quoc lo"', {"vi_na_meo_title", "vi_lon_bia"}),
    ("bia OR 15c", {"vi_lon_bia", "vi_muong_lat"}),
    ("muong OR chanh", {"vi_muong_lat"}),
    ("bia or 15c", set()),  # lower-case "or" is a word
    # English: stems
    ("shipment", {"en_shipment"}),
    ("seizing tablet", {"en_shipment"}),
    ("carry", {"en_shipment"}),
    ("seizes", {"en_shipment"}),
    # Lao: spelling variants (ຳ / ໍ+າ, ໜ/ຫນ, ຫຼ/ຫລ) and parts of compounds
    ("ຖ້ຳ", {"lo_cave_old", "lo_cave_new"}),
    ("ຖໍ້າ", {"lo_cave_old", "lo_cave_new"}),
    ("ຊຳເໜືອ", {"lo_cave_old"}),
    ("ຊໍາເຫນືອ", {"lo_cave_old"}),
    ("ຫົວພັນ", {"lo_cave_old", "lo_cave_new"}),
    ("ແຂວງຫົວພັນ", {"lo_cave_old", "lo_cave_new"}),
    ("ອາໄສ", {"lo_shelter"}),
    ("ທີ່ຢູ່ອາໄສ", {"lo_shelter"}),
    ("ນ້ຳທາ", {"lo_namtha"}),
    ("ຫຼວງນ້ຳທາ", {"lo_namtha"}),
    ("ຫລາຍ", {"lo_shelter", "lo_many"}),
    ("ຫຼາຍ", {"lo_shelter", "lo_many"}),
    ("ຜູ້ນຳ", {"lo_cave_old"}),
    ("ປະຫວັດສາດ -ຫາງລ້ອງ", {"lo_cave_old"}),
    ("ຊຽງ", {"lo_many"}),  # the first syllable of ຊຽງຂວາງ, as typed so far
    ("ຫົວພັນ OR ຊຽງຂວາງ", {"lo_cave_old", "lo_cave_new", "lo_many"}),
]

# Queries whose first hit is known (relevance before recency).
FIRST: list[tuple[str, str]] = [
    ("na meo", "vi_na_meo_title"),  # above the newer text that mentions Na Mèo once in passing
    ("ຖ້ຳ", "lo_cave_old"),  # in the title and the text, above the newer one with it in the title only
]

# Incidents: key -> (title, description); searched on the title, the summary and the place.
INCIDENTS: dict[str, tuple[str, str]] = {
    "inc_title": ("Sạt lở đất tại bản Cặt zzcorpus", "Đường vào bản bị chia cắt."),
    "inc_summary": ("Lũ quét zzcorpus", "Nước lũ cuốn trôi cầu tạm gần bản Cặt, xã Nhi Sơn."),
    "inc_lao": ("ນ້ຳຖ້ວມ zzcorpus", "ນໍ້າຖ້ວມເຮືອນຢູ່ເມືອງຊໍາເໜືອ"),
}
INCIDENT_QUERIES: list[tuple[str, set[str]]] = [
    ("ban cat", {"inc_title", "inc_summary"}),
    ("nhi son", {"inc_summary"}),
    ("ນໍ້າຖ້ວມ", {"inc_lao"}),
    ("ຊຳເໜືອ", {"inc_lao"}),
    ('"ban cat" -sat', {"inc_summary"}),
]

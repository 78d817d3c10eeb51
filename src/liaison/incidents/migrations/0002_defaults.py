"""Default incident types, acknowledgement times, lead-force rules (PRODUCT.md) and v1 plans.
Administrators change them afterwards; this only fills an empty node."""

from django.db import migrations

TYPES = [
    # code, vi, en, lo, default severity, armed
    ("drug_trafficking", "Ma túy", "Drug trafficking", "ຢາເສບຕິດ", "high", False),
    ("human_trafficking", "Mua bán người", "Human trafficking", "ການຄ້າມະນຸດ", "high", False),
    ("smuggling", "Buôn lậu", "Smuggling", "ການລັກລອບ", "medium", False),
    (
        "illegal_crossing",
        "Xuất nhập cảnh trái phép",
        "Illegal border crossing",
        "ການຂ້າມແດນຜິດກົດໝາຍ",
        "medium",
        False,
    ),
    ("armed_group", "Nhóm vũ trang, vũ khí", "Armed group or weapons", "ກຸ່ມປະກອບອາວຸດ", "critical", True),
    ("public_disorder", "Gây rối trật tự công cộng", "Public disorder", "ຄວາມວຸ້ນວາຍ", "medium", False),
    (
        "flash_flood",
        "Lũ ống, lũ quét, sạt lở đất",
        "Flash flood or landslide",
        "ນ້ຳຖ້ວມ, ດິນເຈື່ອນ",
        "high",
        False,
    ),
    ("search_rescue", "Tìm kiếm cứu nạn", "Search and rescue", "ການຄົ້ນຫາ ແລະ ກູ້ໄພ", "high", False),
    ("fire", "Cháy, cháy rừng", "Fire", "ໄຟໄໝ້", "medium", False),
    ("other", "Khác", "Other", "ອື່ນໆ", "low", False),
]
ACK_MINUTES = {"critical": 15, "high": 30, "medium": 120, "low": 480}
# (type or None, area kind or "", severity or "") -> lead, supporting
RULES = [
    (None, "border", "", "border_guard", ["police", "military"]),
    (None, "gate", "", "border_guard", ["customs", "police"]),
    (None, "inland", "", "police", ["military"]),
    ("armed_group", "", "", "military", ["police", "border_guard"]),
    ("flash_flood", "inland", "", "police", ["military", "government"]),
    ("flash_flood", "border", "", "border_guard", ["military", "government"]),
    ("search_rescue", "border", "", "border_guard", ["military", "government"]),
    ("smuggling", "gate", "", "customs", ["border_guard", "police"]),
]
STEPS = {
    "default": [
        ("Xác minh, nắm tình hình tại hiện trường", "lead", 60, ["supporting"]),
        ("Báo cáo ban đầu về chỉ huy", "lead", 120, []),
        ("Phối hợp lực lượng hỗ trợ", "supporting", 240, ["lead"]),
        ("Báo cáo kết quả xử lý", "lead", 24 * 60, []),
    ],
    "armed_group": [
        ("Triển khai lực lượng phong tỏa khu vực", "lead", 30, ["supporting", "government"]),
        ("Sơ tán người dân khỏi khu vực nguy hiểm", "police", 60, []),
        ("Báo cáo Bộ Chỉ huy và UBND tỉnh", "lead", 60, ["government"]),
        ("Thu giữ vũ khí, vật liệu nổ", "lead", 6 * 60, []),
    ],
    "flash_flood": [
        ("Cảnh báo, sơ tán dân khỏi vùng nguy hiểm", "lead", 30, ["government"]),
        ("Huy động lực lượng, phương tiện cứu hộ", "military", 60, ["lead"]),
        ("Bảo đảm hậu cần cho người sơ tán", "government", 6 * 60, []),
        ("Thống kê thiệt hại, báo cáo", "lead", 24 * 60, ["government"]),
    ],
    "human_trafficking": [
        ("Xác minh, bảo vệ nạn nhân", "lead", 60, ["supporting"]),
        ("Ngăn chặn đưa người qua biên giới", "border_guard", 120, []),
        ("Lập hồ sơ, chuyển cơ quan điều tra", "police", 3 * 24 * 60, []),
    ],
}


def forward(apps, schema_editor):
    IncidentType = apps.get_model("incidents", "IncidentType")
    SeverityRule = apps.get_model("incidents", "SeverityRule")
    LeadRule = apps.get_model("incidents", "LeadRule")
    Plan = apps.get_model("incidents", "ResponsePlan")  # noqa: N806
    Step = apps.get_model("incidents", "PlanStep")  # noqa: N806
    import datetime as dt
    import uuid

    types = {}
    for pos, (code, vi, en, lo, sev, armed) in enumerate(TYPES, start=1):
        t, _ = IncidentType.objects.get_or_create(
            code=code,
            defaults={
                "id": uuid.uuid4(),
                "name_vi": vi,
                "name_en": en,
                "name_lo": lo,
                "default_severity": sev,
                "is_armed": armed,
                "position": pos * 10,
            },
        )
        types[code] = t
    for sev, minutes in ACK_MINUTES.items():
        SeverityRule.objects.get_or_create(severity=sev, defaults={"ack_minutes": minutes})
    for type_code, area_kind, sev, lead, supporting in RULES:
        LeadRule.objects.get_or_create(
            incident_type=types.get(type_code),
            area_kind=area_kind,
            severity=sev,
            defaults={"lead_force": lead, "supporting_forces": supporting},
        )
    now = dt.datetime.now(dt.UTC)
    for code, t in types.items():
        if Plan.objects.filter(incident_type=t).exists():
            continue
        plan = Plan.objects.create(
            id=uuid.uuid4(),
            incident_type=t,
            version=1,
            state="approved",
            approved_at=now,
            title=f"Phương án xử lý: {t.name_vi}",
        )
        for i, (title, resp, minutes, notify) in enumerate(STEPS.get(code, STEPS["default"]), start=1):
            Step.objects.create(
                plan=plan, position=i, title=title, responsible=resp, deadline_minutes=minutes, notify=notify
            )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

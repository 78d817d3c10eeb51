"""The three default programs the source articles name, as templates a program starts from (editable
by administrators afterwards; this migration never overwrites an edited one)."""

from django.db import migrations


def _i(code, vi, en, lo, kind="count", unit="", group="", summed=True, choices=()):
    return {
        "code": code,
        "name_vi": vi,
        "name_en": en,
        "name_lo": lo,
        "kind": kind,
        "unit": unit,
        "group": group,
        "summed": summed,
        "choices": list(choices),
    }


DEFAULTS = [
    {
        "code": "weapons-hand-in",
        "name_vi": "Vận động thu hồi vũ khí, vật liệu nổ, công cụ hỗ trợ",
        "name_en": "Hand-in of weapons, explosives and support tools",
        "name_lo": "ການເກັບກູ້ອາວຸດ, ວັດຖຸລະເບີດ ແລະ ເຄື່ອງມືສະໜັບສະໜູນ",
        "indicators": [
            _i("guns_military", "Súng quân dụng", "Military guns", "ປືນທະຫານ", group="guns"),
            _i("guns_hunting", "Súng săn", "Hunting guns", "ປືນລ່າສັດ", group="guns"),
            _i("guns_homemade", "Súng tự chế", "Home-made guns", "ປືນປະດິດເອງ", group="guns"),
            _i(
                "guns_other",
                "Súng khác (súng hơi, súng bắn đạn nhựa)",
                "Other guns (air guns)",
                "ປືນອື່ນໆ",
                group="guns",
            ),
            _i("ammunition", "Đạn các loại", "Ammunition", "ລູກປືນ", kind="amount", unit="rounds"),
            _i("explosives", "Vật liệu nổ", "Explosives", "ວັດຖຸລະເບີດ", kind="amount", unit="kg"),
            _i("detonators", "Kíp nổ", "Detonators", "ແກັບລະເບີດ"),
            _i("support_tools", "Công cụ hỗ trợ", "Support tools", "ເຄື່ອງມືສະໜັບສະໜູນ"),
        ],
    },
    {
        "code": "drug-free-commune",
        "name_vi": "Xây dựng xã không ma túy",
        "name_en": "Drug-free commune",
        "name_lo": "ການສ້າງຕາແສງປອດຢາເສບຕິດ",
        "indicators": [
            _i(
                "no_trafficking",
                "Không có tội phạm mua bán, vận chuyển trái phép chất ma túy",
                "No drug trafficking offences",
                "ບໍ່ມີການຄ້າຂາຍ ແລະ ຂົນສົ່ງຢາເສບຕິດ",
                kind="criterion",
                group="criteria",
                summed=False,
            ),
            _i(
                "no_users",
                "Không có người sử dụng trái phép chất ma túy",
                "No illegal drug users",
                "ບໍ່ມີຜູ້ເສບຢາເສບຕິດ",
                kind="criterion",
                group="criteria",
                summed=False,
            ),
            _i(
                "no_cultivation",
                "Không trồng cây có chứa chất ma túy",
                "No cultivation of drug plants",
                "ບໍ່ມີການປູກພືດທີ່ມີສານເສບຕິດ",
                kind="criterion",
                group="criteria",
                summed=False,
            ),
            _i(
                "no_hotspots",
                "Không có tụ điểm, điểm phức tạp về ma túy",
                "No drug hotspots",
                "ບໍ່ມີຈຸດຈຳໜ່າຍ ແລະ ຈຸດເສບຢາເສບຕິດ",
                kind="criterion",
                group="criteria",
                summed=False,
            ),
            _i(
                "after_care",
                "Người sau cai nghiện được quản lý, hỗ trợ",
                "People after rehabilitation are followed and supported",
                "ຜູ້ທີ່ເຊົາຢາແລ້ວໄດ້ຮັບການຄຸ້ມຄອງ ແລະ ຊ່ວຍເຫຼືອ",
                kind="criterion",
                group="criteria",
                summed=False,
            ),
            _i(
                "status",
                "Trạng thái của xã",
                "The commune's status",
                "ສະຖານະຂອງຕາແສງ",
                kind="status",
                summed=False,
                choices=[
                    {
                        "code": "troubled",
                        "vi": "Phức tạp về ma túy",
                        "en": "Drug-troubled",
                        "lo": "ມີບັນຫາຢາເສບຕິດ",
                    },
                    {"code": "building", "vi": "Đang xây dựng", "en": "Building", "lo": "ກຳລັງສ້າງ"},
                    {"code": "drug_free", "vi": "Không ma túy", "en": "Drug-free", "lo": "ປອດຢາເສບຕິດ"},
                ],
            ),
        ],
    },
    {
        "code": "flash-flood-resettlement",
        "name_vi": "Di dời hộ dân khỏi vùng nguy cơ lũ quét, sạt lở đất",
        "name_en": "Moving households out of flash-flood zones",
        "name_lo": "ການຍົກຍ້າຍຄອບຄົວອອກຈາກເຂດສ່ຽງນ້ຳຖ້ວມສາຍ ແລະ ດິນເຈື່ອນ",
        "indicators": [
            _i(
                "households_at_risk",
                "Số hộ trong vùng nguy cơ",
                "Households at risk",
                "ຈຳນວນຄອບຄົວໃນເຂດສ່ຽງ",
                summed=False,
            ),
            _i(
                "households_planned",
                "Số hộ theo kế hoạch di dời",
                "Households planned to move",
                "ຈຳນວນຄອບຄົວຕາມແຜນຍົກຍ້າຍ",
                summed=False,
            ),
            _i("households_moved", "Số hộ đã di dời", "Households moved", "ຈຳນວນຄອບຄົວທີ່ຍ້າຍແລ້ວ"),
            _i("people_moved", "Số nhân khẩu đã di dời", "People moved", "ຈຳນວນຄົນທີ່ຍ້າຍແລ້ວ"),
        ],
    },
]


def create(apps, schema_editor):
    template_model = apps.get_model("programs", "ProgramTemplate")
    indicator_model = apps.get_model("programs", "TemplateIndicator")
    for spec in DEFAULTS:
        spec = dict(spec)
        indicators = spec.pop("indicators")
        template, created = template_model.objects.get_or_create(code=spec["code"], defaults=spec)
        if not created:
            continue
        for position, ind in enumerate(indicators, start=1):
            indicator_model.objects.create(template=template, position=position * 10, **ind)


def remove(apps, schema_editor):
    apps.get_model("programs", "ProgramTemplate").objects.filter(
        code__in=[d["code"] for d in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

"""The taxonomy: a change needs a second administrator; no shipped category and no demo text names an
ethnic group, a religion or a political activity (PRODUCT.md, "People in records").

The list of terms below is this test's own (Vietnamese, English, Lao); it deliberately does not reuse
the list the code checks proposals against.
"""

from __future__ import annotations

import importlib
import re
import unicodedata

import pytest

from liaison.core.errors import Invalid, NotPermitted
from liaison.demo import intel as demo_intel
from liaison.intel import services
from liaison.intel.models import Category

# --- a second administrator ---------------------------------------------------------------------


def test_a_category_proposed_by_one_administrator_is_approved_by_another(cast, new_item):
    proposer, approver = cast("police_administrator"), cast("border_guard_administrator")
    c = services.category_propose(
        proposer,
        code="wildlife",
        name_vi="Buôn bán động vật hoang dã",
        name_en="Wildlife trafficking",
        name_lo="ການຄ້າສັດປ່າ",
    )
    assert (c.state, c.proposed_by_id, c.approved_by_id) == ("proposed", proposer.user.pk, None)
    with pytest.raises(Invalid) as exc:  # not usable before approval
        new_item(category="wildlife")
    assert [e.field for e in exc.value.errors] == ["category"]
    services.category_approve(approver, category=c)
    c = Category.objects.get(pk=c.pk)
    assert (c.state, c.approved_by_id) == ("active", approver.user.pk)
    assert new_item(category="wildlife").category_id == c.pk


def test_the_proposer_cannot_approve_their_own_category(cast):
    admin = cast("police_administrator")
    c = services.category_propose(admin, code="wildlife", name_vi="Động vật hoang dã", name_en="Wildlife")
    with pytest.raises(NotPermitted):
        services.category_approve(admin, category=c)
    assert Category.objects.get(pk=c.pk).state == "proposed"


@pytest.mark.parametrize(
    "who", ["province_commander", "police_analyst", "na_meo_post_officer", "auditor", "hua_phan_partner"]
)
def test_who_is_not_an_administrator_neither_proposes_nor_approves(cast, who):
    with pytest.raises(NotPermitted):
        services.category_propose(cast(who), code="wildlife", name_vi="Động vật hoang dã", name_en="Wildlife")
    c = services.category_propose(
        cast("police_administrator"), code="wildlife", name_vi="Động vật hoang dã", name_en="Wildlife"
    )
    with pytest.raises(NotPermitted):
        services.category_approve(cast(who), category=c)
    assert Category.objects.get(pk=c.pk).state == "proposed"


def test_an_active_category_is_not_approved_again(cast):
    c = Category.objects.get(code="smuggling")
    with pytest.raises(Invalid):
        services.category_approve(cast("border_guard_administrator"), category=c)


# --- no group of people in the taxonomy or the demo texts ------------------------------------------

# Vietnamese terms are matched with their diacritics (without them, "dang" would be "đang" = "now").
TERMS_VI = [
    "dân tộc",
    "dân tộc thiểu số",
    "sắc tộc",
    "đồng bào",
    "người Kinh",
    "người Mông",
    "người H'Mông",
    "Hmông",
    "người Thái",
    "người Dao",
    "người Mường",
    "người Khơ Mú",
    "người Tày",
    "người Nùng",
    "người Lào",
    "tôn giáo",
    "tín ngưỡng",
    "đạo Tin Lành",
    "Tin Lành",
    "Công giáo",
    "Thiên Chúa",
    "Phật giáo",
    "Hồi giáo",
    "nhà thờ",
    "chùa",
    "truyền đạo",
    "giáo phái",
    "tà đạo",
    "Vàng Chứ",
    "Dương Văn Mình",
    "chính trị",
    "phản động",
    "biểu tình",
    "Đảng",
    "đảng viên",
    "ly khai",
    "bất đồng chính kiến",
    "nhà nước Mông",
    "chống đối",
]
TERMS_EN = [
    "ethnic",
    "ethnicity",
    "minority",
    "minorities",
    "tribe",
    "tribal",
    "Hmong",
    "Khmu",
    "Tai Dam",
    "religion",
    "religious",
    "church",
    "pagoda",
    "temple",
    "Buddhist",
    "Buddhism",
    "Catholic",
    "Protestant",
    "Christian",
    "Muslim",
    "Islam",
    "sect",
    "political",
    "politics",
    "party member",
    "protest",
    "dissident",
    "reactionary",
    "separatist",
    "activist",
    "opposition",
]
TERMS_LO = [
    "ຊົນເຜົ່າ",  # ethnic group
    "ຊົນກຸ່ມນ້ອຍ",  # minority
    "ມົ້ງ",  # Hmong
    "ຂະມຸ",  # Khmu
    "ສາສະໜາ",  # religion
    "ພຸດທະ",  # Buddha-, Buddhist
    "ຄຣິສ",  # Christian
    "ອິສລາມ",  # Islam
    "ໂບດ",  # church
    "ການເມືອງ",  # politics
    "ພັກການເມືອງ",  # political party
    "ປະທ້ວງ",  # protest
]


def _fold(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold()


PATTERN = re.compile(
    "|".join(
        [rf"(?<!\w){re.escape(_fold(t))}(?!\w)" for t in TERMS_VI + TERMS_EN]
        + [re.escape(_fold(t)) for t in TERMS_LO]  # Lao has no spaces between words: match inside
    )
)


def named_groups(text: str) -> list[str]:
    return PATTERN.findall(_fold(text))


@pytest.mark.parametrize(
    "text, found",
    [
        ("Hoạt động của người Mông ở bản", ["người mông"]),
        ("TIN LÀNH", ["tin lành"]),
        ("Ethnic minority village", ["ethnic", "minority"]),
        ("ການເມືອງ ແລະ ສາສະໜາ", ["ການເມືອງ", "ສາສະໜາ"]),
        ("Mường Lát", []),  # a place, not a people
        ("Nước đang lên nhanh", []),  # "đang", not "Đảng"
        ("Trạng thái: mới", []),  # "thái" inside another word
        ("Ma túy", []),
    ],
)
def test_the_scanner_itself_finds_what_it_should_and_only_that(text, found):
    assert named_groups(text) == found


def shipped_texts():
    taxonomy = importlib.import_module("liaison.intel.migrations.0002_search_and_taxonomy").TAXONOMY
    for code, vi, en, lo in taxonomy:
        yield f"taxonomy {code}", " | ".join((code, vi, en, lo))
    for code, templates in demo_intel.TEMPLATES.items():
        for n, (title, body) in enumerate(templates):
            yield f"demo {code}#{n}", f"{title} | {body}"


def test_the_shipped_taxonomy_and_demo_texts_name_no_ethnic_group_religion_or_politics():
    texts = list(shipped_texts())
    assert len(texts) >= 20  # the taxonomy's ten categories and the demo templates were all read
    offending = {where: named_groups(text) for where, text in texts if named_groups(text)}
    assert offending == {}


def test_the_categories_in_the_database_name_no_ethnic_group_religion_or_politics():
    rows = Category.objects.values_list("code", "name_vi", "name_en", "name_lo")
    assert rows
    offending = {r[0]: named_groups(" | ".join(r)) for r in rows if named_groups(" | ".join(r))}
    assert offending == {}


def test_the_demo_items_name_no_ethnic_group_religion_or_politics():
    from liaison.intel.models import Item

    rows = Item.objects.values_list("ref", "title", "body")
    assert rows.count() >= 100
    offending = {
        ref: named_groups(f"{title} | {body}")
        for ref, title, body in rows
        if named_groups(f"{title} | {body}")
    }
    assert offending == {}


# --- a proposal naming a group of people is refused -----------------------------------------------


@pytest.mark.parametrize(
    "field, name",
    [
        ("name_vi", "Hoạt động tôn giáo trái phép"),
        ("name_vi", "Người Mông di cư tự do"),
        ("name_vi", "Hoạt động chính trị"),
        ("name_vi", "Tuyên truyền phản động"),
        ("name_en", "Ethnic tensions"),
        ("name_en", "Religious gatherings"),
        ("name_en", "Political meetings"),
        ("name_lo", "ບັນຫາຊົນເຜົ່າ"),
        ("name_lo", "ການເມືອງ"),
    ],
)
def test_a_proposal_that_names_a_group_of_people_is_refused_on_that_name(cast, field, name):
    names = {"name_vi": "Tên hợp lệ", "name_en": "Valid name", "name_lo": ""}
    names[field] = name
    with pytest.raises(Invalid) as exc:
        services.category_propose(cast("police_administrator"), code="bad_cat", **names)
    assert [e.field for e in exc.value.errors] == [field]
    assert not Category.objects.filter(code="bad_cat").exists()


@pytest.mark.parametrize(
    "field, name",
    [
        ("name_vi", "Hoạt động Hồi giáo"),
        ("name_vi", "Thiên Chúa giáo"),
        ("name_vi", "Biểu tình trái phép"),
        ("name_en", "Buddhist temple events"),
        ("name_en", "Christian gatherings"),
        ("name_en", "Islamic groups"),
        ("name_en", "Khmu villages"),
        ("name_lo", "ຊາວມົ້ງ"),
    ],
)
def test_a_proposal_naming_other_religions_or_peoples_is_refused_too(cast, field, name):
    names = {"name_vi": "Tên hợp lệ", "name_en": "Valid name", "name_lo": ""}
    names[field] = name
    with pytest.raises(Invalid):
        services.category_propose(cast("police_administrator"), code="bad_cat", **names)

"""Lao spelling variants, table-driven: each pair normalises to the same tokens, and on the
database a text in one spelling is found by a query in the other (both ways). Also the parser's
syntax and the normalisation of Vietnamese and English, without a database."""

from __future__ import annotations

import pytest

from liaison.core import search, text
from liaison.core.errors import Invalid
from tests.support.records import log_item

# (one spelling, the other, what it is). Sources: core.text.LAO_VARIANTS.
PAIRS = [
    ("ນໍ້າ", "ນ້ຳ", "water: NIGGAHITA+tone+AA / tone+AM"),
    ("ນ້ໍາ", "ນ້ຳ", "water: tone+NIGGAHITA+AA"),
    ("ນຳ້", "ນ້ຳ", "water: AM typed before the tone"),
    ("ຖໍ້າ", "ຖ້ຳ", "cave"),
    ("ຊໍາເໜືອ", "ຊຳເໜືອ", "Xam Neua"),
    ("ນໍາ", "ນຳ", "to lead / with"),
    ("ຫນັກ", "ໜັກ", "heavy: HO+NO / HO NO ligature"),
    ("ເຫນືອ", "ເໜືອ", "north"),
    ("ຫມາ", "ໝາ", "dog: HO+MO / HO MO ligature"),
    ("ໂຮງຫມໍ", "ໂຮງໝໍ", "hospital"),
    ("ຫລາຍ", "ຫຼາຍ", "many: HO+LO / HO+SEMIVOWEL LO"),
    ("ຫລວງພະບາງ", "ຫຼວງພະບາງ", "Luang Prabang"),
    ("ສາທາຣະນະຣັດ", "ສາທາລະນະລັດ", "republic: LO LING (pre-1975) / LO LOOT"),
    ("ກ່ວາ", "ກວ່າ", "more than: tone on the first consonant / on WO"),
    ("ທ່ີ", "ທີ່", "that: tone before / after the vowel sign"),
    ("໒໐໒໖", "2026", "Lao digits / ASCII digits"),
    ("ແຂວງ\u200bຫົວພັນ", "ແຂວງຫົວພັນ", "a zero-width space between words"),
]


@pytest.mark.parametrize("one, other, what", PAIRS, ids=[p[2] for p in PAIRS])
def test_each_variant_pair_normalises_to_the_same_tokens(one, other, what):
    assert one != other
    assert text.tokens(one) == text.tokens(other)


@pytest.mark.parametrize("one, other, what", PAIRS, ids=[p[2] for p in PAIRS])
def test_a_text_in_one_spelling_is_found_by_a_query_in_the_other(cast, client_for, one, other, what):
    actor = cast("na_meo_post_officer")
    a = log_item(actor, title="zzvariant một", body=f"Tin: {one} zzvariant", category="other")
    b = log_item(actor, title="zzvariant hai", body=f"Tin: {other} zzvariant", category="other")
    c = client_for("na_meo_post_officer")
    for q in (one, other):
        r = c.get("/api/v1/items", {"q": f"zzvariant {q}"})
        assert r.status_code == 200, r.content
        assert {row["id"] for row in r.json()["items"]} == {str(a.pk), str(b.pk)}, q


@pytest.mark.parametrize(
    "value, tokens",
    [
        ("Mường Lát", ["muong", "lat"]),
        ("MƯỜNG LÁT", ["muong", "lat"]),
        ("Mu\u031bo\u031b\u0300ng La\u0301t", ["muong", "lat"]),  # NFD
        ("Hoà / Hòa", ["hoa", "hoa"]),  # old and new tone placement
        ("Đồn Biên phòng", ["don", "bien", "phong"]),
        ("NM-2026-0001", ["nm", "2026", "0001"]),
        ("ແຂວງຫົວພັນ", ["ແຂວງ", "ຫົວ", "ພັນ"]),
        ("ທີ່ຢູ່ອາໄສ", ["ທີ່", "ຢູ່", "ອາ", "ໄສ"]),
        ("!!! ... ̀", []),
    ],
)
def test_normalisation(value, tokens):
    assert text.tokens(value) == tokens


@pytest.mark.parametrize(
    "word, stem",
    [
        ("shipments", "shipment"),
        ("seized", "seiz"),
        ("seizing", "seiz"),
        ("carried", "carri"),
        ("muong", "muong"),
    ],
)
def test_english_stems(word, stem):
    assert text.stem(word) == stem


@pytest.mark.parametrize(
    "word, splits",
    [
        ("muonglat", (("muong", "lat"),)),
        ("namneo", (("nam", "neo"),)),
        ("quanson", (("quan", "son"),)),
        ("muong", ()),
        ("shipments", ()),
    ],
)
def test_vietnamese_syllables_typed_without_spaces(word, splits):
    assert text.vietnamese_splits(word) == splits


@pytest.mark.parametrize(
    "q, fts5, tsquery",
    [
        ("muong lat", '("muong") AND ("lat" *)', "('muong') & ('lat':*)"),
        ('"na meo" -lat', '(("na meo")) NOT ("lat")', "(('na' <-> 'meo')) & !'lat'"),
        ("muong OR chanh", '("muong" OR "chanh" *)', "('muong' | 'chanh':*)"),
        ("muong or chanh", '("muong") AND ("or") AND ("chanh" *)', "('muong') & ('or') & ('chanh':*)"),
        ("na m", '("na") AND ("m" *)', "('na') & ('m':*)"),
        ("muonglat", '("muonglat" * OR "muong lat" *)', "('muonglat':* | ('muong' <-> 'lat':*))"),
        ("shipments x", '("shipments" OR "shipment") AND ("x" *)', "('shipments' | 'shipment') & ('x':*)"),
        ("ຫົວພັນ", '("ຫົວ ພັນ" *)', "(('ຫົວ' <-> 'ພັນ':*))"),
        ("zz OR", '("zz" *)', "('zz':*)"),
        ("v", '("v")', "('v')"),  # a lone letter is a word
        ("ພ", '("ພ")', "('ພ')"),
        ("(zz) NEAR(", '("zz") AND ("near" *)', "('zz') & ('near':*)"),
        ("' OR 1=1 --", '("1 1" *)', "(('1' <-> '1':*))"),  # punctuation inside a word: a phrase
    ],
)
def test_the_parser_compiles_the_same_query_for_both_databases(q, fts5, tsquery):
    query = search.parse(q)
    assert query.fts5() == fts5
    assert query.tsquery() == tsquery


@pytest.mark.parametrize("q", ["", '"', '""', "-", "-muong", '-"na meo"', "OR", "***", "̀", "…", "()"])
def test_nothing_searchable(q):
    with pytest.raises(search.NothingSearchable):
        search.parse(q)


@pytest.mark.parametrize("q", ["a\x00b", "a\x1bb", "a\x9fb"])
def test_control_characters_are_refused(q):
    with pytest.raises(Invalid) as exc:
        search.parse(q)
    assert exc.value.errors[0].code == "control_character"


def test_a_query_is_bounded_in_terms():
    query = search.parse(" ".join(f"w{i}" for i in range(100)))
    assert len(query.clauses) == search.MAX_TERMS


def test_highlight_escapes_and_marks():
    html = search.highlight('<img src=x onerror="a"> Na Mèo ນໍ້າ', search.parse("na me ນ້ຳ x"))
    assert html == "&lt;img src=<mark>x</mark> onerror=&quot;a&quot;&gt; <mark>Na</mark> Mèo <mark>ນໍ້າ</mark>"
    assert search.highlight("<b>", None) == "&lt;b&gt;"

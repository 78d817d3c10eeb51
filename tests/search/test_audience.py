"""Search narrowed by the reader's units inside the index (decision 0020).

Every item keeps the units involved in it (`search_units`, kept by triggers from the declaration's
relations), and a search first intersects the words with the reader's units (policy.audience), then
applies the policy's exact rule. These tests hold the two promises that make that safe: the column
is exactly the declaration's involved units after every kind of write, and the narrowing never
changes a result (ids, order, count) for any member of the cast; a hidden match changes nothing
that a missing one would not."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from liaison import policy
from liaison.core import clock, search
from liaison.intel import services as intel
from liaison.intel.models import Item, ItemReceipt
from liaison.org.models import Unit
from liaison.policy import involvement
from tests.conftest import CAST
from tests.search import corpus
from tests.support.records import log_item
from tests.support.units import stored_units as units_in_row

QUERIES = [
    "ma tuy",
    "na meo",
    "Mườ",
    "na m",
    "hàng hóa -gỗ",
    "ma tuy OR go",
    '"duong mon"',
    "shipment",
    "ຖ້ຳ",
    "ຫົວພັນ OR ຊຽງຂວາງ",
    "kiện hàng",
]


def stored_units(item) -> set[str]:
    return units_in_row("intel_item", item.pk)


def declared_units(item) -> set[str]:
    return {uuid.UUID(str(uid)).hex for _rel, uid in involvement.involved_units(item)}


def test_the_units_column_is_the_declarations_involved_units_after_every_write(cast, unit):
    author = cast("na_meo_post_officer")
    item = log_item(author, title="Kiểm tra đơn vị liên quan", tlp="green")
    assert stored_units(item) == declared_units(item) == {item.origin_unit_id.hex}
    intel.item_share(author, item=item, units=[unit("CA-XA-NA-MEO")])
    assert stored_units(item) == declared_units(item) and len(stored_units(item)) == 2
    intel.item_share(author, item=item, forces=["customs"])
    assert stored_units(item) == declared_units(item) and len(stored_units(item)) > 2
    intel.verification_request(
        author, item=item, unit=unit("BP-DON-BAT-MOT"), due_at=clock.now() + dt.timedelta(days=2)
    )
    assert unit("BP-DON-BAT-MOT").pk.hex in stored_units(item)
    assert stored_units(item) == declared_units(item)
    # A receipt removed (no service does; the trigger still keeps the column true).
    ItemReceipt.objects.filter(item=item, unit=unit("CA-XA-NA-MEO")).delete()
    assert stored_units(item) == declared_units(item)
    assert unit("CA-XA-NA-MEO").pk.hex not in stored_units(item)


def test_every_item_of_the_deployment_carries_its_involved_units(cast):
    log_item(cast("province_commander"), title="Một tin nữa")
    for item in Item.objects.all():
        assert stored_units(item) == declared_units(item), item.ref


def test_a_reader_outside_any_unit_gets_nothing_and_the_system_is_not_narrowed(cast):
    from liaison.org.actor import Actor

    assert policy.audience(Actor.system(), Item) is None
    assert policy.audience(cast("auditor"), Item) == []
    assert policy.audience(cast("police_administrator"), Item) == []
    assert policy.audience(cast("na_meo_post_officer"), Item) == [cast("na_meo_post_officer").unit.pk]
    commander = cast("province_commander")
    assert set(policy.audience(commander, Item)) == set(
        Unit.objects.filter(path__startswith=commander.unit.path).values_list("pk", flat=True)
    )


@pytest.fixture
def corpus_items(cast, unit):
    """The corpus logged by several units, some shared, one RED in the commander's subtree."""
    authors = ["na_meo_post_officer", "command_centre_officer", "military_officer", "na_meo_customs_officer"]
    made = []
    for i, (title, body, _src) in enumerate(corpus.ITEMS.values()):
        author = cast(authors[i % len(authors)])
        tlp = "red" if i % 5 == 1 else "green"
        item = log_item(author, title=title, body=f"{body} {corpus.MARK}", category="other", tlp=tlp)
        if i % 3 == 0:
            intel.item_share(author, item=item, units=[unit("BP-DON-BAT-MOT")])
        made.append(item)
    return made


def ranked_ids(actor, q: str, *, narrowed: bool) -> list:
    qs = policy.visible(actor, Item)
    audience = policy.audience(actor, Item) if narrowed else None
    qs = search.matching(qs, search.parse(q), table="intel_item", audience=audience)
    return list(qs.order_by("search_rank", "-received_at", "-id").values_list("id", flat=True))


@pytest.mark.parametrize("member", sorted(CAST))
def test_the_narrowing_never_changes_a_result(cast, corpus_items, member):
    actor = cast(member)
    for q in QUERIES:
        assert ranked_ids(actor, q, narrowed=True) == ranked_ids(actor, q, narrowed=False), q


@pytest.mark.parametrize("reader", ["na_meo_post_officer", "province_commander", "bat_mot_post_officer"])
def test_a_hidden_match_changes_nothing_that_a_missing_one_would_not(cast, client_for, corpus_items, reader):
    """The same answer (ids, order, count) before and after items that match but are hidden from the
    reader: another force's unit's item, and a RED item of a unit below the province commander (it
    passes the units' narrowing and is refused by the exact rule)."""
    c = client_for(reader)

    def answer(q):
        r = c.get("/api/v1/items", {"q": f"{corpus.MARK} {q}", "limit": 200})
        assert r.status_code == 200, r.content
        body = r.json()
        return [row["id"] for row in body["items"]], body["count"], body["count_capped"]

    # One word per query: bm25's document frequency is the whole index's (decision 0013), so with
    # several words a hidden row may shift the ranks' values, never which rows or their count.
    queries = ["ma", "tuy", "meo", "ຫົວພັນ", "shipment"]
    before = {q: answer(q) for q in queries}
    for title, body, _src in list(corpus.ITEMS.values())[:6]:
        log_item(cast("military_officer"), title=title, body=f"{body} {corpus.MARK}", category="other")
        log_item(cast("command_centre_officer"), title=title, body=f"{body} {corpus.MARK}", tlp="red")
    after = {q: answer(q) for q in queries}
    assert after == before

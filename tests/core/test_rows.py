"""Rows read by id through one precompiled statement (core.rows, issue 15) hold exactly what the
ORM's `.values()` of the same columns holds: the ORM is the oracle here, on both databases."""

from __future__ import annotations

import uuid

import pytest

from liaison.core.rows import by_ids
from liaison.intel.models import Item
from liaison.intel.selectors import ITEM_COLUMNS, ROW_COLUMNS
from liaison.org.models import Unit

pytestmark = pytest.mark.django_db


def orm(model, columns, ids) -> dict:
    return {r[columns[0]]: r for r in model.objects.filter(pk__in=ids).values(*columns)}


@pytest.mark.parametrize("columns", [ITEM_COLUMNS, ROW_COLUMNS], ids=["pages", "api"])
def test_item_rows_equal_the_orms_values_with_and_without_an_area(columns):
    with_area = list(Item.objects.filter(area__isnull=False).values_list("pk", flat=True)[:30])
    without = list(Item.objects.filter(area__isnull=True).values_list("pk", flat=True)[:30])
    assert with_area and without  # the demo has both: the subquery of a missing area is NULL
    ids = with_area + without
    got = by_ids(Item, columns, ids)
    assert got == orm(Item, columns, ids)
    assert len(got) == len(ids)
    assert any(r["area__code"] is None for r in got.values())
    assert all(isinstance(k, uuid.UUID) for k in got)
    sample = next(iter(got.values()))
    assert isinstance(sample["received_at"], type(Item.objects.get(pk=sample["id"]).received_at))
    assert sample["received_at"].tzinfo is not None


def test_missing_ids_are_absent_and_no_ids_read_nothing():
    some = Item.objects.values_list("pk", flat=True).first()
    assert by_ids(Item, ("id", "ref"), [some, uuid.uuid4()]).keys() == {some}
    assert by_ids(Item, ("id", "ref"), []) == {}


def test_a_related_rows_column_and_a_null_parent():
    ids = list(Unit.objects.values_list("pk", flat=True))
    columns = ("id", "code", "parent__code", "is_active", "area__name")
    assert by_ids(Unit, columns, ids) == orm(Unit, columns, ids)
    assert any(r["parent__code"] is None for r in by_ids(Unit, columns, ids).values())


@pytest.mark.parametrize(
    "columns", [(), ("ref", "id"), ("pk", "ref"), ("id", "category__parent__code"), ("id", "receipts__unit")]
)
def test_it_refuses_what_it_cannot_read_in_one_hop(columns):
    some = Item.objects.values_list("pk", flat=True).first()
    with pytest.raises(ValueError):
        by_ids(Item, columns, [some])


def test_ids_as_text_and_more_than_a_statements_placeholders(monkeypatch):
    import liaison.core.rows as rows

    monkeypatch.setattr(rows, "SQLITE_CHUNK", 7)  # SQLite reads in chunks; PostgreSQL in one array
    ids = list(Item.objects.values_list("pk", flat=True)[:40])
    as_text = [str(i) for i in ids] + [str(ids[0])]  # text, and a repeated id
    assert by_ids(Item, ROW_COLUMNS, as_text) == orm(Item, ROW_COLUMNS, ids)

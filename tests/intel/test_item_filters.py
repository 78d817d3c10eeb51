"""The item list's filters are defined once (`intel.schemas.ItemFilter`): the API's query, the list
page's query string and the selector take the same schema, so both interfaces accept the same
filters, answer the same rows and name the same field when one is wrong."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from liaison.core import clock
from liaison.intel.forms import FilterForm
from liaison.intel.schemas import ItemFilter


def api_ids(client, **query) -> set[str]:
    r = client.get("/api/v1/items", query)
    assert r.status_code == 200, r.content
    return {row["id"] for row in r.json()["items"]}


def page_ids(client, **query) -> set[str]:
    r = client.get("/items/", query)
    assert r.status_code == 200, r.content
    return set(re.findall(r'<tr data-id="([0-9a-f-]{36})"', r.content.decode()))


def test_the_page_draws_inputs_only_for_the_schemas_filters():
    assert set(FilterForm.base_fields) <= set(ItemFilter.model_fields)


def test_a_date_is_a_whole_local_day_on_the_page_and_through_the_api(client_for, new_item):
    item = new_item(title="Hàng lậu zzfilterday")
    today = timezone.localdate(clock.now())
    client = client_for("na_meo_post_officer")
    for ids in (api_ids, page_ids):
        assert str(item.pk) in ids(client, q="zzfilterday", since=today.isoformat(), until=today.isoformat())
        assert not ids(client, q="zzfilterday", until=(today - dt.timedelta(days=1)).isoformat())
        assert not ids(client, q="zzfilterday", since=(today + dt.timedelta(days=1)).isoformat())


def test_a_time_without_an_offset_is_local_time():
    f = ItemFilter(since="2026-03-01T08:00")
    assert f.since.utcoffset() == timezone.localtime(f.since).utcoffset()
    assert (f.since.hour, f.since.minute) == (8, 0)


def test_the_page_and_the_api_answer_the_same_rows_for_the_same_filters(client_for, new_item):
    graded = new_item(title="Tin zzfiltersame", reliability="A", credibility=1)
    new_item(title="Tin zzfiltersame", reliability="E", credibility=5)
    drill = new_item(title="Diễn tập zzfiltersame", is_drill=True)
    client = client_for("na_meo_post_officer")
    for query, expected in [
        ({"reliability": "A"}, {graded}),
        ({"credibility": "2"}, {graded}),
        ({"include_drills": "true", "credibility": "3"}, {graded, drill}),
    ]:
        query = {"q": "zzfiltersame", **query}
        want = {str(i.pk) for i in expected}
        assert api_ids(client, **query) == want, query
        assert page_ids(client, **query) == want, query


@pytest.mark.parametrize(
    "query, field",
    [
        ({"since": "31/02/2020"}, "since"),
        ({"until": "2020-02-31"}, "until"),
        ({"credibility": "9"}, "credibility"),
        ({"credibility": "one"}, "credibility"),
        ({"limit": "0"}, "limit"),
        ({"include_drills": "perhaps"}, "include_drills"),
        ({"q": "x" * 201}, "q"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_a_bad_filter_names_its_field_on_the_page_and_through_the_api(
    client_for, problem_fields, query, field
):
    client = client_for("na_meo_post_officer")
    r = client.get("/api/v1/items", query)
    assert r.status_code == 422 and problem_fields(r) == {field}
    r = client.get("/items/", query)
    html = r.content.decode()
    assert r.status_code == 400
    if field in FilterForm.base_fields and not FilterForm.base_fields[field].widget.is_hidden:
        assert f'id="id_{field}_error"' in html  # beside its input
    else:
        assert 'class="errorlist nonfield"' in html  # above the filters: the field has no input

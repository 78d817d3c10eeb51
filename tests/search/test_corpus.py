"""The search corpus (tests/search/corpus.py) on whichever database the suite runs on: every query's
hits among the corpus, through the API and the page; relevance before recency; the cursor follows
the rank; highlights are escaped; incidents and places searched the same way."""

from __future__ import annotations

import base64
import re

import pytest

from liaison.core import search
from liaison.geo.models import Area
from liaison.incidents import services as incidents
from liaison.incidents.models import IncidentType
from tests.incidents.incident_helpers import BAT_MOT
from tests.search import corpus
from tests.support.records import log_item

READER = "na_meo_post_officer"


@pytest.fixture
def items(cast):
    actor = cast(READER)
    return {
        key: log_item(actor, title=title, body=f"{body} {corpus.MARK}", category="other")
        for key, (title, body, _source) in corpus.ITEMS.items()
    }


def api_ids(client, q, **extra) -> list[str]:
    r = client.get("/api/v1/items", {"q": f"{corpus.MARK} {q}", "limit": 200, **extra})
    assert r.status_code == 200, r.content
    return [row["id"] for row in r.json()["items"]]


def page_ids(client, q) -> list[str]:
    r = client.get("/items/", {"q": f"{corpus.MARK} {q}"})
    assert r.status_code == 200
    return re.findall(r'<tr data-id="([0-9a-f-]{36})"', r.content.decode())


def keys(items, ids) -> set[str]:
    by_id = {str(v.pk): k for k, v in items.items()}
    return {by_id[i] for i in ids if i in by_id}


@pytest.mark.parametrize("query, expected", corpus.QUERIES, ids=[q for q, _ in corpus.QUERIES])
def test_each_corpus_query_finds_its_hits_and_no_others(client_for, items, query, expected):
    c = client_for(READER)
    assert keys(items, api_ids(c, query)) == expected
    assert keys(items, page_ids(c, query)) == expected


@pytest.mark.parametrize("query, first", corpus.FIRST)
def test_relevance_comes_before_recency(client_for, items, query, first):
    c = client_for(READER)
    ids = api_ids(c, query)
    assert ids and ids[0] == str(items[first].pk)
    assert page_ids(c, query)[0] == str(items[first].pk)


def test_without_a_query_the_list_is_newest_first(client_for, items):
    ids = [i for i in (row["id"] for row in client_for(READER).get("/api/v1/items").json()["items"])]
    mine = [i for i in ids if i in {str(v.pk) for v in items.values()}]
    assert mine == [str(v.pk) for v in reversed(list(items.values()))][: len(mine)]


def test_the_cursor_follows_the_rank_page_after_page(client_for, items):
    c = client_for(READER)
    whole = api_ids(c, "ma tuy")
    assert len(whole) == 3
    seen, cursor = [], None
    while True:
        params = {"q": f"{corpus.MARK} ma tuy", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = c.get("/api/v1/items", params).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == whole


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


AT, PK = "2026-01-01T00:00:00+00:00", "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    "cursor",
    [
        b64("r"),
        b64(f"r|nan|{AT}|{PK}"),
        b64(f"r|inf|{AT}|{PK}"),
        b64(f"r|-1e309|{AT}|{PK}"),
        b64(f"r|x|{AT}|{PK}"),
        b64(f"r|-1.5|{AT}|not-a-uuid"),
        b64(f"r|-1.5|0001-01-01T00:00:00+00:00|{PK}"),
        b64(f"{AT}|{PK}"),  # a cursor of the unranked list given to a ranked one
        "!!!",
    ],
)
def test_a_tampered_cursor_of_a_ranked_list_is_422_never_500(client_for, items, cursor):
    c = client_for(READER)
    r = c.get("/api/v1/items", {"q": f"{corpus.MARK} ma tuy", "cursor": cursor})
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == "cursor"
    assert c.get("/items/", {"q": f"{corpus.MARK} ma tuy", "cursor": cursor}).status_code == 400


def test_matched_words_are_highlighted_and_the_title_escaped(client_for, cast):
    log_item(cast(READER), title="<b>Na Mèo</b> & <script>x</script> zzmark", category="other")
    html = client_for(READER).get("/items/", {"q": "zzmark na meo"}).content.decode()
    assert (
        "&lt;b&gt;<mark>Na</mark> <mark>Mèo</mark>&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt; <mark>zzmark</mark>"
        in html
    )
    assert "<script>x" not in html


# --- incidents and places ---------------------------------------------------------------------------


@pytest.fixture
def corpus_incidents(cast):
    actor = cast("bat_mot_post_officer")
    kind = IncidentType.objects.get(code="search_rescue")
    area = Area.objects.get(code=BAT_MOT)
    return {
        key: incidents.incident_open(actor, incident_type=kind, title=title, description=text, area=area)
        for key, (title, text) in corpus.INCIDENTS.items()
    }


@pytest.mark.parametrize(
    "query, expected", corpus.INCIDENT_QUERIES, ids=[q for q, _ in corpus.INCIDENT_QUERIES]
)
def test_incidents_are_searched_on_title_summary_and_place(client_for, corpus_incidents, query, expected):
    c = client_for("bat_mot_post_officer")
    r = c.get("/api/v1/incidents", {"q": f"{corpus.MARK} {query}", "include_final": True})
    assert r.status_code == 200, r.content
    by_id = {str(v.pk): k for k, v in corpus_incidents.items()}
    assert {by_id[row["id"]] for row in r.json() if row["id"] in by_id} == expected
    page = c.get("/incidents/", {"q": f"{corpus.MARK} {query}", "include_final": True}).content.decode()
    assert {by_id[i] for i in re.findall(r'data-id="([0-9a-f-]{36})"', page) if i in by_id} == expected


def test_an_incident_with_the_words_in_its_title_comes_first(client_for, corpus_incidents):
    rows = client_for("bat_mot_post_officer").get("/api/v1/incidents", {"q": "ban cat zzcorpus"}).json()
    assert rows[0]["id"] == str(corpus_incidents["inc_title"].pk)


def test_incidents_search_goes_through_the_policy(client_for, corpus_incidents):
    r = client_for("na_meo_customs_officer").get("/api/v1/incidents", {"q": "zzcorpus"})
    assert r.status_code == 200
    assert not {row["id"] for row in r.json()} & {str(v.pk) for v in corpus_incidents.values()}


@pytest.mark.parametrize("query", ["", "-x", '"'])
def test_an_incident_search_with_nothing_searchable_is_422_on_the_api_and_a_message_on_the_board(
    client_for, query
):
    c = client_for("bat_mot_post_officer")
    if not query:
        assert c.get("/api/v1/incidents", {"q": query}).status_code == 200
        return
    assert c.get("/api/v1/incidents", {"q": query}).status_code == 422
    page = c.get("/incidents/", {"q": query})
    assert page.status_code == 200
    assert 'role="status"' in page.content.decode()


@pytest.mark.parametrize(
    "path, query, code",
    [
        ("posts", "na meo", "POST-NA-MEO"),
        ("posts", "Na M", "POST-NA-MEO"),
        ("posts", "namneo", None),
        ("posts", "đồn biên phòng na mèo", "POST-NA-MEO"),
        ("gates", "cua khau na meo", "GATE-NA-MEO"),
        ("posts", "muong ly", "POST-MUONG-LY"),
    ],
)
def test_places_are_searched_the_same_way(client_for, path, query, code):
    r = client_for(READER).get(f"/api/v1/{path}", {"q": query})
    assert r.status_code == 200, r.content
    codes = [row["code"] for row in r.json()]
    if code is None:
        assert codes == []
    else:
        assert codes[0] == code


def test_a_place_search_with_nothing_searchable_is_422(client_for):
    assert client_for(READER).get("/api/v1/posts", {"q": "-…"}).status_code == 422


@pytest.mark.parametrize("query, expected", corpus.QUERIES, ids=[q for q, _ in corpus.QUERIES])
def test_a_common_prefix_tested_on_the_rows_finds_the_same_hits(
    client_for, items, monkeypatch, query, expected
):
    """PostgreSQL asks its index for the other words only, and tests a prefix that starts common
    words on the rows they found (core.search.common_prefix): the hits must not change. Here every
    prefix is taken as common; on SQLite the query is the same either way."""
    monkeypatch.setattr(search, "common_prefix", lambda table: lambda prefix: True)
    c = client_for(READER)
    assert keys(items, api_ids(c, query)) == expected


def test_which_clauses_the_index_is_asked_for():
    """A prefix of one or two letters, or one `common` names, is left to the row test; the rest is
    asked of the index; a query of nothing but such a prefix asks the index for all of it."""
    q = search.parse("ma tuy")
    assert q.index_tsquery() is None
    assert q.index_tsquery(lambda p: p == "tuy") == "('ma')"
    assert q.index_tsquery(lambda p: False) is None
    assert search.parse("ma t").index_tsquery() == "('ma')"
    assert search.parse("tuy").index_tsquery(lambda p: True) is None
    assert search.parse('"ma tuy"').index_tsquery(lambda p: True) is None  # a quoted phrase is exact

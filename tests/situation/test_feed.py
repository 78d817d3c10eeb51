"""The live feed: what each person hears (policy), resume with Last-Event-ID (nothing twice), the
SSE stream itself, and the out-of-order commit horizon on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import AsyncClient

from liaison.core import clock
from liaison.intel import services
from liaison.intel.models import Category
from liaison.situation import feed


def _item(actor, tlp="amber", title="Tin thử feed"):
    return services.item_create(
        actor,
        title=title,
        body="Nội dung",
        category=Category.objects.get(code="smuggling"),
        observed_at=clock.now() - dt.timedelta(hours=1),
        reliability="B",
        credibility=2,
        tlp=tlp,
    )


def test_a_share_reaches_the_recipient_and_no_one_unrelated(cast, unit):
    post, police, bat_mot = (
        cast("na_meo_post_officer"),
        cast("na_meo_commune_police"),
        cast("bat_mot_post_officer"),
    )
    start = feed.latest_id()
    item = _item(post)
    services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])
    heard, _ = feed.events_after(police, start)
    assert [(e["kind"], e["object_id"]) for e in heard] == [("item.shared", str(item.pk))]
    assert feed.events_after(bat_mot, start)[0] == []
    # The originator hears that its item was created.
    assert [e["kind"] for e in feed.events_after(post, start)[0]] == ["item.created"]


def test_a_red_item_never_reaches_a_commander_through_the_subtree(cast, unit):
    post = cast("na_meo_post_officer")
    start = feed.latest_id()
    red, amber = _item(post, "red", "Tin đỏ"), _item(post, "amber", "Tin vàng")
    for it in (red, amber):
        services.item_share(post, item=it, units=[unit("CA-XA-NA-MEO")])
    heard, _ = feed.events_after(cast("province_commander"), start)  # CA-TH is above the recipient
    assert {e["object_id"] for e in heard} == {str(amber.pk)}


def test_the_auditor_and_the_partner_hear_nothing(cast, unit):
    post = cast("na_meo_post_officer")
    start = feed.latest_id()
    services.item_share(post, item=_item(post), units=[unit("CA-XA-NA-MEO")])
    for name in ("auditor", "hua_phan_partner"):
        assert feed.events_after(cast(name), start)[0] == []


def test_resuming_gives_what_was_missed_and_nothing_twice(cast, unit):
    post, police = cast("na_meo_post_officer"), cast("na_meo_commune_police")
    start = feed.latest_id()
    first = _item(post, title="một")
    services.item_share(post, item=first, units=[unit("CA-XA-NA-MEO")])
    got1, resume = feed.events_after(police, start)
    second = _item(post, title="hai")
    services.item_share(post, item=second, units=[unit("CA-XA-NA-MEO")])
    got2, _ = feed.events_after(police, resume)
    assert [e["object_id"] for e in got1] == [str(first.pk)]
    assert [e["object_id"] for e in got2] == [str(second.pk)]
    assert {e["id"] for e in got1}.isdisjoint({e["id"] for e in got2})


def _request(user, headers=None):
    """The stream view called directly (no test-client thread context, so its reads run in the test's
    own thread and see the test's data), with a signed-in user and a live session."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import AsyncRequestFactory

    request = AsyncRequestFactory().get("/events/stream", headers=headers or {})
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.save()
    request.session = session
    request.user = user

    async def auser():
        return user

    request.auser = auser
    return request


def _read_frames(user, n, headers=None):
    from liaison.situation.stream import stream

    request = _request(user, headers)

    async def run():
        response = await stream(request)
        assert response.status_code == 200, response
        assert response["Content-Type"].startswith("text/event-stream")
        frames = []
        it = response.streaming_content.__aiter__()
        try:
            while len(frames) < n:
                chunk = await asyncio.wait_for(it.__anext__(), timeout=5)
                text = chunk.decode() if isinstance(chunk, bytes) else chunk
                if text.startswith("id:"):
                    frames.append(text)
        finally:
            await it.aclose()
        return frames

    return async_to_sync(run)()


def test_the_sse_stream_resumes_from_last_event_id(cast, unit):
    post = cast("na_meo_post_officer")
    start = feed.latest_id()
    items = []
    for i in range(3):
        it = _item(post, title=f"sse {i}")
        services.item_share(post, item=it, units=[unit("CA-XA-NA-MEO")])
        items.append(it)
    police = cast("na_meo_commune_police")
    frames = _read_frames(police.user, 3, {"Last-Event-ID": str(start)})
    ids = [int(f.split("\n", 1)[0][4:]) for f in frames]
    assert ids == sorted(ids) and len(set(ids)) == 3 and min(ids) > start
    assert all(str(it.pk) in "".join(frames) for it in items)
    # Reconnecting after the second event gives only the third.
    again = _read_frames(police.user, 1, {"Last-Event-ID": str(ids[1])})
    assert int(again[0].split("\n", 1)[0][4:]) == ids[2]


def test_the_stream_needs_a_session():
    async def run():
        return await AsyncClient().get("/events/stream")

    assert async_to_sync(run)().status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="transaction horizon is a PostgreSQL matter")
def test_an_event_committed_late_with_a_smaller_id_is_not_skipped():
    """Two transactions write events; the one with the smaller id commits last. A reader must not
    move past the smaller id before it commits."""
    import psycopg

    s = connection.settings_dict
    kw = dict(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None, dbname=s["NAME"])
    a, b = psycopg.connect(**kw), psycopg.connect(**kw)
    reader = psycopg.connect(autocommit=True, **kw)
    insert = (
        "INSERT INTO core_event (kind, at, object_type, object_id, object_ref, data) "
        "VALUES ('test.order', now(), '', '', '', '{}') RETURNING id"
    )
    horizon = (
        "SELECT id FROM core_event WHERE id >= %s AND kind = 'test.order' "
        "AND txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY id"
    )
    try:
        small = a.execute(insert).fetchone()[0]
        big = b.execute(insert).fetchone()[0]
        b.commit()
        assert small < big
        # Without the horizon the reader would see `big` now and resume past `small`.
        assert [r[0] for r in reader.execute(horizon, [small])] == []
        a.commit()
        # The horizon is the whole server's: a transaction of another database on a shared server
        # holds it back for a while. The rule is that `big` is never read without `small`, and that
        # both are read once nothing older runs (at once on a quiet server).
        for _ in range(600):
            seen = [r[0] for r in reader.execute(horizon, [small])]
            assert seen in ([], [small], [small, big]), seen
            if seen == [small, big]:
                break
            time.sleep(0.05)
        assert seen == [small, big]
    finally:
        for c in (a, b):
            c.rollback()
            c.close()
        reader.execute("DELETE FROM core_event WHERE kind = 'test.order'")
        reader.close()

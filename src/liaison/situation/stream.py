"""The live feed: Server-Sent Events from an async view (uvicorn).

One hub per process wakes the streams: on PostgreSQL a single LISTEN connection fans out in memory
(NOTIFY is only a wake-up hint); on SQLite, and as a safety net everywhere, a short poll of the
newest event id. Each stream then reads what its user may see (feed.events_after, policy-filtered),
resumes from Last-Event-ID with nothing twice, re-checks its session every 30 s and ends at logout.
"""

from __future__ import annotations

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation

from liaison.core.events import CHANNEL
from liaison.org.actor import actor_for_request
from liaison.situation import feed

log = logging.getLogger("liaison.stream")
SESSION_CHECK_SECONDS = 30
# Streams read the database from a thread pool (each thread its own connection). Tests run them in
# the test's own thread instead, so that they see the test's uncommitted data.
POOLED = not getattr(settings, "LIAISON_STREAM_IN_CALLER_THREAD", False)
HEARTBEAT_SECONDS = 15


class Hub:
    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.latest = 0
        self.task: asyncio.Task | None = None
        self.streams = 0

    def ensure_started(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    def wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def run(self) -> None:
        listener = None
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            listener = asyncio.get_running_loop().create_task(self.listen())
        poll = 1.0 if listener is None else 5.0
        try:
            while True:
                latest = await sync_to_async(self._latest, thread_sensitive=False)()
                if latest != self.latest:
                    self.latest = latest
                    self.wake()
                await asyncio.sleep(poll)
        finally:
            if listener:
                listener.cancel()

    @staticmethod
    def _latest() -> int:
        try:
            return feed.latest_id()
        finally:
            close_old_connections()

    async def listen(self) -> None:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        while True:
            try:
                aconn = await psycopg.AsyncConnection.connect(
                    autocommit=True,
                    **{
                        k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")
                    },
                )
                async with aconn:
                    await aconn.execute(f"LISTEN {CHANNEL}")
                    async for _note in aconn.notifies():
                        self.latest = -1  # force the next poll to compare afresh
                        self.wake()
            except asyncio.CancelledError:
                raise
            except Exception:  # the hint is optional: the poll carries on
                log.warning("LISTEN connection lost; retrying in 5 s", exc_info=True)
                await asyncio.sleep(5)


HUB = Hub()


def _frame(ev: dict) -> str:
    return f"id: {ev['id']}\nevent: {ev['kind']}\ndata: {json.dumps(ev, ensure_ascii=False, default=str)}\n\n"


def _read(actor, after, lang=None):
    try:
        with translation.override(lang):  # the sentences in the reader's language
            return feed.events_after(actor, after)
    finally:
        if POOLED:
            close_old_connections()


def _session_alive(request) -> bool:
    try:
        from django.contrib.sessions.backends.db import SessionStore

        key = request.session.session_key
        return bool(key) and SessionStore().exists(key)
    finally:
        if POOLED:
            close_old_connections()


def _actor(request):
    """The signed-in actor, resolved in a pool thread: no per-request thread (and database
    connection) is kept for a stream's whole life."""
    try:
        user = request.user
        return actor_for_request(request) if user.is_authenticated else None
    finally:
        if POOLED:
            close_old_connections()


async def stream(request):
    actor = await sync_to_async(_actor, thread_sensitive=not POOLED)(request)
    if actor is None:
        return HttpResponse(status=401)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last") or ""
    if raw.isdigit():
        after = int(raw)
    else:
        after = await sync_to_async(feed.latest_id, thread_sensitive=not POOLED)()
    if POOLED:
        HUB.ensure_started()
    lang = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()

    async def events():
        nonlocal after
        HUB.streams += 1
        loop = asyncio.get_running_loop()
        last_check = last_beat = loop.time()
        try:
            yield "retry: 3000\n\n"
            while True:
                rows, after = await sync_to_async(_read, thread_sensitive=not POOLED)(actor, after, lang)
                for ev in rows:
                    yield _frame(ev)
                now = loop.time()
                if now - last_check > SESSION_CHECK_SECONDS:
                    last_check = now
                    if not await sync_to_async(_session_alive, thread_sensitive=not POOLED)(request):
                        yield "event: end\ndata: {}\n\n"
                        return
                if now - last_beat > HEARTBEAT_SECONDS:
                    last_beat = now
                    yield ": ping\n\n"
                try:
                    await asyncio.wait_for(HUB.changed.wait(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    pass
        finally:
            HUB.streams -= 1

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response

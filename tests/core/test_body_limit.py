"""The body limit applies while the body is read, under uvicorn too: Django's ASGI handler reads
(and spools to disk) a whole body before any middleware runs, so `liaison.asgi` wraps it."""

from __future__ import annotations

import asyncio
import json

from django.conf import settings

from liaison.asgi import application


def _scope(headers, path="/api/v1/items"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 8000),
    }


def _run(scope, chunks):
    """Serve one request whose body arrives in `chunks`; (status, body, bytes the app was given)."""
    sent, given = [], {"n": 0, "asked": 0}
    queue = list(chunks)

    async def receive():
        given["asked"] += 1
        if not queue:
            await asyncio.sleep(3600)  # a client that keeps the connection open
        chunk = queue.pop(0)
        given["n"] += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(application(scope, receive, send), 30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, given


def test_a_content_length_above_the_limit_is_refused_before_a_byte_is_read():
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    scope = _scope({"content-type": "application/json", "content-length": str(too_big)})
    status, body, given = _run(scope, [b"x" * 1024] * 10)
    assert status == 413
    assert json.loads(body)["errors"][0]["field"] == "body"
    assert given["asked"] == 0


def test_a_chunked_body_is_cut_at_the_limit():
    chunk = b"x" * 65536
    n = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // len(chunk) + 50
    scope = _scope({"content-type": "application/json", "transfer-encoding": "chunked"})
    status, body, given = _run(scope, [chunk] * n)
    assert status == 413
    assert json.loads(body)["code"] == "body_too_large"
    # Read up to the limit and one chunk more, never the whole stream.
    assert given["n"] <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE + len(chunk)


def test_an_upload_may_be_as_large_as_an_attachment_but_no_larger():
    over = settings.ATTACHMENT_MAX_BYTES * 2
    scope = _scope(
        {"content-type": "multipart/form-data; boundary=x", "content-length": str(over)},
        path="/api/v1/items/00000000-0000-0000-0000-000000000000/attachments",
    )
    status, _body, given = _run(scope, [b"x"])
    assert status == 413 and given["asked"] == 0

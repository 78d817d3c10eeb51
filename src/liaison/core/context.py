"""Per-request context (request id, client address) that services and the audit log read.

Set by `RequestContextMiddleware` for web requests and by the CLI and workers for their own work.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def bound(*, rid: str | None = None, address: str = "") -> Iterator[str]:
    rid = rid or new_request_id()
    t1 = request_id.set(rid)
    t2 = client_address.set(address)
    try:
        yield rid
    finally:
        request_id.reset(t1)
        client_address.reset(t2)

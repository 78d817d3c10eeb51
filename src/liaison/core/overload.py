"""Overload: when every connection of a server process's database pool stays busy for the pool's
timeout, the request is answered 503 with Retry-After instead of a 500. The connection is taken at
the request's first query, so nothing was written: a client may retry (with the same
Idempotency-Key for a create)."""

from __future__ import annotations

from django.http import HttpResponse

RETRY_AFTER_SECONDS = 5


def overloaded(exc: BaseException) -> bool:
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover (installed with psycopg[pool])
        return False
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, PoolTimeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def busy_page() -> HttpResponse:
    """No template, no session, no database: a plain page in the interface's languages."""
    body = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><title>503</title>'
        "<h1>Hệ thống đang bận</h1><p>Chưa có thay đổi nào được lưu. Vui lòng thử lại sau ít giây.</p>"
        '<p lang="en">The server is busy. Nothing was changed; try again in a few seconds.</p></html>'
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

"""Binds a request id and the client address for the audit log, and resolves the acting unit."""

from __future__ import annotations

import re

from liaison.core import context

_RID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _RID.match(incoming) else context.new_request_id()
        request.request_id = rid
        with context.bound(rid=rid, address=request.META.get("REMOTE_ADDR", "")):
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class DomainErrorMiddleware:
    """Pages: a domain error becomes the same 404 or 403 page everywhere; refusals are audited. A
    request that found no free database connection gets a 503 page that needs no database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from liaison.core.errors import DomainError
        from liaison.core.overload import busy_page, overloaded

        if overloaded(exception):
            return busy_page()
        if not isinstance(exception, DomainError):
            return None
        from liaison.core.api import audit_refusal

        audit_refusal(request, exception)
        status = exception.status if exception.status in (403, 404, 409, 422) else 400
        template = {404: "web/404.html", 403: "web/403.html"}.get(status, "web/error.html")
        return render(request, template, {"error": exception}, status=status)


# Room for a multipart form's boundaries and headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def limit_for(content_type: str) -> int:
    """The most a request's body may hold: an upload (multipart) its file's limit, anything else
    `DATA_UPLOAD_MAX_MEMORY_SIZE` (`LIAISON_MAX_BODY_BYTES`)."""
    from django.conf import settings

    if (content_type or "").split(";")[0].strip().lower() == "multipart/form-data":
        return settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def body_limit(request) -> int:
    return limit_for(request.content_type)


def _refusal(path: str, status: int, code: str, message: str):
    from liaison.core.api import problem
    from liaison.core.errors import FieldError

    if path.startswith("/api/"):
        return problem(status, code, message, errors=[FieldError("body", code, message)])
    from django.http import HttpResponse

    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


TOO_LARGE = (413, "body_too_large", "The request body is too large.")


class BodyLimitMiddleware:
    """A body is refused before it is read: a Content-Length above the limit gets 413, a body sent
    without one (chunked) 411. The WSGI input is then read only up to that Content-Length, so the
    stream is cut at the limit too; nothing is spooled to disk first. The reverse proxy sets the
    same limit (README, "Input rules")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if raw and not raw.isdigit():
            return _refusal(
                request.path, 400, "bad_content_length", "The Content-Length header is not a number."
            )
        if raw and int(raw) > body_limit(request):
            return _refusal(request.path, *TOO_LARGE)
        if not raw and chunked:
            return _refusal(request.path, 411, "length_required", "Send the body with a Content-Length.")
        return self.get_response(request)


class BodyLimitASGI:
    """The same limit under uvicorn, where Django's ASGI handler reads (and spools to disk) the
    whole body before any middleware runs: this wrapper sits around it. A Content-Length above the
    limit is answered 413 before a byte is read; a body that grows past the limit while it is read
    (chunked, or longer than announced) is cut there: the application is told the client left, and
    the client gets the 413."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = limit_for(headers.get("content-type", ""))
        raw = headers.get("content-length", "")
        if raw and (not raw.isdigit() or int(raw) > limit):
            refusal = (400, "bad_content_length", "The Content-Length header is not a number.")
            return await self._refuse(scope, send, *(TOO_LARGE if raw.isdigit() else refusal))
        state = {"read": 0, "cut": False, "started": False}

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["cut"] = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message):
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, tracked_send)
        if state["cut"] and not state["started"]:
            await self._refuse(scope, send, *TOO_LARGE)

    async def _refuse(self, scope, send, status, code, message):
        response = _refusal(scope.get("path", ""), status, code, message)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.items()]
        headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": response.content})

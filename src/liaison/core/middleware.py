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

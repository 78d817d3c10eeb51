"""What every API router shares: the actor, problem details, idempotent creates.

One error shape (RFC 9457 problem details) with a list of field errors, for every error the API
can give: validation, domain errors, authentication, CSRF, oversized or malformed bodies.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, connection, transaction
from django.db.utils import OperationalError
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

from liaison.core import clock
from liaison.core.errors import Conflict, DomainError, FieldError, Invalid, NotFound
from liaison.core.inputs import CONTROL_MESSAGE, control_character
from liaison.core.models import IdempotencyRecord
from liaison.core.overload import RETRY_AFTER_SECONDS, overloaded
from liaison.core.transactions import interface_boundary

log = logging.getLogger(__name__)

PROBLEM_TYPES = "https://liaison.example/problems/"
_WRAPPERS = {"body", "query", "path", "header", "cookie", "form", "file", "payload", "filters"}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str = "",
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"type": PROBLEM_TYPES + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body["errors"] = [{"field": e.field, "code": e.code, "message": e.message} for e in (errors or [])]
    response = JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _WRAPPERS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_errors(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors:
        loc = err.get("loc", ())
        kind = err.get("type", "invalid")
        if kind == "json_invalid" or (err.get("msg") or "").startswith("Cannot parse request body"):
            out.append(FieldError("body", "malformed", "The body is not valid JSON."))
            continue
        out.append(FieldError(_field_name(loc), str(kind), str(err.get("msg", "Invalid value."))))
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        return problem(
            422, "validation_error", "The request has invalid fields.", errors=_validation_errors(exc)
        )

    @api.exception_handler(DomainError)
    def on_domain(request, exc: DomainError):
        audit_refusal(request, exc)
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return problem(exc.status, exc.code, exc.message, errors=exc.errors, headers=headers)

    @api.exception_handler(AuthenticationError)
    def on_auth(request, exc):
        return problem(
            401,
            "unauthenticated",
            "Sign in or send a valid API token.",
            headers={"WWW-Authenticate": 'Bearer realm="liaison"'},
        )

    @api.exception_handler(HttpError)
    def on_http(request, exc: HttpError):
        if isinstance(exc.__cause__, DomainError):  # ninja wraps what the body's parser raises
            cause = exc.__cause__
            return problem(cause.status, cause.code, cause.message, errors=cause.errors)
        if exc.status_code == 400 and "parse request body" in str(exc):
            return problem(
                400,
                "malformed_body",
                "The body is not valid JSON.",
                errors=[FieldError("body", "malformed", "The body is not valid JSON.")],
            )
        # A CSRF refusal was already audited by CSRF_FAILURE_VIEW, which ninja's check runs.
        code = "csrf_failed" if exc.status_code == 403 and "CSRF" in str(exc) else "http_error"
        return problem(exc.status_code, code, str(exc))

    @api.exception_handler(OperationalError)
    def on_database(request, exc: OperationalError):
        if not overloaded(exc):
            raise exc
        return problem(
            503,
            "overloaded",
            "The server is busy: every database connection is in use. Nothing was changed; try again.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request, exc):
        # A form without a boundary, or cut short: the client's fault, named as the body.
        return problem(
            400,
            "malformed_body",
            "The multipart body cannot be read.",
            errors=[FieldError("body", "malformed", "The multipart body cannot be read (boundary?).")],
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        return problem(
            413,
            "body_too_large",
            "The request body is too large.",
            errors=[FieldError("body", "too_large", "The request body is too large.")],
        )


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, with the fields at fault.",
    "required": ["type", "title", "status", "code", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "a stable error code; tests and clients match on it"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
PROBLEM_RESPONSES = {
    "400": "Malformed request (a body that is not JSON, a multipart form that cannot be read)",
    "401": "Not signed in, or no valid API token",
    "403": "Not permitted, or a session request without its CSRF token",
    "404": "No such record, or one you may not see (the two are answered alike)",
    "409": "A conflict: the record changed, or a request with this Idempotency-Key is in flight",
    "411": "A body without a Content-Length",
    "413": "The body is larger than the limit",
    "415": "A JSON body not sent as application/json",
    "422": "Invalid fields, each named (enums, ranges, dates, control characters, the cursor)",
    "503": "Every database connection is in use; retry after Retry-After seconds",
}


_ENCODE = NinjaJSONEncoder().default
_ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


class Renderer(BaseRenderer):
    """Answers encoded by orjson (issue 15: the standard library's encoder, called back for every
    date, was 3–4 ms of a 50-row list): the same values as ninja's encoder, text as UTF-8 instead
    of `\\u` escapes, times in ISO 8601 UTC with `Z` and their microseconds (Django's encoder cut
    them to milliseconds). Anything orjson does not know goes to ninja's encoder."""

    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return orjson.dumps(data, default=_ENCODE, option=_ORJSON_OPTIONS)


class ProblemDocumentAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document states the error responses of every operation: problem
    details (`Problem`), as `install_error_handlers` gives them."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in PROBLEM_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": ref})
        return schema


def refused_object(obj):
    """The record a refusal is about: permissions may be asked about (record, ...) tuples."""
    if isinstance(obj, tuple):
        return next((x for x in obj if hasattr(x, "_meta")), None)
    return obj


def audit_refusal(request: HttpRequest, exc: DomainError) -> None:
    """Record a refusal at the interface boundary (API and pages), after the refused work unwound,
    through the recorder the settings name (`LIAISON_RECORD_REFUSAL`: the audit log's)."""
    refused = getattr(exc, "refused", None)
    if not refused:
        return
    action, obj = refused
    import_string(settings.LIAISON_RECORD_REFUSAL)(actor_of(request), action, refused_object(obj))


def is_json(content_type: str) -> bool:
    """`application/json` or a `+json` type (`application/merge-patch+json`)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def _controls(value: Any, path: str) -> list[FieldError]:
    """Every string (value or key) of a JSON document holding a control character other than tab
    and line breaks, by its path: a backstop under the schemas' own types (`core.inputs`), so that
    no NUL reaches a database from a body, whatever field it sits in."""
    if isinstance(value, str):
        bad = control_character(value, free_text=True)
        return [FieldError(path or "body", "control_character", str(CONTROL_MESSAGE))] if bad else []
    out: list[FieldError] = []
    if isinstance(value, dict):
        for k, v in value.items():
            name = f"{path}.{k}" if path else str(k)
            if control_character(str(k), free_text=True):
                out.append(FieldError(path or "body", "control_character", str(CONTROL_MESSAGE)))
            out += _controls(v, name)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _controls(v, f"{path}.{i}" if path else str(i))
    return out


class ObjectParser(Parser):
    """JSON bodies are objects sent as `application/json`: another content type is refused with 415
    (a form post or `text/plain` is not read as JSON), a list, a string or a number with 422 naming
    the body, a control character in any string with 422 naming its field; a control character in
    a query parameter or a form field likewise."""

    def parse_body(self, request):
        if not is_json(request.content_type):
            raise UnsupportedMediaType()
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise Invalid(field="body", code="not_object", message="The body must be a JSON object.")
        errors = _controls(data, "")
        if errors:
            raise Invalid(errors)
        return data

    def parse_querydict(self, data, list_fields, request):
        """Query strings and form fields: the same backstop, naming the parameter."""
        parsed = super().parse_querydict(data, list_fields, request)
        errors = [e for name, value in parsed.items() for e in _controls(value, str(name))]
        if errors:
            raise Invalid(errors)
        return parsed


class UnsupportedMediaType(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "unsupported_media_type",
            "A JSON body must be sent as Content-Type: application/json.",
            415,
            [FieldError("Content-Type", "unsupported", "Send application/json.")],
        )


def actor_of(request: HttpRequest):
    """Who acts in this request (user, membership, how they came in), as the settings say to find it
    (`LIAISON_ACTOR_FOR_REQUEST`: org's `actor_for_request`, cached on the request)."""
    return import_string(settings.LIAISON_ACTOR_FOR_REQUEST)(request)


class WithParts:
    """A record and the parts its response shows, each read by its own selector: an output schema
    reads both by attribute (`WithParts(item, receipts=selectors.item_receipts(...))`), the parts
    first, then the record."""

    def __init__(self, record: Any, **parts: Any) -> None:
        self.__dict__.update(parts)
        self._record = record

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)


IDEMPOTENCY_WAIT_SECONDS = 2  # how long a retry waits for a concurrent twin before 409


def payload_hash(request: HttpRequest) -> str:
    """What an Idempotency-Key is bound to. A JSON body as sent, with its path (the same body sent
    to another record's path is another request). A multipart form (an upload) is
    never sent the same way twice (its boundary is random): its path, its fields, and each file's
    field, name, size and SHA-256 (read in chunks, then rewound for the create)."""
    if request.content_type != "multipart/form-data":
        return hashlib.sha256(request.path.encode() + b"\0" + request.body).hexdigest()
    files = []
    for field, uploads in sorted(request.FILES.lists()):
        for f in uploads:
            h = hashlib.sha256()
            for chunk in f.chunks():
                h.update(chunk)
            f.seek(0)
            files.append([field, f.name, f.size, h.hexdigest()])
    canonical = {"path": request.path, "fields": sorted(request.POST.lists()), "files": files}
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def idempotent_create(
    request: HttpRequest,
    route: str,
    create: Callable[[], Any],
    replay: Callable[[str], Any],
    result_id: Callable[[Any], str] = lambda o: str(o.pk),
    status: int = 201,
) -> tuple[int, Any]:
    """Run `create` at most once per (user, route, Idempotency-Key).

    The key is written in the create's own transaction, before the record (the service joins it:
    `core/transactions.py`), so a key exists exactly when its record does. Its owner is that
    transaction: a concurrent twin's insert waits on the unique index until the first commits (the
    twin then replays the result) or rolls back — a process killed mid-create rolls back the moment
    its connection drops, so its key is free at once, with no timer. A twin that waits longer than
    `IDEMPOTENCY_WAIT_SECONDS` answers 409 with `Retry-After`. A retry of a finished key returns
    `replay(result_id)`; the same key with another payload is refused with 422."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        with interface_boundary():
            return status, create()
    if not key or len(key) > 200 or not key.isascii() or not key.isprintable():
        raise Invalid(field="Idempotency-Key", code="invalid", message="1–200 printable ASCII characters.")
    user = request.user
    digest = payload_hash(request)
    with interface_boundary():  # the service `create` calls joins this transaction
        record = _claim_key(user, route, key, digest)
        if record.state == IdempotencyRecord.State.DONE:
            return record.status_code or status, replay(record.result_id)
        obj = create()
        record.state = IdempotencyRecord.State.DONE
        record.status_code = status
        record.result_id = result_id(obj)
        record.save(update_fields=["state", "status_code", "result_id"])
        return status, obj


class KeyInFlight(Conflict):
    """A twin request with the same key is still running: retry after a moment."""

    def __init__(self) -> None:
        super().__init__("idempotency_in_flight", "A request with this key is still being processed.")
        self.retry_after = IDEMPOTENCY_WAIT_SECONDS


def _claim_key(user, route: str, key: str, digest: str) -> IdempotencyRecord:
    """This transaction's row for the key: a new one (IN_FLIGHT until the create is done), or the
    finished one of an earlier request. A row left IN_FLIGHT by an earlier version of Liaison (which
    committed keys on their own) belongs to nobody alive: it is taken over."""
    postgres = connection.vendor == "postgresql"
    try:
        with transaction.atomic():  # a savepoint: a refused insert leaves the transaction usable
            if postgres:
                with connection.cursor() as c:
                    c.execute(f"SET LOCAL lock_timeout = '{IDEMPOTENCY_WAIT_SECONDS}s'")
            record = IdempotencyRecord.objects.create(
                user=user, route=route, key=key, request_hash=digest, created_at=clock.now()
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.select_for_update().get(user=user, route=route, key=key)
        if record.request_hash != digest:
            raise Invalid(
                field="Idempotency-Key", code="key_reused", message="This key was used with another payload."
            ) from None
    except OperationalError as e:
        if postgres and getattr(getattr(e, "__cause__", None), "sqlstate", None) == "55P03":
            raise KeyInFlight() from None
        raise
    finally:
        if postgres:
            with connection.cursor() as c:
                c.execute("SET LOCAL lock_timeout TO DEFAULT")
    return record


def replay_missing(what: str):
    def _fn(_id: str):
        raise NotFound(what)

    return _fn

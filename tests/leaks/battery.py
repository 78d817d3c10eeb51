"""The need-to-know battery's machinery: find every read route, and check each against the rules.

A record type joins by declaring (in `declarations.py`) its records, a plain-Python statement of
who may see each one (written from PRODUCT.md, never by asking `policy`), and the routes that show
it. The battery walks the URL configuration and the OpenAPI document: a read route that no
declaration claims fails the test, and so does a declared route that no longer exists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Member:
    """A cast member as the rules see them: the facts of their active membership."""

    name: str
    username: str
    unit_code: str
    unit_path: str
    unit_country: str
    unit_force: str
    role: str
    user_id: uuid.UUID


@dataclass
class ListRoute:
    key: str  # "api GET /api/v1/units" or "page units/" ("#part" when one route shows several lists)
    url: str
    ids: Callable[[Any], set[str]]  # response -> ids shown
    # (member, records, rule) -> the records the list must show; default: every visible one.
    expected: Callable[[Member, list, Callable], list] | None = None


@dataclass
class DetailRoute:
    key: str
    url: Callable[[str], str]  # record id -> url
    visible_status: int = 200  # what a visible record answers (a route may need more input: 422)


@dataclass
class RecordType:
    name: str
    records: Callable[[], list[Any]]
    visible_to: Callable[[Member, Any], bool]
    list_routes: list[ListRoute] = field(default_factory=list)
    detail_routes: list[DetailRoute] = field(default_factory=list)
    record_id: Callable[[Any], str] = lambda r: str(r.pk)
    # Detail checks on a deterministic sample keep the battery fast; lists see every record.
    sample: int = 15


def json_ids(field_name: str = "id") -> Callable[[Any], set[str]]:
    return lambda response: {str(row[field_name]) for row in response.json()}


DATA_ID = re.compile(r'data-id="([^"]+)"')
DATA_EVENT = re.compile(r'data-event="([^"]+)"')


def html_ids(pattern: re.Pattern = DATA_ID) -> Callable[[Any], set[str]]:
    return lambda response: set(pattern.findall(response.content.decode()))


# --- route discovery ------------------------------------------------------------------------


def _walk(patterns, prefix: str = "") -> list[str]:
    out: list[str] = []
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith(API_PREFIX) or route.startswith("admin/"):
                out.append(route.split("/")[0] + "/…")  # covered by the OpenAPI walk / the admin test
                continue
            out.extend(_walk(p.url_patterns, route))
        elif isinstance(p, URLPattern):
            out.append(route)
    return out


def page_routes() -> set[str]:
    return {"page " + r for r in _walk(get_resolver().url_patterns)}


def api_routes() -> set[str]:
    from liaison.api import api

    schema = api.get_openapi_schema()
    out = set()
    for path, ops in schema["paths"].items():
        for method in ops:
            out.add(f"api {method.upper()} {path}")
    return out


def normalise_page(html: str) -> str:
    """Remove what legitimately differs between two responses (nonces, CSRF tokens)."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    html = re.sub(r'<meta name="csrf-token" content="[^"]*">', "", html)
    return html

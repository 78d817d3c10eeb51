"""Record types in the battery, with the rules of PRODUCT.md stated in plain Python.

The rules (PRODUCT.md, "Organisation", "Need to know", "Audit"):
- Units, areas and places are reference data: every member of this node sees them, in any role
  but auditor (auditors read the audit log and nothing else). A partner user on this node (a
  membership in a unit of another country) sees nothing.
- API tokens are seen only by the user who owns them.
- The audit log is read by auditors only.
"""

from __future__ import annotations

from liaison.accounts.models import ApiToken
from liaison.audit.models import AuditEvent
from liaison.geo.models import Area, Place
from liaison.org.models import Unit

from .battery import DATA_EVENT, DetailRoute, ListRoute, Member, RecordType, html_ids, json_ids

NODE_COUNTRY = "VN"


def is_node_staff(m: Member) -> bool:
    return m.unit_country == NODE_COUNTRY and m.role != "auditor"


def is_node_auditor(m: Member) -> bool:
    return m.unit_country == NODE_COUNTRY and m.role == "auditor"


def _places(kind):
    return lambda: list(Place.objects.filter(kind=kind).order_by("code"))


RECORD_TYPES = [
    RecordType(
        name="unit",
        records=lambda: list(Unit.objects.order_by("code")),
        visible_to=lambda m, r: is_node_staff(m),
        list_routes=[
            ListRoute("api GET /api/v1/units", "/api/v1/units", json_ids()),
            ListRoute("page units/", "/units/", html_ids()),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/units/{unit_id}", lambda i: f"/api/v1/units/{i}"),
            DetailRoute("page units/<uuid:unit_id>/", lambda i: f"/units/{i}/"),
        ],
    ),
    RecordType(
        name="area",
        records=lambda: list(Area.objects.order_by("code")),
        visible_to=lambda m, r: is_node_staff(m),
        list_routes=[ListRoute("api GET /api/v1/areas", "/api/v1/areas", json_ids())],
        detail_routes=[DetailRoute("api GET /api/v1/areas/{area_id}", lambda i: f"/api/v1/areas/{i}")],
    ),
    RecordType(
        name="post",
        records=_places("post"),
        visible_to=lambda m, r: is_node_staff(m),
        list_routes=[
            ListRoute("api GET /api/v1/posts", "/api/v1/posts", json_ids()),
            ListRoute("page places/", "/places/?kind=post", html_ids()),
        ],
        detail_routes=[DetailRoute("api GET /api/v1/posts/{place_id}", lambda i: f"/api/v1/posts/{i}")],
    ),
    RecordType(
        name="marker",
        records=_places("marker"),
        visible_to=lambda m, r: is_node_staff(m),
        list_routes=[ListRoute("api GET /api/v1/markers", "/api/v1/markers", json_ids())],
        detail_routes=[DetailRoute("api GET /api/v1/markers/{place_id}", lambda i: f"/api/v1/markers/{i}")],
    ),
    RecordType(
        name="gate",
        records=_places("gate"),
        visible_to=lambda m, r: is_node_staff(m),
        list_routes=[ListRoute("api GET /api/v1/gates", "/api/v1/gates", json_ids())],
        detail_routes=[DetailRoute("api GET /api/v1/gates/{place_id}", lambda i: f"/api/v1/gates/{i}")],
    ),
    RecordType(
        name="api token",
        records=lambda: list(ApiToken.objects.order_by("created_at")),
        visible_to=lambda m, r: m.unit_country == NODE_COUNTRY and r.user_id == m.user_id,
        list_routes=[
            ListRoute("api GET /api/v1/tokens", "/api/v1/tokens", json_ids()),
            ListRoute("page accounts/tokens/", "/accounts/tokens/", html_ids()),
        ],
    ),
    RecordType(
        name="audit event",
        # Lists show the newest 100: the records to expect are those, taken just before the request.
        records=lambda: list(AuditEvent.objects.order_by("-id")[:100]),
        visible_to=lambda m, r: is_node_auditor(m),
        record_id=lambda r: str(r.id),
        list_routes=[
            ListRoute("api GET /api/v1/audit/events", "/api/v1/audit/events", json_ids("id")),
            ListRoute("page audit/", "/audit/", html_ids(DATA_EVENT)),
        ],
    ),
]

# Routes that are not record reads, each with the test that covers it.
OTHER_ROUTES = {
    "page ": "home page of the active unit: tests/leaks/test_battery.py::test_home_shows_only_the_own_unit",
    "api GET /api/v1/me": "the caller's own identity: test_battery.py::test_me_is_only_oneself",
    "page work/nav/": "the navigation and the counts of the reader's own unit's work (through the "
    "policy, no record named): tests/pages/test_findings.py::test_the_home_page_and_the_badges_count_what_waits_for_the_unit",
    "page accounts/login/": "sign-in form (public): tests/accounts",
    "page accounts/login/otp/": "second factor (public, needs a pending sign-in): tests/accounts",
    "page accounts/logout/": "POST only: tests/accounts",
    "page accounts/switch/": "POST only, own memberships: tests/policy",
    "page accounts/tokens/<uuid:token_id>/revoke/": "POST only, own tokens: tests/accounts",
    "page accounts/memberships/": "pending memberships the reader may confirm: tests/org/test_memberships.py",
    "page accounts/memberships/<uuid:membership_id>/confirm/": "POST only: tests/org/test_memberships.py",
    "page accounts/activate/": "account activation (public, needs the one-time code): tests/accounts/test_activation.py",
    "page accounts/activations/<uuid:user_id>/": "POST only, a confirmer re-issues a code (404 to anyone else): "
    "tests/accounts/test_activation.py::test_a_lost_code_is_issued_again_by_a_confirmer_never_by_the_maker",
    "page i18n/setlang/": "language switch (POST): tests/web",
    "api POST /api/v1/me/active-unit": "write: tests/policy",
    "api POST /api/v1/units": "write: tests/org",
    "api POST /api/v1/tokens": "write: tests/accounts",
    "api DELETE /api/v1/tokens/{token_id}": "write: tests/accounts",
    "page api/…": "the API: walked through its OpenAPI document",
    "page admin/…": "the admin: tests/leaks/test_battery.py::test_admin_is_for_verified_administrators_only",
}

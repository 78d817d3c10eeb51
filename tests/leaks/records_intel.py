"""Information items in the battery. The rule, from PRODUCT.md "Need to know" and "Handling levels":

A member of this node in an operational role (duty officer, analyst, commander, liaison officer;
never an administrator or auditor membership) sees an item when their active unit is involved —
originator, recipient, or asked to verify it — or, for a commander, when an involved unit lies in
the subtree below the commander's unit and the item is not RED. Nothing else grants access.
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.intel.models import Attachment, Item, ItemReceipt, VerificationRequest

from .battery import DATA_ID, DetailRoute, ListRoute, Member, RecordType, html_ids

# PRODUCT.md: involvement grants access to the operational roles only; an administrator or
# auditor membership never reads a record through its unit.
OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}


@dataclass(frozen=True)
class ItemFacts:
    pk: str
    received_at: object
    tlp: str
    origin_path: str
    receipt_paths: frozenset
    verifier_paths: frozenset
    unacknowledged_by: frozenset  # unit codes with an unacknowledged receipt
    is_drill: bool
    exchanged_at: object
    level: str
    positioned: bool = False  # a point, or a commune with a position: drawn on the map


def item_facts() -> list[ItemFacts]:
    receipts: dict = {}
    unacked: dict = {}
    for item_id, path, code, ack in ItemReceipt.objects.values_list(
        "item_id", "unit__path", "unit__code", "acknowledged_at"
    ):
        receipts.setdefault(item_id, set()).add(path)
        if ack is None:
            unacked.setdefault(item_id, set()).add(code)
    verifiers: dict = {}
    for item_id, path in VerificationRequest.objects.values_list("item_id", "unit__path"):
        verifiers.setdefault(item_id, set()).add(path)
    rows = Item.objects.order_by("-received_at", "-id").values_list(
        "pk",
        "received_at",
        "tlp",
        "origin_unit__path",
        "is_drill",
        "exchanged_at",
        "level",
        "lat",
        "area__lat",
    )
    return [
        ItemFacts(
            str(pk),
            at,
            tlp,
            opath,
            frozenset(receipts.get(pk, ())),
            frozenset(verifiers.get(pk, ())),
            frozenset(unacked.get(pk, ())),
            drill,
            exch,
            level,
            lat is not None or alat is not None,
        )
        for pk, at, tlp, opath, drill, exch, level, lat, alat in rows
    ]


def sees_item(m: Member, it: ItemFacts) -> bool:
    if m.unit_country != "VN" or m.role not in OPERATIONAL:
        return False
    involved = {it.origin_path, *it.receipt_paths, *it.verifier_paths}
    if m.unit_path in involved:
        return True
    if m.role == "commander" and it.tlp != "red":
        return any(p.startswith(m.unit_path) for p in involved)
    return False


def newest(n):
    """List routes show the newest `n` visible, non-drill items (received time, then id, descending)."""
    return lambda m, records, rule: [r for r in records if not r.is_drill and rule(m, r)][:n]


def _attachments():
    facts = {f.pk: f for f in item_facts()}
    return [(a, facts[str(a.item_id)]) for a in Attachment.objects.order_by("created_at")]


def _verifications():
    facts = {f.pk: f for f in item_facts()}
    return [(v, facts[str(v.item_id)]) for v in VerificationRequest.objects.order_by("due_at", "id")]


def json_field_ids(key: str):
    return lambda r: {str(x["id"]) for x in r.json()[key]}


def json_items(r):
    return {str(x["id"]) for x in r.json()["items"]}


DATA_VERIFICATION = __import__("re").compile(r'data-verification="([^"]+)"')

RECORD_TYPES = [
    RecordType(
        name="item",
        records=item_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_item,
        list_routes=[
            ListRoute("api GET /api/v1/items", "/api/v1/items", json_items, expected=newest(50)),
            ListRoute("page items/", "/items/", html_ids(DATA_ID), expected=newest(50)),
        ],
        detail_routes=[
            DetailRoute("api GET /api/v1/items/{item_id}", lambda i: f"/api/v1/items/{i}"),
            DetailRoute("api GET /api/v1/items/{item_id}/history", lambda i: f"/api/v1/items/{i}/history"),
            DetailRoute("page items/<uuid:item_id>/", lambda i: f"/items/{i}/"),
            DetailRoute("page items/<uuid:item_id>/access/", lambda i: f"/items/{i}/access/"),
            DetailRoute(
                "api GET /api/v1/items/{item_id}/access",
                lambda i: f"/api/v1/items/{i}/access?unit_id=00000000-0000-0000-0000-000000000000",
                visible_status=422,
            ),
        ],
        sample=12,
    ),
    RecordType(
        name="inbox entry",
        records=item_facts,
        record_id=lambda r: r.pk,
        visible_to=lambda m, it: sees_item(m, it) and m.unit_code in it.unacknowledged_by,
        list_routes=[
            ListRoute(
                "api GET /api/v1/inbox",
                "/api/v1/inbox",
                json_field_ids("unacknowledged"),
                expected=newest(200),
            ),
            ListRoute("page inbox/", "/inbox/", html_ids(DATA_ID), expected=newest(200)),
        ],
    ),
    RecordType(
        name="verification request in the inbox",
        records=_verifications,
        record_id=lambda r: str(r[0].pk),
        visible_to=lambda m, r: sees_item(m, r[1]) and r[0].unit.code == m.unit_code and r[0].state == "open",
        list_routes=[
            ListRoute("page inbox/#verifications", "/inbox/", html_ids(DATA_VERIFICATION)),
            ListRoute(
                "api GET /api/v1/inbox#verifications", "/api/v1/inbox", json_field_ids("verifications")
            ),
        ],
    ),
    RecordType(
        name="attachment",
        records=_attachments,
        record_id=lambda r: str(r[0].pk),
        visible_to=lambda m, r: sees_item(m, r[1]),
        detail_routes=[
            DetailRoute("api GET /api/v1/attachments/{attachment_id}", lambda i: f"/api/v1/attachments/{i}"),
            DetailRoute("page attachments/<uuid:attachment_id>/", lambda i: f"/attachments/{i}/"),
        ],
    ),
]

OTHER_ROUTES = {
    "api GET /api/v1/stats/exchange": "counts over what the reader may see: test_battery.py::test_counts_follow_the_rules",
    "api GET /api/v1/stats/exchange.{fmt}": "exports of the same counts: test_battery.py::test_counts_follow_the_rules",
    "page stats/": "the same counts as a page: test_battery.py::test_counts_follow_the_rules",
    "page items/new/": "the create form: tests/intel",
    "page items/<uuid:item_id>/<slug:action>/": "POST actions on a visible item: tests/intel",
    "api POST /api/v1/items": "write: tests/intel",
    "api PATCH /api/v1/items/{item_id}": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/acknowledge": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/attachments": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/close": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/grading": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/handling": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/links": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/shares": "write: tests/intel",
    "api POST /api/v1/items/{item_id}/verification-requests": "write: tests/intel",
    "api POST /api/v1/verification-requests/{request_id}/answer": "write: tests/intel",
}

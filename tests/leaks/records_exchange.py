"""The cross-border exchange in the battery (issue 20, PRODUCT.md "Need to know").

- An item from the partner (a partner item) is seen by the units of this node it was released to,
  in an operational role, and by commanders above them (the subtree rule). The partner's own unit
  owns it but lies in another country: it grants nothing, so the partner's officers on this node
  (the cast's `hua_phan_partner`) see nothing of it, nor does any administrator or auditor.
- An incident summary from the partner (a partner incident) follows the partner item's rule: the
  units it was released to and their commanders; nobody else, the partner's officers on this node
  (`hua_phan_partner`) included.
- A release to the partner is seen by whoever sees its item (records_intel's rule); a release of an
  incident summary by whoever sees the incident (records_incidents' rule).
- A partner node is seen by administrators, and, while active, by liaison officers and commanders
  (they release to it); its page (keys, sequences, gaps) by administrators only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liaison.exchange.models import (
    PartnerIncident,
    PartnerIncidentUnit,
    PartnerItem,
    PartnerItemUnit,
    Peer,
    Release,
)

from .battery import DATA_ID, DetailRoute, ListRoute, Member, RecordType, html_ids
from .records_incidents import incident_facts, sees_incident
from .records_intel import item_facts, sees_item

PARTNER_INCIDENT_ID = re.compile(r'data-partner-incident="([^"]+)"')

OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}


@dataclass(frozen=True)
class PartnerItemFacts:
    pk: str
    recipient_paths: frozenset


def partner_item_facts() -> list[PartnerItemFacts]:
    paths: dict = {}
    for pid, path in PartnerItemUnit.objects.values_list("item_id", "unit__path"):
        paths.setdefault(pid, set()).add(path)
    return [
        PartnerItemFacts(str(pk), frozenset(paths.get(pk, ())))
        for pk in PartnerItem.objects.values_list("pk", flat=True)
    ]


def partner_incident_facts() -> list[PartnerItemFacts]:
    paths: dict = {}
    for pid, path in PartnerIncidentUnit.objects.values_list("incident_id", "unit__path"):
        paths.setdefault(pid, set()).add(path)
    return [
        PartnerItemFacts(str(pk), frozenset(paths.get(pk, ())))
        for pk in PartnerIncident.objects.values_list("pk", flat=True)
    ]


def sees_partner_item(m: Member, r: PartnerItemFacts) -> bool:
    if m.unit_country != "VN" or m.role not in OPERATIONAL:
        return False
    return m.unit_path in r.recipient_paths or (
        m.role == "commander" and any(p.startswith(m.unit_path) for p in r.recipient_paths)
    )


def _releases():
    items = {i.pk: i for i in item_facts()}
    return [
        (str(pk), items[str(item)])
        for pk, item in Release.objects.filter(item__isnull=False).values_list("pk", "item_id")
    ]


def _incident_releases():
    incidents = {i.pk: i for i in incident_facts()}
    return [
        (str(pk), incidents[str(inc)])
        for pk, inc in Release.objects.filter(incident__isnull=False).values_list("pk", "incident_id")
    ]


def _peers():
    return list(Peer.objects.all())


RECORD_TYPES = [
    RecordType(
        name="partner item",
        records=partner_item_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_partner_item,
        list_routes=[ListRoute("page exchange/#partner items", "/exchange/", html_ids(DATA_ID))],
        detail_routes=[
            DetailRoute(
                "page exchange/partner-items/<uuid:item_id>/", lambda i: f"/exchange/partner-items/{i}/"
            )
        ],
    ),
    RecordType(
        name="partner incident summary",
        records=partner_incident_facts,
        record_id=lambda r: r.pk,
        visible_to=sees_partner_item,
        list_routes=[
            ListRoute("page exchange/#partner incidents", "/exchange/", html_ids(PARTNER_INCIDENT_ID))
        ],
        detail_routes=[
            DetailRoute(
                "page exchange/partner-incidents/<uuid:incident_id>/",
                lambda i: f"/exchange/partner-incidents/{i}/",
            )
        ],
    ),
    RecordType(
        name="release to the partner",
        records=_releases,
        record_id=lambda r: r[0],
        visible_to=lambda m, r: sees_item(m, r[1]),
        detail_routes=[
            DetailRoute("page exchange/releases/<uuid:release_id>/", lambda i: f"/exchange/releases/{i}/")
        ],
    ),
    RecordType(
        name="release of an incident summary",
        records=_incident_releases,
        record_id=lambda r: r[0],
        visible_to=lambda m, r: sees_incident(m, r[1]),
        detail_routes=[
            DetailRoute("page exchange/releases/<uuid:release_id>/", lambda i: f"/exchange/releases/{i}/")
        ],
    ),
    RecordType(
        name="partner node",
        records=_peers,
        visible_to=lambda m, r: m.unit_country == "VN" and m.role == "administrator",
        detail_routes=[DetailRoute("page exchange/peers/<uuid:peer_id>/", lambda i: f"/exchange/peers/{i}/")],
    ),
]

OTHER_ROUTES = {
    "page exchange/release-incident/<uuid:incident_id>/": "the release preview of an incident summary: "
    "answered as the incident's own page (incidents' incident_get, then the release gate): "
    "tests/exchange/test_pages.py",
    "page exchange/release/<uuid:item_id>/": "the release preview of an item: answered as the item's own "
    "page (intel's item_get, then the release gate): tests/exchange/test_pages.py",
    "page exchange/releases/<uuid:release_id>/<slug:name>/": "POST actions: tests/exchange",
    "page exchange/peers/new/": "administrators' POST: tests/exchange/test_pages.py",
    "page exchange/peers/<uuid:peer_id>/revoke/": "administrators' POST: tests/exchange",
    "page exchange/witness/": "node-to-node, signed by the peer's key: tests/exchange/test_pages.py",
    "page exchange/inbox/": "node-to-node POST, the signed envelope is the credential: tests/exchange",
    "page exchange/outbox/": "node-to-node pull, signed by the peer's key: tests/exchange/test_pages.py",
}

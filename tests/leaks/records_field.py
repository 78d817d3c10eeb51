"""Field reporting in the battery (issue 19). The rule (issue 19, PRODUCT.md "People in records"): a
tip from the public is seen, with its sender's phone number when they agreed to leave it, by the
operational members (duty officer, analyst, commander, liaison officer) of its commune's duty unit
(the commune police) only: not through a commander's subtree, not by an administrator or an
auditor, not by the partner. The tip's information item follows the items' own rules
(records_intel: it is an AMBER item originated by that unit)."""

from __future__ import annotations

from liaison.field.models import Tip

from .battery import DetailRoute, ListRoute, Member, RecordType, html_ids

OPERATIONAL = {"duty_officer", "analyst", "commander", "liaison_officer"}


def _tips():
    return list(Tip.objects.select_related("unit").order_by("-created_at", "-id"))


def sees_tip(m: Member, tip) -> bool:
    return m.unit_country == "VN" and m.role in OPERATIONAL and m.unit_code == tip.unit.code


RECORD_TYPES = [
    RecordType(
        name="tip",
        records=_tips,
        visible_to=sees_tip,
        list_routes=[ListRoute("page field/tips/", "/field/tips/", html_ids())],
        detail_routes=[DetailRoute("page field/tips/<uuid:tip_id>/", lambda i: f"/field/tips/{i}/")],
    ),
    RecordType(
        name="tip sender's number",
        records=lambda: [t for t in _tips() if t.sender_sealed],
        visible_to=sees_tip,
        detail_routes=[DetailRoute("page field/tips/<uuid:tip_id>/", lambda i: f"/field/tips/{i}/")],
    ),
]

OTHER_ROUTES = {
    "page field/": "the field report form: choices any member is offered (policy.offered), no record: tests/field",
    "page field/incident/": "the offline incident form: the types, communes and places the incidents API accepts "
    "from the reader (policy.visible), no record: tests/field/test_pages.py",
    "page field/checkin/": "the offline check-in form: only patrols the reader may check in on (patrol.checkin) "
    "and their markers: tests/field/test_pages.py",
    "page field/phones/": "administrators' write form (no number is listed): tests/field/test_admin_pages.py",
    "page field/gateways/": "administrators' write form (the token shown once, to its maker): "
    "tests/field/test_admin_pages.py",
    "page field/incidents/<uuid:incident_id>/public/": "the lead unit's publish form (incident.publish; an "
    "incident the reader may not see answers 404): tests/field/test_admin_pages.py",
    "page field/sw.js": "the service worker (code, no record): tests/field",
    "page field/session/": "the caller's own signed-in state and CSRF token: tests/field",
    "page field/sms/kannel/": "SMS gateway callback (token): answers only the sender's own outcome: "
    "tests/field/test_sms.py",
    "page cap/": "the public CAP 1.2 feed: only incidents their lead unit published, only the texts written "
    "for the public: tests/field/test_cap.py",
    "page cap/<uuid:incident_id>.xml": "one public CAP 1.2 alert; an incident never published answers 404 like a "
    "missing one: tests/field/test_cap.py",
    "api POST /api/v1/incidents/{incident_id}/public": "write (the lead unit publishes; a reader who "
    "may not see the incident gets 404 like a missing one): tests/field/test_cap.py",
    "api POST /api/v1/incidents/{incident_id}/public/withdraw": "write: tests/field/test_cap.py",
    "api PUT /api/v1/field/phones/{user_id}": "administrators' write (their subtree, never their own number): "
    "tests/field/test_admin_api.py",
    "api POST /api/v1/field/gateways": "administrators' write (token answered once): tests/field/test_admin_api.py",
    "page tin-bao/": "the public tip form (no record shown, only the sender's own code): tests/field/test_tips.py",
}

"""An administrator registers a member's SMS number and an SMS gateway over the API (issue 19),
through the policy, audited."""

from __future__ import annotations

import pytest

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.field.models import OfficerPhone, SmsGateway
from tests.conftest import cast_actor, signed_in_client

pytestmark = pytest.mark.django_db


def test_an_administrator_registers_a_members_number_and_others_may_not():
    member = cast_actor("na_meo_commune_police").user
    url = f"/api/v1/field/phones/{member.pk}"
    r = signed_in_client("police_administrator").put(
        url, {"number": "0912 000 111"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["number"] == "+84912000111"
    assert OfficerPhone.objects.get(user=member).number == "+84912000111"
    assert AuditEvent.objects.filter(verb=Verb.OFFICER_PHONE_REGISTERED).exists()
    r = signed_in_client("police_administrator").put(url, {"number": "abc"}, content_type="application/json")
    assert r.status_code == 422 and "number" in r.content.decode()
    taken = OfficerPhone.objects.exclude(user=member).first()
    if taken is not None:
        r = signed_in_client("police_administrator").put(
            url, {"number": taken.number}, content_type="application/json"
        )
        assert r.status_code == 422 and "duplicate" in r.content.decode()
    r = signed_in_client("auditor").put(url, {"number": "0912345679"}, content_type="application/json")
    assert r.status_code in (403, 404)


def test_a_gateway_token_is_answered_once_and_a_replay_makes_no_second_gateway():
    c = signed_in_client("police_administrator")
    before = SmsGateway.objects.count()
    headers = {"HTTP_IDEMPOTENCY_KEY": "gw-test-1"}
    r = c.post(
        "/api/v1/field/gateways", {"name": "Kannel Na Mèo"}, content_type="application/json", **headers
    )
    assert r.status_code == 201, r.content
    assert r.json()["token"].startswith("sms_")
    again = c.post(
        "/api/v1/field/gateways", {"name": "Kannel Na Mèo"}, content_type="application/json", **headers
    )
    assert again.status_code == 201 and again.json()["token"] is None and again.json()["id"] == r.json()["id"]
    assert SmsGateway.objects.count() == before + 1
    r = signed_in_client("na_meo_post_officer").post(
        "/api/v1/field/gateways", {"name": "x"}, content_type="application/json"
    )
    assert r.status_code == 403

""" "Why can't they see it?" (/api/v1/items/{id}/access?unit_id=…): the rule path for a unit, and the
receipts; asked by someone who may not see the item, it answers exactly as for a missing item."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from liaison.core import clock
from liaison.intel import services

RULES = {"originator", "recipient", "verification request", "commander subtree"}


@pytest.fixture
def shared(cast, unit, new_item):
    """An item of the Na Mèo post, shared with the Na Mèo commune police (acknowledged) and sent to
    customs for verification."""

    def make(tlp):
        post = cast("na_meo_post_officer")
        item = new_item(tlp=tlp)
        services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])
        services.item_acknowledge(cast("na_meo_commune_police"), item=item)
        services.verification_request(
            post, item=item, unit=unit("HQ-NA-MEO"), due_at=clock.now() + dt.timedelta(days=1)
        )
        return item

    return make


def explain(client, item, unit):
    r = client.get(f"/api/v1/items/{item.pk}/access", {"unit_id": str(unit.pk)})
    assert r.status_code == 200, r.content
    body = r.json()
    return body, {s["rule"]: s["granted"] for s in body["steps"]}


@pytest.mark.parametrize(
    "code, granted_by, members, commanders",
    [
        ("BP-DON-NA-MEO", {"originator", "commander subtree"}, True, True),
        ("CA-XA-NA-MEO", {"recipient", "commander subtree"}, True, True),
        ("HQ-NA-MEO", {"verification request", "commander subtree"}, True, True),
        ("CA-TH", {"commander subtree"}, False, True),  # the recipient lies below it
        ("BP-TH", {"commander subtree"}, False, True),  # the originator lies below it
        ("BP-DON-BAT-MOT", set(), False, False),  # same force, not involved
        ("CA-TH-PC04", set(), False, False),
        ("LA-HP-CA", set(), False, False),  # the partner
    ],
)
def test_the_rule_path_for_each_kind_of_unit(client_for, unit, shared, code, granted_by, members, commanders):
    item = shared("amber")
    body, steps = explain(client_for("na_meo_post_officer"), item, unit(code))
    if code != "LA-HP-CA":
        assert RULES <= set(steps)
    assert {rule for rule, ok in steps.items() if ok} == granted_by
    assert (body["members_see_it"], body["commanders_see_it"]) == (members, commanders)


def test_red_is_never_granted_through_the_commander_subtree(client_for, unit, shared):
    item = shared("red")
    body, steps = explain(client_for("na_meo_post_officer"), item, unit("CA-TH"))
    assert steps["commander subtree"] is False
    assert (body["members_see_it"], body["commanders_see_it"]) == (False, False)
    body, steps = explain(client_for("na_meo_post_officer"), item, unit("CA-XA-NA-MEO"))
    assert steps["recipient"] is True and body["members_see_it"] is True


def test_the_explanation_lists_the_receipts(client_for, unit, shared):
    item = shared("green")
    body, _ = explain(client_for("na_meo_commune_police"), item, unit("BP-DON-BAT-MOT"))
    [receipt] = body["receipts"]
    assert receipt["unit"] == "CA-XA-NA-MEO"
    assert receipt["acknowledged_by"] == "trucban.ca.nameo" and receipt["acknowledged_at"] is not None


@pytest.mark.parametrize(
    "who", ["bat_mot_post_officer", "police_analyst", "police_administrator", "auditor", "hua_phan_partner"]
)
def test_someone_who_may_not_see_the_item_gets_the_answer_for_a_missing_item(client_for, unit, shared, who):
    item = shared("green")
    c = client_for(who)
    q = {"unit_id": str(unit("CA-XA-NA-MEO").pk)}
    hidden = c.get(f"/api/v1/items/{item.pk}/access", q)
    missing = c.get(f"/api/v1/items/{uuid.uuid4()}/access", q)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert "receipts" not in hidden.json()

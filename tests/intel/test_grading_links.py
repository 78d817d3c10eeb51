"""Analyst re-grading, kept apart from the originator's grading, with history; links between items,
and corroboration: the same event reported by two forces offers credibility 1."""

from __future__ import annotations

import pytest

from liaison.core.errors import Invalid, NotPermitted
from liaison.intel import services
from liaison.intel.models import Grading, Item, ItemLink


def test_the_analysts_regrading_is_kept_apart_from_the_originators_with_history(
    cast, client_for, unit, new_item
):
    item = new_item(tlp="amber", reliability="C", credibility=3)
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-TH-PC04")])
    analyst = cast("police_analyst")
    services.item_regrade(analyst, item=item, reliability="B", credibility=2, reason="Đối chiếu hồ sơ")
    services.item_regrade(
        analyst,
        item=Item.objects.get(pk=item.pk),
        reliability="A",
        credibility=1,
        reason="Xác nhận từ nguồn khác",
    )
    item = Item.objects.get(pk=item.pk)
    assert (item.reliability, item.credibility) == ("C", 3)
    assert (item.analyst_reliability, item.analyst_credibility) == ("A", 1)
    body = client_for("police_analyst").get(f"/api/v1/items/{item.pk}").json()
    assert (
        body["reliability"],
        body["credibility"],
        body["analyst_reliability"],
        body["analyst_credibility"],
    ) == ("C", 3, "A", 1)
    assert [
        (g["kind"], g["reliability"], g["credibility"], g["by_unit"], g["reason"]) for g in body["gradings"]
    ] == [
        ("originator", "C", 3, "BP-DON-NA-MEO", ""),
        ("analyst", "B", 2, "CA-TH-PC04", "Đối chiếu hồ sơ"),
        ("analyst", "A", 1, "CA-TH-PC04", "Xác nhận từ nguồn khác"),
    ]


@pytest.mark.parametrize("who", ["na_meo_commune_police", "na_meo_post_officer", "province_commander"])
def test_only_an_analyst_regrades(cast, unit, new_item, who):
    item = new_item(tlp="green")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with pytest.raises(NotPermitted):
        services.item_regrade(cast(who), item=item, reliability="A", credibility=1)
    item = Item.objects.get(pk=item.pk)
    assert (item.analyst_reliability, item.analyst_credibility) == ("", None)
    assert not Grading.objects.filter(item=item, kind="analyst").exists()


def test_an_analyst_who_does_not_see_the_item_cannot_regrade_it(cast, new_item):
    item = new_item(tlp="green")  # never shared with CA-TH-PC04
    with pytest.raises(NotPermitted):
        services.item_regrade(cast("police_analyst"), item=item, reliability="A", credibility=1)


# --- links and corroboration --------------------------------------------------------------------


@pytest.fixture
def seen_by_analyst(cast, unit, new_item):
    """An item logged by `who`, shared with the police drug department (CA-TH-PC04), whose analyst links."""

    def make(who, **kw):
        item = new_item(who, tlp="green", **kw)
        if cast(who).unit.code != "CA-TH-PC04":
            services.item_share(cast(who), item=item, units=[unit("CA-TH-PC04")])
        return item

    return make


def link(client, a, b, kind):
    r = client.post(
        f"/api/v1/items/{a.pk}/links", {"other_id": str(b.pk), "kind": kind}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    return r.json()


def test_the_same_event_from_two_forces_offers_corroboration(client_for, seen_by_analyst):
    border = seen_by_analyst("na_meo_post_officer")  # border guard
    police = seen_by_analyst("na_meo_commune_police")  # police
    out = link(client_for("police_analyst"), border, police, "same_event")
    assert out == {"created": True, "corroboration_offered": True, "kind": "same_event"}


@pytest.mark.parametrize(
    "first, second, kind",
    [
        ("na_meo_post_officer", "na_meo_post_officer", "same_event"),  # the same unit
        ("na_meo_post_officer", "bat_mot_post_officer", "same_event"),  # two units of one force
        ("na_meo_commune_police", "police_analyst", "same_event"),  # police twice, commune and province
        ("na_meo_post_officer", "na_meo_commune_police", "related"),  # two forces, but only related
    ],
)
def test_no_corroboration_without_two_forces_describing_the_same_event(
    client_for, seen_by_analyst, first, second, kind
):
    a, b = seen_by_analyst(first, title="Tin thứ nhất"), seen_by_analyst(second, title="Tin thứ hai")
    out = link(client_for("police_analyst"), a, b, kind)
    assert out == {"created": True, "corroboration_offered": False, "kind": kind}


def test_linking_a_pair_again_creates_nothing_new(cast, client_for, seen_by_analyst):
    a, b = seen_by_analyst("na_meo_post_officer"), seen_by_analyst("na_meo_customs_officer")
    c = client_for("police_analyst")
    assert link(c, a, b, "same_event")["created"] is True
    again = link(c, b, a, "same_event")  # either direction is the same pair
    assert again == {"created": False, "corroboration_offered": True, "kind": "same_event"}
    assert ItemLink.objects.filter(a__in=[a, b], b__in=[a, b]).count() == 1


def test_an_item_is_not_linked_to_itself(cast, new_item):
    item = new_item()
    with pytest.raises(Invalid) as exc:
        services.item_link(cast("na_meo_post_officer"), item=item, other=item, kind="related")
    assert [e.field for e in exc.value.errors] == ["other_id"]


def test_linking_needs_to_see_both_items(cast, client_for, new_item, problem_fields):
    mine = new_item("na_meo_post_officer")
    theirs = new_item("na_meo_customs_officer")  # never shared with the border post
    with pytest.raises(NotPermitted):
        services.item_link(cast("na_meo_post_officer"), item=mine, other=theirs, kind="related")
    r = client_for("na_meo_post_officer").post(
        f"/api/v1/items/{mine.pk}/links",
        {"other_id": str(theirs.pk), "kind": "related"},
        content_type="application/json",
    )
    assert r.status_code == 422 and problem_fields(r) == {"other_id"}
    assert not ItemLink.objects.filter(a__in=[mine, theirs], b__in=[mine, theirs]).exists()


def test_a_linked_item_the_reader_may_not_see_is_not_listed(cast, client_for, unit, seen_by_analyst):
    a = seen_by_analyst("na_meo_post_officer")
    b = seen_by_analyst("na_meo_customs_officer", title="Tin hải quan zzlinkhidden")
    services.item_link(cast("police_analyst"), item=a, other=b, kind="same_event")
    # The Na Mèo border post sees its own item, but not the customs item linked to it.
    html = client_for("na_meo_post_officer").get(f"/items/{a.pk}/").content.decode()
    assert str(b.pk) not in html and "zzlinkhidden" not in html
    html = client_for("police_analyst").get(f"/items/{a.pk}/").content.decode()
    assert str(b.pk) in html and "zzlinkhidden" in html


def test_the_history_does_not_reveal_a_linked_item_the_reader_may_not_see(cast, client_for, seen_by_analyst):
    a, b = seen_by_analyst("na_meo_post_officer"), seen_by_analyst("na_meo_customs_officer")
    services.item_link(cast("police_analyst"), item=a, other=b, kind="same_event")
    c = client_for("na_meo_post_officer")
    assert c.get(f"/api/v1/items/{b.pk}").status_code == 404  # the border post may not see b ...
    history = c.get(f"/api/v1/items/{a.pk}/history")
    assert history.status_code == 200
    assert b.ref not in history.content.decode()  # ... so nothing it reads names b
    assert b.ref not in c.get(f"/items/{a.pk}/").content.decode()

"""Sharing information items: who may share what, by handling level (PRODUCT.md, "Handling levels"),
never with the partner's units; acknowledging receipt; when an item counts as exchanged; its level.

The cast: the Na Mèo border post (BP-DON-NA-MEO, border guard) logs the items; the Na Mèo commune
police (CA-XA-NA-MEO, police) receives them; CA-XA-PU-NHI is another police unit, HQ-NA-MEO is
customs, LA-HP-* are the Hua Phan partner units.
"""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.errors import Invalid, NotPermitted
from liaison.intel import services
from liaison.intel.models import Item, ItemReceipt
from liaison.org.models import Unit


def receipt_units(item) -> set[str]:
    return set(ItemReceipt.objects.filter(item=item).values_list("unit__code", flat=True))


# --- RED: only the originator, to named units ---------------------------------------------------


def test_the_originator_shares_red_with_named_units(cast, unit, new_item):
    item = new_item(tlp="red")
    services.item_share(
        cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO"), unit("HQ-NA-MEO")]
    )
    assert receipt_units(item) == {"CA-XA-NA-MEO", "HQ-NA-MEO"}


def test_red_is_never_shared_with_a_whole_force(cast, unit, new_item):
    item = new_item(tlp="red")
    post = cast("na_meo_post_officer")
    with pytest.raises(NotPermitted):
        services.item_share(post, item=item, forces=["police"])
    with pytest.raises(NotPermitted):  # a named unit beside a whole force does not slip through
        services.item_share(post, item=item, units=[unit("HQ-NA-MEO")], forces=["customs"])
    assert receipt_units(item) == set()


def test_a_red_recipient_never_shares_it_further_not_even_in_its_own_force(cast, unit, new_item):
    item = new_item(tlp="red")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with pytest.raises(NotPermitted):
        services.item_share(cast("na_meo_commune_police"), item=item, units=[unit("CA-XA-PU-NHI")])
    assert receipt_units(item) == {"CA-XA-NA-MEO"}


# --- AMBER+STRICT: only the originator -----------------------------------------------------------


def test_amber_strict_is_shared_only_by_the_originator(cast, unit, new_item):
    item = new_item(tlp="amber_strict")
    services.item_share(cast("na_meo_post_officer"), item=item, forces=["customs"])
    assert "HQ-NA-MEO" in receipt_units(item)
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with pytest.raises(NotPermitted):
        services.item_share(cast("na_meo_commune_police"), item=item, units=[unit("CA-XA-PU-NHI")])
    assert "CA-XA-PU-NHI" not in receipt_units(item)


# --- AMBER: recipients within their own force, and no further -------------------------------------


def test_an_amber_recipient_shares_within_its_own_force_only(cast, unit, new_item):
    item = new_item(tlp="amber")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    police = cast("na_meo_commune_police")
    services.item_share(police, item=item, units=[unit("CA-XA-PU-NHI")])  # police -> police
    assert "CA-XA-PU-NHI" in receipt_units(item)
    with pytest.raises(NotPermitted):
        services.item_share(police, item=item, units=[unit("HQ-NA-MEO")])  # police -> customs
    with pytest.raises(NotPermitted):
        services.item_share(police, item=item, forces=["customs"])
    with pytest.raises(NotPermitted):  # one unit of another force spoils the whole share
        services.item_share(police, item=item, units=[unit("CA-TH-PC04"), unit("HQ-NA-MEO")])
    assert receipt_units(item) == {"CA-XA-NA-MEO", "CA-XA-PU-NHI"}


def test_an_amber_recipient_may_share_with_its_whole_own_force(cast, unit, new_item):
    item = new_item(tlp="amber")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    services.item_share(cast("na_meo_commune_police"), item=item, forces=["police"])
    police_units = set(
        Unit.objects.filter(force="police", country="VN", is_active=True).values_list("code", flat=True)
    )
    assert receipt_units(item) == police_units


def test_amber_has_no_widening_recipients_never_share_beyond_their_force(client_for, cast, unit, new_item):
    """PRODUCT.md's AMBER: the originator shares; recipients only within their own force. There is no
    flag that lets recipients go further (the API has no such field, the form none)."""
    item = new_item(tlp="amber")
    post, police = cast("na_meo_post_officer"), cast("na_meo_commune_police")
    services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])
    r = client_for("na_meo_post_officer").post(
        f"/api/v1/items/{item.pk}/handling", {"amber_widened": True}, content_type="application/json"
    )
    assert r.status_code in (200, 422), r.content  # an unknown field: ignored or refused, never acted on
    assert "amber_widened" not in client_for("na_meo_post_officer").get(f"/api/v1/items/{item.pk}").json()
    with pytest.raises(NotPermitted):
        services.item_share(police, item=Item.objects.get(pk=item.pk), units=[unit("HQ-NA-MEO")])
    assert receipt_units(item) == {"CA-XA-NA-MEO"}


def test_a_commander_who_sees_amber_through_the_subtree_is_no_recipient_and_cannot_share_it(
    cast, unit, new_item
):
    item = new_item(tlp="amber")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    # The province police commander sees it (the recipient lies below CA-TH) but received nothing.
    with pytest.raises(NotPermitted):
        services.item_share(cast("province_commander"), item=item, units=[unit("CA-XA-PU-NHI")])
    assert receipt_units(item) == {"CA-XA-NA-MEO"}


# --- GREEN and CLEAR: anyone who sees it --------------------------------------------------------


@pytest.mark.parametrize("tlp", ["green", "clear"])
def test_green_and_clear_are_shared_by_anyone_who_sees_them_with_any_unit(cast, unit, new_item, tlp):
    item = new_item(tlp=tlp)
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    services.item_share(cast("na_meo_commune_police"), item=item, units=[unit("HQ-NA-MEO")])  # recipient
    services.item_share(cast("province_commander"), item=item, units=[unit("QS-TH-KV1")])  # through subtree
    assert receipt_units(item) == {"CA-XA-NA-MEO", "HQ-NA-MEO", "QS-TH-KV1"}


def test_who_does_not_see_a_green_item_cannot_share_it(client_for, unit, new_item):
    item = new_item(tlp="green")
    r = client_for("bat_mot_post_officer").post(
        f"/api/v1/items/{item.pk}/shares",
        {"units": [str(unit("CA-XA-NA-MEO").pk)]},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert receipt_units(item) == set()


# --- never to a unit of another country ---------------------------------------------------------


@pytest.mark.parametrize("tlp", ["red", "amber_strict", "amber", "green", "clear"])
@pytest.mark.parametrize("partner", ["LA-HP-CA", "LA-HP-BV", "LA-HP-CA-XAMTAI"])
def test_nothing_is_shared_with_a_partner_unit_at_any_level(cast, unit, new_item, tlp, partner):
    item = new_item(tlp=tlp)
    with pytest.raises(Invalid) as exc:
        services.item_share(cast("na_meo_post_officer"), item=item, units=[unit(partner)])
    assert [e.field for e in exc.value.errors] == ["units"]
    assert receipt_units(item) == set()


def test_the_partner_force_is_not_a_force_to_share_with(cast, new_item):
    item = new_item(tlp="clear")
    with pytest.raises(Invalid) as exc:
        services.item_share(cast("na_meo_post_officer"), item=item, forces=["foreign_partner"])
    assert [e.field for e in exc.value.errors] == ["forces"]
    assert receipt_units(item) == set()


def test_a_partner_unit_named_through_the_api_is_refused_naming_the_field(
    client_for, unit, new_item, problem_fields
):
    item = new_item(tlp="clear")
    r = client_for("na_meo_post_officer").post(
        f"/api/v1/items/{item.pk}/shares",
        {"units": [str(unit("CA-XA-NA-MEO").pk), str(unit("LA-HP-CA").pk)]},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert problem_fields(r) == {"units"}
    assert receipt_units(item) == set()  # not even the Vietnamese unit named beside it


def test_a_whole_force_share_never_reaches_the_partner(cast, new_item):
    item = new_item(tlp="clear")
    services.item_share(
        cast("na_meo_post_officer"),
        item=item,
        forces=["police", "border_guard", "customs", "military", "government"],
    )
    assert not ItemReceipt.objects.filter(item=item).exclude(unit__country="VN").exists()
    assert receipt_units(item) == set(
        Unit.objects.filter(country="VN", is_active=True)
        .exclude(code="BP-DON-NA-MEO")
        .values_list("code", flat=True)
    )


# --- acknowledging receipt ----------------------------------------------------------------------


def test_a_recipient_unit_acknowledges_receipt_and_who_and_when_are_kept(cast, unit, new_item):
    t0 = clock.now().replace(microsecond=0)
    police = cast("na_meo_commune_police")
    with clock.frozen(t0):
        item = new_item(tlp="amber")
        services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with clock.frozen(t0 + dt.timedelta(minutes=10)):
        services.item_acknowledge(police, item=item)
    r = ItemReceipt.objects.get(item=item, unit__code="CA-XA-NA-MEO")
    assert (r.acknowledged_at, r.acknowledged_by_id) == (t0 + dt.timedelta(minutes=10), police.user.pk)
    assert r.delivered_at == t0
    with clock.frozen(t0 + dt.timedelta(hours=3)):  # a second acknowledgement changes nothing
        services.item_acknowledge(police, item=item)
    r.refresh_from_db()
    assert r.acknowledged_at == t0 + dt.timedelta(minutes=10)


@pytest.mark.parametrize("who", ["na_meo_post_officer", "province_commander", "na_meo_post_commander"])
def test_only_a_recipient_unit_acknowledges(cast, unit, new_item, who):
    """The originator, a commander who sees it through the subtree, a commander of the originating
    unit: all see the item, none of their units received it."""
    item = new_item(tlp="green")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with pytest.raises(NotPermitted) as exc:
        services.item_acknowledge(cast(who), item=item)
    assert exc.value.code == "not_recipient"
    assert not ItemReceipt.objects.filter(item=item, acknowledged_at__isnull=False).exists()


def test_acknowledging_through_the_api(cast, client_for, unit, new_item):
    item = new_item(tlp="amber")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    assert client_for("na_meo_post_officer").post(f"/api/v1/items/{item.pk}/acknowledge").status_code == 403
    assert client_for("bat_mot_post_officer").post(f"/api/v1/items/{item.pk}/acknowledge").status_code == 404
    r = client_for("na_meo_commune_police").post(f"/api/v1/items/{item.pk}/acknowledge")
    assert r.status_code == 200
    [receipt] = r.json()["receipts"]
    assert receipt["unit"] == "CA-XA-NA-MEO" and receipt["acknowledged_by"] == "trucban.ca.nameo"
    assert receipt["acknowledged_at"] is not None


# --- exchanged: the first share to a unit of another force --------------------------------------


def test_exchanged_at_is_set_by_the_first_share_to_another_force_only(cast, unit, new_item):
    post = cast("na_meo_post_officer")
    t0 = clock.now().replace(microsecond=0)
    with clock.frozen(t0):
        item = new_item(tlp="amber")
    assert item.exchanged_at is None
    with clock.frozen(t0 + dt.timedelta(hours=1)):
        services.item_share(post, item=item, units=[unit("BP-DON-BAT-MOT")])  # same force
    assert Item.objects.get(pk=item.pk).exchanged_at is None
    with clock.frozen(t0 + dt.timedelta(hours=2)):
        services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])  # police: an exchange
    assert Item.objects.get(pk=item.pk).exchanged_at == t0 + dt.timedelta(hours=2)
    with clock.frozen(t0 + dt.timedelta(hours=3)):
        services.item_share(post, item=item, units=[unit("HQ-NA-MEO")])  # later ones do not move it
    assert Item.objects.get(pk=item.pk).exchanged_at == t0 + dt.timedelta(hours=2)


def test_a_whole_force_share_counts_as_an_exchange_only_for_another_force(cast, new_item):
    post = cast("na_meo_post_officer")
    item = new_item(tlp="green")
    services.item_share(post, item=item, forces=["border_guard"])
    assert Item.objects.get(pk=item.pk).exchanged_at is None
    t = clock.now().replace(microsecond=0) + dt.timedelta(minutes=1)
    with clock.frozen(t):
        services.item_share(post, item=item, forces=["customs"])
    assert Item.objects.get(pk=item.pk).exchanged_at == t


# --- the item's level: the originating unit's level when it was created -------------------------


@pytest.mark.parametrize(
    "who, level",
    [
        ("na_meo_post_officer", "commune"),  # border-guard post
        ("na_meo_commune_police", "commune"),  # commune police
        ("na_meo_customs_officer", "district"),  # customs branch
        ("military_officer", "district"),  # regional defence command
        ("police_analyst", "province"),  # province department
        ("province_commander", "province"),  # province command
    ],
)
def test_the_item_level_is_the_originating_units_level(new_item, who, level):
    assert new_item(who).level == level


def test_the_item_level_stays_what_it_was_when_the_unit_changes_later(cast, new_item):
    before = new_item("na_meo_post_officer")
    Unit.objects.filter(code="BP-DON-NA-MEO").update(kind="district", level="district")
    after = new_item(cast("na_meo_post_officer"))  # a fresh actor: the unit is now district level
    assert Item.objects.get(pk=before.pk).level == "commune"
    assert after.level == "district"


# --- the share form offers only what the rules allow (issue 14, item 5) ------------------------------


def _offered(client, item):
    form = client.get(f"/items/{item.pk}/").context["forms"]["share"]
    units = {u.force for u in form.fields["units"].queryset}
    forces = {c for c, _label in form.fields["forces"].choices}
    return units, forces


def test_the_share_form_offers_an_amber_recipient_only_its_own_force(client_for, cast, unit, new_item):
    item = new_item(tlp="amber")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    # The originator (border guard) may share an AMBER item with every force of this node.
    units, forces = _offered(client_for("na_meo_post_officer"), item)
    assert {"border_guard", "police", "customs"} <= units and {"police", "customs"} <= forces
    # A police recipient: police units only, and the whole police force only.
    units, forces = _offered(client_for("na_meo_commune_police"), item)
    assert units == {"police"} and forces == {"police"}
    # A disallowed unit posted anyway is refused on the form, naming the field; nothing is shared.
    r = client_for("na_meo_commune_police").post(
        f"/items/{item.pk}/share/", {"share-units": [str(unit("HQ-NA-MEO").pk)]}
    )
    assert r.status_code == 400 and "units" in r.context["forms"]["share"].errors
    assert receipt_units(item) == {"CA-XA-NA-MEO"}


def test_the_share_form_offers_no_whole_force_for_red(client_for, new_item):
    item = new_item(tlp="red")
    units, forces = _offered(client_for("na_meo_post_officer"), item)
    assert units and forces == set()  # named units only

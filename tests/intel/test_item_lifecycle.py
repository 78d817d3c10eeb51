"""An item's life: amended with its history kept, its handling level raised by the originator and
lowered only by a commander of the originating unit with a reason, closed; every detail read of an
AMBER or RED item audited once per request; a retried create does not duplicate."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.audit.models import AuditEvent
from liaison.core import clock
from liaison.core.errors import Conflict, Invalid, NotPermitted
from liaison.intel import services
from liaison.intel.models import Category, Item, ItemReceipt, ItemRevision

ITEM_READ = 104


# --- amending, with history -----------------------------------------------------------------


def test_the_originator_amends_and_the_history_keeps_old_and_new(cast, client_for, new_item):
    item = new_item(title="Hàng lậu qua đường mòn zzcu", body="Phát hiện 5 kiện hàng.")
    services.item_amend(
        cast("na_meo_post_officer"),
        item=item,
        title="Hàng lậu qua đường mòn zzmoi",
        category=Category.objects.get(code="drug_trafficking"),
        reason="Bổ sung sau xác minh",
    )
    item = Item.objects.get(pk=item.pk)
    assert item.title == "Hàng lậu qua đường mòn zzmoi" and item.category.code == "drug_trafficking"
    assert item.version == 2
    history = client_for("na_meo_post_officer").get(f"/api/v1/items/{item.pk}/history").json()
    [rev] = [h for h in history if h["action"] == "amended"]
    assert rev["version"] == 2 and rev["reason"] == "Bổ sung sau xác minh"
    assert rev["by"] == "trucban.don.nameo" and rev["by_unit"] == "BP-DON-NA-MEO"
    assert rev["changes"]["title"] == ["Hàng lậu qua đường mòn zzcu", "Hàng lậu qua đường mòn zzmoi"]
    assert set(rev["changes"]) == {"title", "category"}
    # Search follows the amended text.
    c = client_for("na_meo_post_officer")
    assert [r["id"] for r in c.get("/api/v1/items", {"q": "zzmoi"}).json()["items"]] == [str(item.pk)]
    assert c.get("/api/v1/items", {"q": "zzcu"}).json()["items"] == []


@pytest.mark.parametrize("who", ["na_meo_commune_police", "province_commander"])
def test_only_the_originator_amends(cast, client_for, unit, new_item, who):
    item = new_item(tlp="green", title="Tiêu đề gốc")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    r = client_for(who).patch(
        f"/api/v1/items/{item.pk}", {"title": "Sửa trái phép"}, content_type="application/json"
    )
    assert r.status_code == 403
    assert Item.objects.get(pk=item.pk).title == "Tiêu đề gốc"
    assert not ItemRevision.objects.filter(item=item, action="amended").exists()


def test_an_amendment_with_bad_input_names_the_field_and_changes_nothing(
    client_for, new_item, problem_fields
):
    item = new_item(title="Tiêu đề gốc")
    c = client_for("na_meo_post_officer")
    r = c.patch(f"/api/v1/items/{item.pk}", {"title": "Mới", "lat": 20.0}, content_type="application/json")
    assert r.status_code == 422 and problem_fields(r) == {"lon"}
    future = (clock.now() + dt.timedelta(days=1)).isoformat()
    r = c.patch(f"/api/v1/items/{item.pk}", {"observed_at": future}, content_type="application/json")
    assert r.status_code == 422 and problem_fields(r) == {"observed_at"}
    item = Item.objects.get(pk=item.pk)
    assert (item.title, item.lat, item.version) == ("Tiêu đề gốc", None, 1)


# --- closing ----------------------------------------------------------------------------------


def test_a_closed_item_is_neither_amended_nor_shared_nor_sent_for_verification(
    cast, client_for, unit, new_item
):
    post = cast("na_meo_post_officer")
    item = new_item(tlp="green")
    services.item_close(post, item=item, reason="Đã xử lý xong")
    item = Item.objects.get(pk=item.pk)
    assert item.status == "closed"
    assert ItemRevision.objects.get(item=item, action="closed").reason == "Đã xử lý xong"
    with pytest.raises(Conflict):
        services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])
    with pytest.raises(Conflict):
        services.item_amend(post, item=item, title="Sau khi đóng")
    with pytest.raises(Conflict):
        services.verification_request(
            post, item=item, unit=unit("HQ-NA-MEO"), due_at=clock.now() + dt.timedelta(days=1)
        )
    r = client_for("na_meo_post_officer").post(
        f"/api/v1/items/{item.pk}/shares",
        {"units": [str(unit("CA-XA-NA-MEO").pk)]},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert not ItemReceipt.objects.filter(item=item).exists()


def test_a_recipient_does_not_close_the_item(cast, unit, new_item):
    item = new_item(tlp="green")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with pytest.raises(NotPermitted):
        services.item_close(cast("na_meo_commune_police"), item=item)
    assert Item.objects.get(pk=item.pk).status == "new"


# --- handling levels: raise (originator), lower (commander of the originating unit + reason) ----


def test_the_originator_raises_the_level(cast, new_item):
    item = new_item(tlp="green")
    services.item_set_handling(cast("na_meo_post_officer"), item=item, tlp="red")
    assert Item.objects.get(pk=item.pk).tlp == "red"
    assert ItemRevision.objects.get(item=item, action="handling").changes["tlp"] == ["green", "red"]


@pytest.mark.parametrize("who", ["na_meo_commune_police", "province_commander", "police_analyst"])
def test_who_is_not_the_originator_does_not_raise_the_level(cast, unit, new_item, who):
    item = new_item(tlp="green")
    services.item_share(
        cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO"), unit("CA-TH-PC04")]
    )
    with pytest.raises(NotPermitted):
        services.item_set_handling(cast(who), item=item, tlp="amber")
    assert Item.objects.get(pk=item.pk).tlp == "green"


def test_the_originating_duty_officer_does_not_lower_the_level(cast, new_item):
    item = new_item(tlp="amber")
    with pytest.raises(NotPermitted):
        services.item_set_handling(
            cast("na_meo_post_officer"), item=item, tlp="green", reason="Không còn nhạy cảm"
        )
    assert Item.objects.get(pk=item.pk).tlp == "amber"


@pytest.mark.parametrize(
    "who, start",
    [
        ("na_meo_post_commander", "red"),  # commander of the originating unit itself
        ("na_meo_post_commander", "amber"),
        ("border_guard_commander", "amber"),  # commander above the originating unit
    ],
)
def test_a_commander_of_the_originating_unit_lowers_the_level_with_a_reason(cast, new_item, who, start):
    item = new_item(tlp=start)
    commander = cast(who)
    with pytest.raises(Invalid) as exc:
        services.item_set_handling(commander, item=item, tlp="green", reason="  ")
    assert [e.field for e in exc.value.errors] == ["reason"]
    assert Item.objects.get(pk=item.pk).tlp == start
    services.item_set_handling(commander, item=item, tlp="green", reason="Đã công khai trên báo chí")
    assert Item.objects.get(pk=item.pk).tlp == "green"
    rev = ItemRevision.objects.get(item=item, action="handling")
    assert rev.reason == "Đã công khai trên báo chí" and rev.changes["tlp"] == [start, "green"]
    assert rev.by_unit.code == commander.unit.code


def test_a_commander_of_another_force_who_sees_the_item_does_not_lower_it(cast, unit, new_item):
    item = new_item(tlp="amber")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    # The province police commander sees it through the recipient, but commands no originating unit.
    with pytest.raises(NotPermitted):
        services.item_set_handling(
            cast("province_commander"), item=item, tlp="green", reason="Không cần hạn chế"
        )
    assert Item.objects.get(pk=item.pk).tlp == "amber"


def test_a_commander_above_the_originator_does_not_lower_red_it_cannot_see(cast, new_item):
    item = new_item(tlp="red")
    with pytest.raises(NotPermitted):
        services.item_set_handling(cast("border_guard_commander"), item=item, tlp="amber", reason="Hạ mức")
    assert Item.objects.get(pk=item.pk).tlp == "red"


# --- every detail read of an AMBER or RED item is audited, once per request -------------------


def reads(item) -> int:
    return AuditEvent.objects.filter(verb=ITEM_READ, object_id=str(item.pk)).count()


@pytest.mark.parametrize(
    "tlp, audited", [("red", 1), ("amber_strict", 1), ("amber", 1), ("green", 0), ("clear", 0)]
)
@pytest.mark.parametrize("route", ["/api/v1/items/{id}", "/items/{id}/"])
def test_each_detail_read_of_an_amber_or_red_item_is_one_audit_event(
    cast, client_for, unit, new_item, tlp, audited, route
):
    item = new_item(tlp=tlp)
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    for name in ("na_meo_post_officer", "na_meo_commune_police"):
        c = client_for(name)
        for n in (1, 2):
            before = reads(item)
            assert c.get(route.format(id=item.pk)).status_code == 200
            assert reads(item) - before == audited, f"{name}, read {n}"
    if audited:
        ev = AuditEvent.objects.filter(verb=ITEM_READ, object_id=str(item.pk)).order_by("-id").first()
        assert ev.actor_name == "trucban.ca.nameo"


def test_the_detail_page_shown_again_after_a_refused_action_is_an_audited_read(client_for, unit, new_item):
    item = new_item(tlp="amber", body="Nội dung hạn chế zzreshown")
    r = client_for("na_meo_post_officer").post(
        f"/items/{item.pk}/share/", {"share-units": [str(unit("LA-HP-CA").pk)]}
    )
    assert r.status_code == 400 and "zzreshown" in r.content.decode()
    assert reads(item) == 1


def test_listing_and_searching_are_not_detail_reads(cast, client_for, new_item):
    item = new_item(tlp="red", title="Tin mật zzlistread")
    c = client_for("na_meo_post_officer")
    assert [r["id"] for r in c.get("/api/v1/items", {"q": "zzlistread"}).json()["items"]] == [str(item.pk)]
    assert reads(item) == 0


def test_reading_the_history_of_an_amber_item_is_an_audited_read(cast, client_for, new_item):
    item = new_item(tlp="amber", body="Nội dung ban đầu")
    services.item_amend(cast("na_meo_post_officer"), item=item, body="Nội dung đã sửa")
    before = reads(item)
    r = client_for("na_meo_post_officer").get(f"/api/v1/items/{item.pk}/history")
    assert r.status_code == 200
    assert [h["changes"]["body"] for h in r.json() if h["action"] == "amended"] == [
        ["Nội dung ban đầu", "Nội dung đã sửa"]
    ]
    assert reads(item) - before == 1


def test_the_first_read_by_a_recipient_is_its_read_receipt(cast, client_for, unit, new_item):
    t0 = clock.now().replace(microsecond=0)
    item = new_item(tlp="green")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    with clock.frozen(t0 + dt.timedelta(minutes=5)):
        client_for("na_meo_commune_police").get(f"/items/{item.pk}/")
    with clock.frozen(t0 + dt.timedelta(minutes=50)):
        client_for("na_meo_commune_police").get(f"/items/{item.pk}/")
    r = ItemReceipt.objects.get(item=item, unit__code="CA-XA-NA-MEO")
    assert r.read_at == t0 + dt.timedelta(minutes=5) and r.read_by.username == "trucban.ca.nameo"
    assert r.acknowledged_at is None  # reading is not acknowledging


# --- a retried create does not duplicate ------------------------------------------------------


def payload(title):
    return {
        "title": title,
        "body": "Phát hiện 5 kiện hàng.",
        "category": "smuggling",
        "observed_at": (clock.now() - dt.timedelta(hours=1)).isoformat(),
        "reliability": "B",
        "credibility": 2,
        "tlp": "amber",
    }


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_item(client_for):
    c = client_for("na_meo_post_officer")
    body = payload("Tin gửi lại zzidem")
    first = c.post(
        "/api/v1/items", body, content_type="application/json", headers={"Idempotency-Key": "k-123"}
    )
    second = c.post(
        "/api/v1/items", body, content_type="application/json", headers={"Idempotency-Key": "k-123"}
    )
    assert first.status_code == 201 and second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["ref"] == first.json()["ref"]
    assert Item.objects.filter(title="Tin gửi lại zzidem").count() == 1


def test_the_same_key_with_another_payload_is_refused(client_for, problem_fields):
    c = client_for("na_meo_post_officer")
    first = c.post(
        "/api/v1/items",
        payload("Tin một zzidem2"),
        content_type="application/json",
        headers={"Idempotency-Key": "k-456"},
    )
    assert first.status_code == 201
    other = c.post(
        "/api/v1/items",
        payload("Tin hai zzidem2"),
        content_type="application/json",
        headers={"Idempotency-Key": "k-456"},
    )
    assert other.status_code == 422 and problem_fields(other) == {"Idempotency-Key"}
    assert not Item.objects.filter(title="Tin hai zzidem2").exists()


def test_without_a_key_two_posts_are_two_items(client_for):
    c = client_for("na_meo_post_officer")
    body = payload("Tin không khóa zzidem3")
    assert c.post("/api/v1/items", body, content_type="application/json").status_code == 201
    assert c.post("/api/v1/items", body, content_type="application/json").status_code == 201
    assert Item.objects.filter(title="Tin không khóa zzidem3").count() == 2

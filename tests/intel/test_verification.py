"""Asking a unit to verify an item (it then sees the item), recording its answer with a grading,
and the inbox: unacknowledged items and verification requests, overdue first."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.errors import Conflict, Invalid, NotPermitted
from liaison.intel import services
from liaison.intel.models import Grading, Item, VerificationRequest


def later(**kw):
    return clock.now() + dt.timedelta(**kw)


def test_the_requested_unit_sees_the_item_once_asked_and_the_item_is_under_verification(
    cast, client_for, unit, new_item
):
    item = new_item(tlp="amber")
    customs = client_for("na_meo_customs_officer")
    assert customs.get(f"/api/v1/items/{item.pk}").status_code == 404
    due = clock.now().replace(microsecond=0) + dt.timedelta(days=2)
    req = services.verification_request(
        cast("na_meo_post_officer"),
        item=item,
        unit=unit("HQ-NA-MEO"),
        due_at=due,
        question="Đề nghị xác minh số kiện hàng.",
    )
    assert customs.get(f"/api/v1/items/{item.pk}").status_code == 200
    req.refresh_from_db()
    assert (req.unit.code, req.due_at, req.state) == ("HQ-NA-MEO", due, "open")
    assert Item.objects.get(pk=item.pk).status == "under_verification"


def test_a_deadline_that_has_passed_is_refused_naming_due_at(cast, unit, new_item):
    item = new_item()
    with pytest.raises(Invalid) as exc:
        services.verification_request(
            cast("na_meo_post_officer"),
            item=item,
            unit=unit("HQ-NA-MEO"),
            due_at=clock.now() - dt.timedelta(minutes=1),
        )
    assert [e.field for e in exc.value.errors] == ["due_at"]
    assert not VerificationRequest.objects.filter(item=item).exists()
    assert Item.objects.get(pk=item.pk).status == "new"


def test_a_partner_unit_is_never_asked_to_verify(cast, unit, new_item):
    item = new_item(tlp="clear")
    with pytest.raises(Invalid) as exc:
        services.verification_request(
            cast("na_meo_post_officer"), item=item, unit=unit("LA-HP-BV"), due_at=later(days=1)
        )
    assert [e.field for e in exc.value.errors] == ["unit"]
    assert not VerificationRequest.objects.filter(item=item).exists()


def test_the_api_names_unit_id_when_a_partner_unit_is_asked_to_verify(
    client_for, unit, new_item, problem_fields
):
    item = new_item(tlp="clear")
    r = client_for("na_meo_post_officer").post(
        f"/api/v1/items/{item.pk}/verification-requests",
        {"unit_id": str(unit("LA-HP-BV").pk), "due_at": later(days=1).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert problem_fields(r) == {"unit_id"}
    assert not VerificationRequest.objects.filter(item=item).exists()


def test_asking_for_verification_follows_the_sharing_rules_of_the_level(cast, unit, new_item):
    """The verifying unit gains the item, so the request is a share: an analyst who received an
    AMBER+STRICT item may not bring another unit in; with AMBER, only units of the analyst's force."""
    post, analyst = cast("na_meo_post_officer"), cast("police_analyst")
    strict = new_item(tlp="amber_strict")
    services.item_share(post, item=strict, units=[unit("CA-TH-PC04")])
    with pytest.raises(NotPermitted):
        services.verification_request(analyst, item=strict, unit=unit("CA-XA-NA-MEO"), due_at=later(days=1))
    amber = new_item(tlp="amber")
    services.item_share(post, item=amber, units=[unit("CA-TH-PC04")])
    with pytest.raises(NotPermitted):
        services.verification_request(analyst, item=amber, unit=unit("HQ-NA-MEO"), due_at=later(days=1))
    services.verification_request(analyst, item=amber, unit=unit("CA-XA-NA-MEO"), due_at=later(days=1))
    assert list(
        VerificationRequest.objects.filter(item__in=[strict, amber]).values_list("item", "unit__code")
    ) == [(amber.pk, "CA-XA-NA-MEO")]


@pytest.mark.parametrize(
    "result, status",
    [("verified", "verified"), ("refuted", "refuted"), ("inconclusive", "under_verification")],
)
def test_the_answer_sets_the_status_and_adds_a_verification_grading(cast, unit, new_item, result, status):
    item = new_item(tlp="amber", reliability="C", credibility=3)
    req = services.verification_request(
        cast("na_meo_post_officer"), item=item, unit=unit("HQ-NA-MEO"), due_at=later(days=1)
    )
    customs = cast("na_meo_customs_officer")
    services.verification_answer(
        customs, request=req, result=result, reliability="B", credibility=2, note="Đã kiểm tra thực địa."
    )
    item = Item.objects.get(pk=item.pk)
    assert item.status == status
    assert (item.reliability, item.credibility) == ("C", 3)  # the originator's grading is untouched
    req.refresh_from_db()
    assert (req.state, req.result, req.answered_by_id) == ("answered", result, customs.user.pk)
    assert list(
        Grading.objects.filter(item=item)
        .order_by("id")
        .values_list("kind", "reliability", "credibility", "by_unit__code")
    ) == [("originator", "C", 3, "BP-DON-NA-MEO"), ("verification", "B", 2, "HQ-NA-MEO")]


def test_answering_twice_is_refused_with_409_and_changes_nothing(cast, client_for, unit, new_item):
    item = new_item(tlp="amber")
    req = services.verification_request(
        cast("na_meo_post_officer"), item=item, unit=unit("HQ-NA-MEO"), due_at=later(days=1)
    )
    c = client_for("na_meo_customs_officer")
    url = f"/api/v1/verification-requests/{req.pk}/answer"
    first = c.post(
        url, {"result": "refuted", "reliability": "B", "credibility": 5}, content_type="application/json"
    )
    assert first.status_code == 200 and first.json()["result"] == "refuted"
    second = c.post(
        url, {"result": "verified", "reliability": "A", "credibility": 1}, content_type="application/json"
    )
    assert second.status_code == 409
    assert second.json()["code"] == "already_answered"
    assert Item.objects.get(pk=item.pk).status == "refuted"
    assert Grading.objects.filter(item=item, kind="verification").count() == 1
    with pytest.raises(Conflict):
        services.verification_answer(
            cast("na_meo_customs_officer"),
            request=VerificationRequest.objects.get(pk=req.pk),
            result="verified",
            reliability="A",
            credibility=1,
        )


def test_two_answers_to_the_same_request_loaded_at_the_same_time_record_only_one(cast, unit, new_item):
    """Two officers of the unit open the request at the same moment and both submit: the second,
    whose copy still says "open", must be refused as a second answer."""
    item = new_item(tlp="amber")
    req = services.verification_request(
        cast("na_meo_post_officer"), item=item, unit=unit("HQ-NA-MEO"), due_at=later(days=1)
    )
    first_copy = VerificationRequest.objects.get(pk=req.pk)
    second_copy = VerificationRequest.objects.get(pk=req.pk)
    customs = cast("na_meo_customs_officer")
    services.verification_answer(
        customs, request=first_copy, result="refuted", reliability="B", credibility=5
    )
    with pytest.raises(Conflict):
        services.verification_answer(
            customs, request=second_copy, result="verified", reliability="A", credibility=1
        )
    assert Item.objects.get(pk=item.pk).status == "refuted"
    assert Grading.objects.filter(item=item, kind="verification").count() == 1


@pytest.mark.parametrize("who", ["na_meo_post_officer", "na_meo_commune_police", "province_commander"])
def test_only_the_requested_unit_answers(cast, unit, new_item, who):
    """The originator, a recipient, a commander above the verifying unit: none of them is the unit asked."""
    item = new_item(tlp="green")
    post = cast("na_meo_post_officer")
    services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])
    req = services.verification_request(post, item=item, unit=unit("CA-XA-PU-NHI"), due_at=later(days=1))
    with pytest.raises(NotPermitted):
        services.verification_answer(
            cast(who), request=req, result="verified", reliability="A", credibility=1
        )
    req.refresh_from_db()
    assert req.state == "open"
    assert Item.objects.get(pk=item.pk).status == "under_verification"


# --- the inbox ----------------------------------------------------------------------------------


def test_the_inbox_holds_unacknowledged_items_and_requests_overdue_first(cast, client_for, unit, new_item):
    post, police = cast("na_meo_post_officer"), cast("na_meo_commune_police")
    t0 = clock.now().replace(microsecond=0)
    a, b, c, d = (new_item(title=f"Tin hộp thư {n}") for n in "abcd")
    for item in (a, b, c):
        services.item_share(post, item=item, units=[unit("CA-XA-NA-MEO")])
    services.item_acknowledge(police, item=b)
    r_late = services.verification_request(
        post, item=d, unit=unit("CA-XA-NA-MEO"), due_at=t0 + dt.timedelta(hours=1)
    )
    r_soon = services.verification_request(
        post, item=a, unit=unit("CA-XA-NA-MEO"), due_at=t0 + dt.timedelta(hours=3)
    )
    r_far = services.verification_request(
        post, item=c, unit=unit("CA-XA-NA-MEO"), due_at=t0 + dt.timedelta(days=2)
    )
    r_other = services.verification_request(
        post, item=b, unit=unit("HQ-NA-MEO"), due_at=t0 + dt.timedelta(hours=1)
    )
    mine = {str(r.pk) for r in (r_late, r_soon, r_far, r_other)}

    with clock.frozen(t0 + dt.timedelta(hours=2)):
        box = client_for("na_meo_commune_police").get("/api/v1/inbox").json()
    rows = [(v["id"], v["overdue"]) for v in box["verifications"] if v["id"] in mine]
    assert rows == [(str(r_late.pk), True), (str(r_soon.pk), False), (str(r_far.pk), False)]
    flags = [v["overdue"] for v in box["verifications"]]
    assert flags == sorted(flags, reverse=True), "every overdue request comes before every other"
    assert box["overdue"] == sum(flags)
    unacked = {row["id"] for row in box["unacknowledged"]}
    assert {str(a.pk), str(c.pk)} <= unacked
    assert str(b.pk) not in unacked  # acknowledged
    assert str(d.pk) not in unacked  # asked to verify, never shared: no receipt

    services.verification_answer(police, request=r_late, result="verified", reliability="B", credibility=2)
    services.item_acknowledge(police, item=a)
    with clock.frozen(t0 + dt.timedelta(hours=2)):
        box = client_for("na_meo_commune_police").get("/api/v1/inbox").json()
    assert [v["id"] for v in box["verifications"] if v["id"] in mine] == [str(r_soon.pk), str(r_far.pk)]
    assert str(a.pk) not in {row["id"] for row in box["unacknowledged"]}


def test_the_inbox_page_marks_overdue_requests(cast, client_for, unit, new_item):
    post = cast("na_meo_post_officer")
    t0 = clock.now().replace(microsecond=0)
    late = services.verification_request(
        post, item=new_item(), unit=unit("CA-XA-NA-MEO"), due_at=t0 + dt.timedelta(hours=1)
    )
    fine = services.verification_request(
        post, item=new_item(), unit=unit("CA-XA-NA-MEO"), due_at=t0 + dt.timedelta(hours=5)
    )
    with clock.frozen(t0 + dt.timedelta(hours=2)):
        html = client_for("na_meo_commune_police").get("/inbox/").content.decode()
    assert f'data-verification="{late.pk}" class="overdue"' in html
    assert f'data-verification="{fine.pk}" class=""' in html
    assert html.index(str(late.pk)) < html.index(str(fine.pk))

"""The pages' forms: bad input shows the errors beside the field it concerns and writes nothing; good
input does what the API does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.audit.models import AuditEvent
from liaison.core import clock
from liaison.intel import services
from liaison.intel.models import Attachment, Category, Item, ItemLink, ItemReceipt, VerificationRequest


def field_error(html: str, field: str, prefix: str = "") -> bool:
    """Django renders a field's errors as <ul class="errorlist" id="id_<prefix->field_error">."""
    return f'id="id_{prefix + "-" if prefix else ""}{field}_error"' in html


def local_input(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%dT%H:%M")


def create_form(**over):
    data = {
        "title": "Hàng lậu qua đường mòn",
        "body": "Phát hiện 5 kiện hàng.",
        "category": str(Category.objects.get(code="smuggling").pk),
        "observed_at": local_input(clock.now() - dt.timedelta(hours=1)),
        "reliability": "B",
        "credibility": "2",
        "tlp": "amber",
        "lat": "",
        "lon": "",
    }
    data.update(over)
    return data


@pytest.fixture
def writes():
    """How many items, receipts, requests, links, attachments and audit events exist. Reads are not
    writes: the detail page shown again with the errors records an audited read (verb 104)."""

    def count():
        return (
            Item.objects.count(),
            ItemReceipt.objects.count(),
            VerificationRequest.objects.count(),
            ItemLink.objects.count(),
            Attachment.objects.count(),
            AuditEvent.objects.exclude(verb=104).count(),
        )

    return count


# --- logging an item --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "over, fields",
    [
        ({"title": ""}, {"title"}),
        ({"title": "", "body": "  "}, {"title", "body"}),
        ({"credibility": "9"}, {"credibility"}),
        ({"tlp": "purple"}, {"tlp"}),
        ({"observed_at": "hôm qua"}, {"observed_at"}),
        ({"lat": "95", "lon": "105"}, {"lat"}),
        ({"category": "00000000-0000-0000-0000-000000000000"}, {"category"}),
        # valid for the form, refused by the service: the page still names the field
        ({"lat": "20.3"}, {"lon"}),
        ({"observed_at": local_input(clock.now() + dt.timedelta(days=2))}, {"observed_at"}),
    ],
)
def test_logging_an_item_with_bad_input_shows_the_field_errors_and_writes_nothing(
    client_for, writes, over, fields
):
    before = writes()
    r = client_for("na_meo_post_officer").post("/items/new/", create_form(**over))
    assert r.status_code == 400
    html = r.content.decode()
    for f in fields:
        assert field_error(html, f), f
    assert set(r.context["form"].errors) == fields
    assert writes() == before


def test_a_proposed_category_cannot_be_chosen_yet(cast, client_for, writes):
    c = services.category_propose(
        cast("police_administrator"), code="pending_cat", name_vi="Chờ duyệt", name_en="Pending"
    )
    before = writes()
    r = client_for("na_meo_post_officer").post("/items/new/", create_form(category=str(c.pk)))
    assert r.status_code == 400 and field_error(r.content.decode(), "category")
    assert writes() == before


def test_logging_an_item_with_good_input_opens_it(client_for):
    r = client_for("na_meo_post_officer").post("/items/new/", create_form(title="Tin qua trang zzpage"))
    item = Item.objects.get(title="Tin qua trang zzpage")
    assert r.status_code == 302 and r["Location"] == f"/items/{item.pk}/"
    assert (item.origin_unit.code, item.level, item.tlp, item.reliability, item.credibility) == (
        "BP-DON-NA-MEO",
        "commune",
        "amber",
        "B",
        2,
    )


# --- the actions on an item's page --------------------------------------------------------------


@pytest.fixture
def item(new_item):
    return new_item(tlp="amber")


def act(client, item, action, data):
    return client.post(f"/items/{item.pk}/{action}/", {f"{action}-{k}": v for k, v in data.items()})


def test_sharing_with_a_partner_unit_from_the_page_is_refused_on_the_field(client_for, unit, item, writes):
    before = writes()
    r = act(client_for("na_meo_post_officer"), item, "share", {"units": [str(unit("LA-HP-CA").pk)]})
    assert r.status_code == 400 and field_error(r.content.decode(), "units", "share")
    r = act(client_for("na_meo_post_officer"), item, "share", {})  # nobody named
    assert r.status_code == 400 and field_error(r.content.decode(), "units", "share")
    assert writes() == before


def test_sharing_from_the_page(client_for, unit, item):
    r = act(client_for("na_meo_post_officer"), item, "share", {"units": [str(unit("CA-XA-NA-MEO").pk)]})
    assert r.status_code == 302
    assert list(ItemReceipt.objects.filter(item=item).values_list("unit__code", flat=True)) == [
        "CA-XA-NA-MEO"
    ]


def test_a_past_deadline_for_verification_is_shown_on_the_field(client_for, unit, item, writes):
    before = writes()
    r = act(
        client_for("na_meo_post_officer"),
        item,
        "verify",
        {"unit": str(unit("HQ-NA-MEO").pk), "due_at": local_input(clock.now() - dt.timedelta(hours=3))},
    )
    assert r.status_code == 400 and field_error(r.content.decode(), "due_at", "verify")
    r = act(
        client_for("na_meo_post_officer"), item, "verify", {"unit": str(unit("HQ-NA-MEO").pk), "due_at": ""}
    )
    assert r.status_code == 400 and field_error(r.content.decode(), "due_at", "verify")
    assert writes() == before
    assert Item.objects.get(pk=item.pk).status == "new"


def test_lowering_without_a_reason_from_the_page_is_shown_on_the_reason(client_for, item, writes):
    before = writes()
    r = act(client_for("na_meo_post_commander"), item, "handling", {"tlp": "green", "reason": ""})
    assert r.status_code == 400 and field_error(r.content.decode(), "reason", "handling")
    assert writes() == before
    assert Item.objects.get(pk=item.pk).tlp == "amber"


def test_an_attachment_that_is_not_what_its_name_says_is_shown_on_the_file(client_for, item, writes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = writes()
    r = client_for("na_meo_post_officer").post(
        f"/items/{item.pk}/attach/", {"attach-file": SimpleUploadedFile("anh.png", b"just text, no picture")}
    )
    assert r.status_code == 400 and field_error(r.content.decode(), "file", "attach")
    assert writes() == before


def test_a_link_to_a_hidden_item_reads_exactly_like_a_link_to_no_item(client_for, new_item, item, writes):
    hidden = new_item("na_meo_customs_officer", tlp="green")  # the border post may not see it
    before = writes()
    c = client_for("na_meo_post_officer")
    r_hidden = act(c, item, "link", {"other_ref": hidden.ref, "kind": "related"})
    r_missing = act(c, item, "link", {"other_ref": "TIN-1999-999999", "kind": "related"})
    assert r_hidden.status_code == r_missing.status_code == 400
    assert field_error(r_hidden.content.decode(), "other_ref", "link")
    assert r_hidden.context["forms"]["link"].errors == r_missing.context["forms"]["link"].errors
    assert writes() == before


def test_a_bad_verification_answer_leaves_the_request_open(cast, client_for, unit, item, writes):
    req = services.verification_request(
        cast("na_meo_post_officer"),
        item=item,
        unit=unit("HQ-NA-MEO"),
        due_at=clock.now() + dt.timedelta(days=1),
    )
    before = writes()
    r = act(
        client_for("na_meo_customs_officer"),
        item,
        "answer",
        {"request_id": str(req.pk), "result": "maybe", "reliability": "B", "credibility": "2"},
    )
    assert r.status_code == 400
    assert set(r.context["forms"]["answer"].errors) == {"result"}
    assert writes() == before
    req.refresh_from_db()
    assert req.state == "open"


# --- filters and statistics -------------------------------------------------------------------


def test_a_bad_filter_is_shown_on_its_field(client_for):
    r = client_for("na_meo_post_officer").get("/items/", {"since": "31/02/2020"})
    assert r.status_code == 400 and field_error(r.content.decode(), "since")


def test_a_bad_statistics_period_is_shown_on_its_field(client_for):
    r = client_for("province_commander").get("/stats/", {"period": "weekly"})
    assert r.status_code == 400 and field_error(r.content.decode(), "period")
    r = client_for("province_commander").get(
        "/stats/", {"period": "custom", "on": "2020-02-01", "end": "2020-01-01"}
    )
    assert r.status_code == 400 and field_error(r.content.decode(), "end")

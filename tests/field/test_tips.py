"""The public tip line (issue 19): no sign-in, no cookie, Vietnamese and Lao; a tip becomes an
unverified AMBER item of the commune's duty unit; rate limits per address and per number; the
sender's number kept only with consent, sealed, shown only to that unit."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from liaison.core.errors import NotFound, NotPermitted
from liaison.field import services, tips
from liaison.field.models import Tip
from liaison.intel.models import Item
from liaison.org.actor import Actor
from tests.conftest import cast_actor

pytestmark = pytest.mark.django_db
NA_MEO = "VN-38-15013"


@pytest.fixture(autouse=True)
def _no_demo_tips():
    """The demo's tips are not these tests' (rolled back with the test)."""
    Tip.objects.all().delete()


def form_token(client, lang="vi") -> str:
    r = client.get("/tin-bao/", {"lang": lang})
    return re.search(r'name="form_token" value="([^"]+)"', r.content.decode()).group(1)


def send(
    client,
    text="Hai người gùi hàng qua đường mòn gần mốc 299 lúc 5 giờ sáng",
    *,
    address="203.0.113.7",
    **extra,
):
    data = {"form_token": form_token(client), "commune": NA_MEO, "text": text, **extra}
    return client.post("/tin-bao/?lang=vi", data, REMOTE_ADDR=address)


@pytest.mark.parametrize(("lang", "words"), [("vi", "Gửi tin báo"), ("lo", "ລາວ")])
def test_the_page_is_public_sets_no_cookie_and_loads_nothing_from_elsewhere(lang, words):
    r = Client().get("/tin-bao/", {"lang": lang})
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers and not r.cookies
    html = r.content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)  # our own assets only
    assert f'lang="{lang}"' in html


def test_a_tip_is_an_unverified_amber_item_of_the_commune_police_and_its_code_is_shown():
    c = Client()
    r = send(c)
    assert r.status_code == 201
    assert "Set-Cookie" not in r.headers and not r.cookies
    tip = Tip.objects.get()
    assert tip.code in r.content.decode()
    item = tip.item
    assert (item.reliability, item.credibility, item.tlp) == ("F", 6, "amber")
    assert item.origin_unit.code == "CA-XA-NA-MEO"
    assert tip.sender_sealed == ""


def test_a_later_tip_can_cite_the_code_of_an_earlier_one():
    c = Client()
    send(c)
    first = Tip.objects.get()
    send(c, f"{first.code} hôm nay họ lại đi qua")
    assert Tip.objects.exclude(pk=first.pk).get().refers_to == first.code


def test_a_post_without_a_served_form_token_stores_nothing():
    c = Client()
    for token in ("", "forged", "x:y:z"):
        r = c.post(
            "/tin-bao/", {"form_token": token, "commune": NA_MEO, "text": "abc"}, REMOTE_ADDR="203.0.113.8"
        )
        assert r.status_code == 400
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [({"text": ""}, "text"), ({"commune": "VN-00-00000"}, "commune"), ({"number": "12"}, "number")],
)
def test_bad_input_names_the_field_and_stores_nothing(data, field):
    c = Client()
    payload = {"form_token": form_token(c), "commune": NA_MEO, "text": "Có người lạ", **data}
    r = c.post("/tin-bao/", payload, REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 422
    assert Tip.objects.count() == 0


def test_the_number_is_kept_sealed_only_with_consent_and_shown_only_to_the_duty_unit():
    c = Client()
    send(c, number="0987 111 222")
    send(c, "Lại thấy họ", number="0987 111 222", consent="1")
    no_consent, consent = Tip.objects.order_by("created_at")
    assert no_consent.sender_sealed == ""
    assert consent.sender_sealed and "987111222" not in consent.sender_sealed
    police = cast_actor("na_meo_commune_police")
    assert services is not None
    assert tips.tip_sender(police, tip=consent) == "+84987111222"
    assert tips.tip_sender(police, tip=no_consent) == ""
    for other in ("na_meo_post_officer", "province_commander", "police_administrator", "auditor"):
        with pytest.raises((NotPermitted, NotFound)):
            tips.tip_sender(cast_actor(other), tip=consent)


@override_settings(TIP_LIMIT_PER_ADDRESS=5)
def test_a_burst_from_one_address_stores_exactly_the_limit_and_nothing_else():
    c = Client()
    before = Item.objects.count()
    codes = [send(c, f"Tin số {i}").status_code for i in range(12)]
    assert codes.count(201) == 5 and codes.count(429) == 7
    assert Tip.objects.count() == 5
    assert Item.objects.count() == before + 5
    assert send(c, "Từ địa chỉ khác", address="198.51.100.4").status_code == 201


@override_settings(TIP_LIMIT_PER_NUMBER=3, TIP_LIMIT_PER_ADDRESS=100)
def test_the_limit_per_number_holds_across_addresses():
    c = Client()
    codes = [
        send(c, f"Tin {i}", address=f"198.51.100.{i}", number="0987 222 333").status_code for i in range(6)
    ]
    assert codes == [201, 201, 201, 429, 429, 429]
    assert Tip.objects.count() == 3


def test_a_tip_by_sms_through_the_gateway():
    _, token = services.gateway_register(Actor.system(), name="Kannel")
    c = Client()
    r = c.get(
        "/field/sms/kannel/", {"token": token, "from": "+84987333444", "text": "TB NA-MEO DY co nguoi la"}
    )
    assert r["X-Liaison-Outcome"] == "tip_accepted"
    tip = Tip.objects.get()
    assert tip.code in r.content.decode() and tip.channel == "sms" and tip.sender_sealed
    r = c.get(
        "/field/sms/kannel/", {"token": token, "from": "+84987333444", "text": "TB KHONG-CO co nguoi la"}
    )
    assert r["X-Liaison-Outcome"] == "tip_unknown_commune"
    r = c.get("/field/sms/kannel/", {"token": token, "from": "+84987333444", "text": "TB NA-MEO"})
    assert r["X-Liaison-Outcome"] == "tip_format"
    assert Tip.objects.count() == 1


def test_the_tip_line_account_is_made_by_orgs_service_inactive_and_audited():
    from liaison.audit.models import AuditEvent
    from liaison.audit.verbs import Verb
    from liaison.org import services as org_services
    from liaison.org.models import User

    assert send(Client()).status_code == 201
    user = User.objects.get(username=tips.TIPLINE_USERNAME)
    assert not user.is_active and not user.has_usable_password()
    other = org_services.service_account_ensure(Actor.system(), username="kenhthu", full_name="Test")
    assert not other.is_active and not other.has_usable_password()
    assert AuditEvent.objects.filter(verb=Verb.USER_CREATED, object_id=str(other.pk)).exists()
    assert org_services.service_account_ensure(Actor.system(), username="kenhthu", full_name="x") == other
    with pytest.raises(NotPermitted):
        org_services.service_account_ensure(cast_actor("auditor"), username="kenhthu2", full_name="x")

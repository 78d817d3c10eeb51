"""Officers' SMS reports through a Kannel sms-service callback (issue 19): the parser, table by
table, and the endpoint (the token, the sender's number, the item it makes)."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.field import services, sms
from liaison.intel.models import Item
from liaison.org.actor import Actor
from tests.conftest import cast_actor

pytestmark = pytest.mark.django_db
OFFICER_NUMBER = "0912 345 678"  # as the officer writes it; stored as +84912345678


@pytest.mark.parametrize(
    ("message", "post", "category", "text"),
    [
        (
            "BC NA-MEO smuggling Hai nguoi gui hang qua moc 299",
            "POST-NA-MEO",
            "smuggling",
            "Hai nguoi gui hang qua moc 299",
        ),
        ("bc na-meo SMUGGLING  hai người gùi hàng", "POST-NA-MEO", "smuggling", "hai người gùi hàng"),
        (
            "  BC POST-NA-MEO drugs nghi van\nvan chuyen ma tuy ",
            "POST-NA-MEO",
            "drugs",
            "nghi van\nvan chuyen ma tuy",
        ),
    ],
)
def test_a_well_formed_report_is_parsed(message, post, category, text):
    assert sms.parse(message) == sms.Parsed(post=post, category=category, text=text)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("TIN NA-MEO smuggling hang lau", "keyword"),
        ("BCNA-MEO smuggling hang lau", "keyword"),
        ("BC", "no_post"),
        ("BC NA-MEO", "no_category"),
        ("BC NA-MEO smuggling", "no_text"),
        ("BC NA-MEO smuggling    ", "no_text"),
        ("BC NA-MEO smuggling " + "x" * 1001, "too_long"),
    ],
)
def test_a_malformed_report_is_refused_with_a_vietnamese_reply(message, code):
    with pytest.raises(sms.SmsRefused) as exc:
        sms.parse(message)
    assert exc.value.code == code
    assert "BC" in exc.value.reply or code == "too_long"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("+856 20 5555 1234", "+8562055551234"),
        ("12", None),
        ("abc", None),
        ("", None),
    ],
)
def test_numbers_are_normalised_to_e164(raw, e164):
    assert sms.normalise_number(raw) == e164


@pytest.fixture
def gateway():
    gw, token = services.gateway_register(Actor.system(), name="Kannel đồn Na Mèo")
    services.phone_register(
        Actor.system(), user=cast_actor("na_meo_post_officer").user, number=OFFICER_NUMBER
    )
    return token


def kannel(token, sender, text):
    return Client().get("/field/sms/kannel/", {"token": token, "from": sender, "text": text})


@pytest.mark.parametrize(
    ("sender", "text", "outcome"),
    [
        ("+84912345678", "BC NA-MEO smuggling Hai nguoi gui hang qua moc 299", "accepted"),
        ("84912345678", "BC NA-MEO smuggling Hai nguoi gui hang qua moc 299", "accepted"),
        ("+84900000000", "BC NA-MEO smuggling Hai nguoi gui hang qua moc 299", "unknown_number"),
        ("+84912345678", "BC KHONG-CO smuggling Hai nguoi gui hang", "unknown_post"),
        ("+84912345678", "BC NA-MEO khong-co Hai nguoi gui hang", "unknown_category"),
        ("+84912345678", "BC NA-MEO smuggling", "no_text"),
        ("+84912345678", "Xin chao", "keyword"),
    ],
)
def test_the_kannel_callback_answers_each_case(gateway, sender, text, outcome):
    before = Item.objects.count()
    r = kannel(gateway, sender, text)
    assert r.status_code == 200
    assert r["X-Liaison-Outcome"] == outcome
    assert r.content.decode().strip()  # every case gets a reply
    assert Item.objects.count() == before + (1 if outcome == "accepted" else 0)
    assert "Set-Cookie" not in r.headers and not r.cookies


def test_an_accepted_report_is_an_item_of_the_senders_unit_at_the_post(gateway):
    r = kannel(gateway, "+84912345678", "BC NA-MEO smuggling Hai nguoi gui hang qua moc 299")
    item = Item.objects.get(title="Hai nguoi gui hang qua moc 299")
    assert item.origin_unit.code == "BP-DON-NA-MEO"
    assert item.place.code == "POST-NA-MEO"
    assert item.tlp == "amber"
    assert item.ref in r.content.decode()


@pytest.mark.parametrize("token", ["", "sms_wrong", "x" * 500])
def test_a_wrong_token_gets_403_and_no_reply(gateway, token):
    r = kannel(token, "+84912345678", "BC NA-MEO smuggling Hai nguoi gui hang")
    assert r.status_code == 403
    assert r.content == b""


def test_an_administrator_cannot_register_their_own_number():
    from liaison.core.errors import NotPermitted

    admin = cast_actor("police_administrator")
    with pytest.raises(NotPermitted):
        services.phone_register(admin, user=admin.user, number="0987654321")

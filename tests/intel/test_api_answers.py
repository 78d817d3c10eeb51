"""The create's answer is built from what it wrote (issue 15), and says exactly what a read of the
item says afterwards: the same bytes, without reading the gradings or receipts back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.accounts.services import api_token_create
from tests.conftest import cast_actor

pytestmark = pytest.mark.django_db


def bearer_for(name: str) -> Client:
    _token, raw = api_token_create(cast_actor(name), name="answers", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"lat": 20.36, "lon": 104.45, "tlp": "amber", "is_drill": True},
    ],
)
def test_the_create_answers_what_a_read_of_the_item_then_says_byte_for_byte(db, extra):
    c = bearer_for("na_meo_post_officer")
    body = {
        "title": "Hàng lậu qua đường mòn",
        "body": "Phát hiện 5 kiện hàng.",
        "category": "smuggling",
        "reliability": "B",
        "credibility": 2,
        "tlp": "green",
        "observed_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(timespec="microseconds"),
        **extra,
    }
    with CaptureQueriesContext(connection) as q:
        created = c.post("/api/v1/items", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201, created.content
    read_back = [s["sql"] for s in q.captured_queries if s["sql"].lstrip().upper().startswith("SELECT")]
    assert not [s for s in read_back if "intel_grading" in s or "intel_itemreceipt" in s]
    item_id = created.json()["id"]
    assert created.json()["gradings"] and created.json()["receipts"] == []
    read = c.get(f"/api/v1/items/{item_id}")
    assert read.status_code == 200
    assert created.content == read.content

    replay = c.post("/api/v1/items", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 201 and replay.content == read.content

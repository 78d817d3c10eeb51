"""`liaison check-bounds` names the rows stored before the input rules that lie outside them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from liaison.core import clock
from liaison.intel import services
from liaison.intel.models import Category, Item


def _item(cast, title):
    return services.item_create(
        cast("na_meo_post_officer"),
        title=title,
        body="Nội dung",
        reliability="C",
        credibility=3,
        category=Category.objects.get(code="smuggling"),
        observed_at=clock.now() - dt.timedelta(hours=2),
    )


def _set(item, column, literal):
    # As the rows were written before the rules: straight into the table (year 1 at +07:00 is a BC
    # timestamp on PostgreSQL, which no Python datetime can carry).
    with connection.cursor() as c:
        c.execute(
            f"UPDATE intel_item SET {column} = %s WHERE id = %s",
            [literal, item.pk.hex if connection.vendor == "sqlite" else item.pk],
        )


def test_check_bounds_is_quiet_when_every_date_is_plausible(cast):
    _item(cast, "Tin hợp lệ")
    out = io.StringIO()
    call_command("check_bounds", stdout=out)
    assert "within its bounds" in out.getvalue()


@pytest.mark.parametrize(
    "column, literal",
    [
        ("observed_at", "0001-01-01 00:00:00+07:00"),
        ("observed_at", "1989-12-31 00:00:00+00:00"),
        ("received_at", "9999-12-31 00:00:00+00:00"),
        ("received_at", "2100-01-01 00:00:00+00:00"),
    ],
)
def test_check_bounds_names_a_row_outside_them(cast, column, literal):
    ok, bad = _item(cast, "Tin hợp lệ"), _item(cast, "Tin ngoài giới hạn")
    _set(bad, column, literal)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("check_bounds", stdout=out)
    assert bad.ref in out.getvalue() and column in out.getvalue()
    assert ok.ref not in out.getvalue()
    assert Item.objects.filter(pk=bad.pk).exists()  # reported, not changed

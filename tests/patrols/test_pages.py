"""The patrol pages: the list (keyset), a patrol with its check-in form (errors named on the field,
nothing written), plans and their approval, coverage; in Vietnamese, English and Lao."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone

from liaison.core import clock
from liaison.patrols.models import CheckIn, Patrol, PatrolPlan

from .conftest import make_patrol, na_meo_marker, other_marker


@pytest.mark.parametrize(("lang", "word"), [("vi", "Tuần tra"), ("en", "Patrols"), ("lo", "ການລາດຕະເວນ")])
def test_the_pages_speak_the_three_languages(client_for, lang, word):
    c = client_for("border_guard_commander")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    for url in ("/patrols/", "/patrol-plans/", "/patrol-coverage/"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert word in r.content.decode()
    p = Patrol.objects.order_by("-starts_at").first()
    assert c.get(f"/patrols/{p.pk}/").status_code == 200


def test_the_list_pages_by_keyset(client_for):
    c = client_for("border_guard_commander")
    first = c.get("/patrols/?limit=20").content.decode()
    ids = re.findall(r'data-id="([^"]+)"', first)
    assert len(ids) == 20
    nxt = re.search(r'href="\?([^"]*cursor=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = re.findall(r'data-id="([^"]+)"', c.get("/patrols/?" + nxt).content.decode())
    assert second and not set(ids) & set(second)
    assert c.get("/patrols/?cursor=bad!").status_code == 400


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_a_check_in_through_the_page(client_for):
    p = make_patrol()
    m = na_meo_marker()
    c = client_for("na_meo_post_officer")
    form = {
        "checkin-marker": other_marker().number,
        "checkin-at": _local(clock.now() - dt.timedelta(hours=1)),
        "checkin-lat": m.place.lat,
        "checkin-lon": m.place.lon,
        "checkin-condition": "intact",
        "checkin-note": "",
    }
    before = CheckIn.objects.count()
    r = c.post(f"/patrols/{p.pk}/checkin/", form)
    assert r.status_code == 400 and "not on the patrol" in r.content.decode()
    assert CheckIn.objects.count() == before
    r = c.post(f"/patrols/{p.pk}/checkin/", {**form, "checkin-marker": m.number})
    assert r.status_code == 302
    assert CheckIn.objects.count() == before + 1
    # Another post cannot even find the patrol.
    assert client_for("bat_mot_post_officer").post(f"/patrols/{p.pk}/checkin/", form).status_code == 404


def test_a_plan_drafted_and_approved_through_the_pages(client_for):
    officer = client_for("na_meo_post_officer")
    r = officer.post("/patrol-plans/", {"month": "2031-04-10", "note": "Tháng 4"})
    assert r.status_code == 302
    plan = PatrolPlan.objects.get(post__code="BP-DON-NA-MEO", month=dt.date(2031, 4, 1))
    officer.post(f"/patrol-plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.state == "draft"  # a duty officer does not approve
    client_for("na_meo_post_commander").post(f"/patrol-plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.state == "approved"


def test_new_patrol_page(client_for):
    c = client_for("na_meo_post_officer")
    assert c.get("/patrols/new/").status_code == 200
    r = c.post(
        "/patrols/new/",
        {
            "kind": "joint",
            "starts_at": "2031-05-02T07:00",
            "ends_at": "2031-05-02T15:00",
            "people": 7,
            "route": f"SEG-NA-MEO, {na_meo_marker().number}",
        },
    )
    assert r.status_code == 400 and "another force" in r.content.decode()
    assert client_for("auditor").get("/patrols/new/").status_code == 403


@pytest.mark.parametrize(("lang", "damaged"), [("vi", "Hư hỏng"), ("en", "Damaged")])
def test_the_coverage_page_names_conditions_and_posts_not_their_codes(client_for, lang, damaged):
    """The demo's damaged marker 307 (Na Mèo post): its condition in the reader's language and its
    post by name; every marker's segment named; no stored code on the page."""
    c = client_for("border_guard_commander")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = c.get("/patrol-coverage/").content.decode()
    item = re.search(r'<li data-marker="[^"]+">307 · ([^<]*)</li>', page)
    assert item, "the damaged marker is listed"
    assert damaged in item.group(1) and "Na Mèo" in item.group(1)
    assert "BP-DON-NA-MEO" not in page
    assert not re.search(r"<td>(intact|damaged|moved|missing)</td>", page)
    cells = re.findall(r'<tr data-marker="[^"]+"><td>[^<]*</td><td>([^<]*)</td>', page)
    assert cells and all(cells), "every marker's segment is named"

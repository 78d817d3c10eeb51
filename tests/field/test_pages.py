"""The offline report pages of issue 19 as the server renders them: each form offers what the
policy lets its reader send, and nothing else (the queue's behaviour is in test_offline_browser)."""

from __future__ import annotations

import re

import pytest

from liaison.incidents.models import IncidentType
from liaison.patrols import services as patrol_services
from liaison.patrols.models import Status
from tests.conftest import cast_actor, signed_in_client
from tests.patrols.conftest import make_patrol, na_meo_marker

pytestmark = pytest.mark.django_db


def codes(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [c for c in re.findall(r'data-code="([^"]*)"', block) if c]


def test_the_incident_page_offers_only_the_active_types_and_posts_to_the_incidents_api():
    IncidentType.objects.filter(code="smuggling").update(is_active=False)
    r = signed_in_client("na_meo_post_officer").get("/field/incident/")
    assert r.status_code == 200
    html = r.content.decode()
    offered = codes(html, "type")
    assert "smuggling" not in offered
    assert set(offered) == set(IncidentType.objects.filter(is_active=True).values_list("code", flat=True))
    assert 'data-api="/api/v1/incidents"' in html
    assert 'lang="vi"' in html  # Vietnamese first


def test_the_incident_page_is_refused_to_a_role_that_opens_no_incident():
    r = signed_in_client("auditor").get("/field/incident/")
    assert r.status_code == 403


def test_the_checkin_page_offers_the_patrols_the_member_may_check_in_on_with_their_markers():
    mine = make_patrol()
    done = make_patrol(hours_ago=5)
    patrol_services.patrol_transition(
        cast_actor("na_meo_post_officer"), patrol=done, to=Status.CANCELLED, reason="mưa lũ"
    )
    html = signed_in_client("na_meo_post_officer").get("/field/checkin/").content.decode()
    patrols = codes(html, "patrol")
    assert str(mine.pk) in patrols
    assert str(done.pk) not in patrols  # a cancelled patrol takes no check-in
    assert na_meo_marker().number in codes(html, "marker")
    # Another post's officer is no participant of this patrol: it is not offered to them.
    other = signed_in_client("bat_mot_post_officer").get("/field/checkin/").content.decode()
    assert str(mine.pk) not in other


@pytest.mark.parametrize("path", ["/field/", "/field/incident/", "/field/checkin/"])
def test_every_report_page_links_the_three_kinds_and_carries_the_shared_queue(path):
    html = signed_in_client("na_meo_post_officer").get(path).content.decode()
    for href in ("/field/", "/field/incident/", "/field/checkin/"):
        assert f'href="{href}"' in html
    assert "field/queue.js" in html and 'id="waiting"' in html


def test_the_service_worker_keeps_the_three_pages():
    body = signed_in_client("na_meo_post_officer").get("/field/sw.js").content.decode()
    assert '["/field/", "/field/incident/", "/field/checkin/"]' in body

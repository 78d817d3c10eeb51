"""Issue 14's findings about the pages, one test (or a few) per finding, through the test client.
The findings that live in the browser (htmx, phone width) are in tests/pages/test_walk.py."""

from __future__ import annotations

import re

import pytest

# --- 2. the statistics exports carry the period ------------------------------------------------


def _export_links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(\?[^"]*format=(?:csv|xlsx)[^"]*)"', html)]


@pytest.mark.parametrize("query", [{}, {"period": "month", "on": "2026-05-10"}])
def test_the_statistics_export_links_work_before_and_after_show(client_for, query):
    c = client_for("province_commander")
    r = c.get("/stats/", query)
    assert r.status_code == 200
    links = _export_links(r.content.decode())
    assert len(links) == 2
    for link in links:
        assert "period=" in link
        e = c.get("/stats/" + link)
        assert e.status_code == 200, link
        assert e["Content-Disposition"].startswith("attachment")


# --- 11. the demo: a second police administrator; `liaison demo` says what it does ---------------


def test_a_commander_grant_by_one_police_administrator_is_confirmed_by_the_second(cast):
    from liaison.org import services
    from liaison.org.actor import Actor
    from liaison.org.models import Membership, Role, Unit, User

    first = cast("police_administrator")
    second_m = Membership.objects.get(user__username="quantri2", unit__code="CA-TH", status="active")
    second = Actor(user=second_m.user, membership=second_m, via="session")
    grantee = User.objects.get(username="trucban.ttch")
    m = services.membership_grant(
        first, user=grantee, unit=Unit.objects.get(code="CA-TH"), role=Role.COMMANDER
    )
    assert m.status == Membership.Status.PENDING
    services.membership_approve(second, membership=m)
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE


def test_the_demo_loader_says_each_step_and_its_time(db):
    import io

    from liaison.demo import load

    out = io.StringIO()
    load.run(stdout=out)  # re-runnable: the session already loaded it, nothing is duplicated
    text = out.getvalue()
    for step in ("units", "border places", "users, memberships and two-factor devices", "incidents"):
        assert re.search(rf"{re.escape(step)}: done in \d+\.\d s", text), text

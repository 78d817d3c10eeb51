"""The briefing's pages, as the demo commander lives them: open last quarter's briefing, drill into a
figure, assign two conclusions, ask for the documents; the secretariat's page has no links; a
commune officer is told its counts are partial."""

from __future__ import annotations

import datetime as dt
import re

from liaison.briefings import figures, tasks
from liaison.briefings.models import Briefing, Conclusion, Generation
from liaison.core import clock

COMMANDER = "border_guard_commander"


def demo_briefing() -> Briefing:
    p = figures.last_quarter()
    return Briefing.objects.get(owner_unit__code="BP-TH", starts_on=p.starts_on, state="approved")


def test_the_demo_commander_opens_drills_assigns_and_downloads(client_for):
    c = client_for(COMMANDER)
    b = demo_briefing()
    listing = c.get("/briefings/")
    assert listing.status_code == 200 and str(b.pk) in listing.content.decode()
    page = c.get(f"/briefings/{b.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    # last quarter's conclusions of the quarter before, with their state
    assert "Tổ chức tuần tra song phương" in html and "Rà soát, trả lời" in html
    link = re.search(r'<a href="(/items/\?[^"]+)">(\d+)</a>', html)
    assert link, "a figure links to its items"
    url, n = link.group(1).replace("&amp;", "&"), int(link.group(2))
    items = c.get(url)
    assert items.status_code == 200
    assert items.content.decode().count('data-id="') >= min(n, 50)
    due = (clock.now().date() + dt.timedelta(days=30)).isoformat()
    for text, unit in (("Tuần tra mốc 310", "BP-DON-NA-MEO"), ("Xác minh tin tồn đọng", "BP-DON-BAT-MOT")):
        r = c.post(f"/briefings/{b.pk}/conclusion/", {"text": text, "unit": unit, "due_on": due})
        assert r.status_code == 302
    assert Conclusion.objects.filter(meeting__briefing=b).count() == 2
    r = c.post(f"/briefings/{b.pk}/documents/")
    assert r.status_code == 302
    g = Generation.objects.filter(briefing=b).latest("created_at")
    assert "progress" in c.get(f"/briefings/{b.pk}/").content.decode()
    tasks.run_generation(str(g.pk))
    for fmt in ("docx", "pdf", "xlsx"):
        r = c.get(f"/briefings/documents/{g.pk}/file.{fmt}")
        assert r.status_code == 200 and len(r.content) > 1000


def test_the_secretariat_sees_node_wide_counts_without_links(cast, client_for):
    from liaison.briefings import services

    b = services.briefing_create(cast("secretariat"))
    html = client_for("secretariat").get(f"/briefings/{b.pk}/").content.decode()
    assert "/items/?" not in html and "/incidents/?" not in html
    assert 'data-partial="1"' not in html


def test_a_post_commander_is_told_its_counts_are_partial(cast, client_for):
    from liaison.briefings import services

    b = services.briefing_create(cast("na_meo_post_commander"))
    html = client_for("na_meo_post_commander").get(f"/briefings/{b.pk}/").content.decode()
    assert 'data-partial="1"' in html


def test_the_conclusions_page_lists_the_units_own(client_for):
    html = client_for("bat_mot_post_officer").get("/conclusions/").content.decode()
    assert "Rà soát, trả lời các yêu cầu xác minh tin còn tồn đọng" in html
    html = client_for("na_meo_post_officer").get("/conclusions/").content.decode()
    assert "Rà soát, trả lời các yêu cầu xác minh tin còn tồn đọng" not in html


def test_the_agreements_register_shows_the_cooperation_agreement(client_for):
    html = client_for("na_meo_post_officer").get("/agreements/").content.decode()
    assert "Hủa Phăn" in html
